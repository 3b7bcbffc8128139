package steps

import "testing"

func TestSIPStepsAreUnambiguous(t *testing.T) { unambiguous(t, "the PBX over SIP") }
