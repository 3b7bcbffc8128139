package steps

import "testing"

func TestIdentityStepsAreUnambiguous(t *testing.T) { unambiguous(t, "Microsoft Entra ID") }
