package steps

import "testing"

func TestLocationStepsAreUnambiguous(t *testing.T) { unambiguous(t, "work location") }
