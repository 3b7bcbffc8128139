package steps

import "testing"

func TestGraphNotificationStepsAreUnambiguous(t *testing.T) {
	unambiguous(t, "Microsoft Graph notifications")
}
