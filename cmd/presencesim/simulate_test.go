package main

import (
	"bytes"
	"strings"
	"testing"
)

func simulate(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(append([]string{"simulate"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// The same seed gives the same report, byte for byte, and the report names
// every configuration.
func TestSimulateNimbusIsDeterministic(t *testing.T) {
	args := []string{"nimbus", "--seed", "11", "--agents", "20", "--calls", "600"}
	a, errA, code := simulate(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errA)
	}
	b, _, _ := simulate(t, args...)
	if a != b {
		t.Fatalf("two runs of the same seed differ:\n%s\n---\n%s", a, b)
	}
	for _, want := range []string{"federation, Busy distributed", "presence accounts, Busy not distributed", "offers to agents in a call", "seed 11, 20 agents, 600 calls"} {
		if !strings.Contains(a, want) {
			t.Errorf("report lacks %q:\n%s", want, a)
		}
	}
	c, _, _ := simulate(t, "nimbus", "--seed", "12", "--agents", "20", "--calls", "600")
	if c == a {
		t.Fatalf("seeds 11 and 12 gave the same report")
	}
}

func TestSimulateRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pbx"}, "valid: nimbus"},
		{[]string{}, "usage"},
		{[]string{"nimbus", "--config", "both"}, "valid: federation, Busy distributed"},
		{[]string{"nimbus", "--agents", "0"}, "agents must be"},
		{[]string{"nimbus", "--open", "25:00"}, "hours 0-23"},
		{[]string{"nimbus", "--open", "17:00", "--close", "08:00"}, "must close after it opens"},
		{[]string{"nimbus", "--no-answer", "2"}, "0..1"},
		{[]string{"nimbus", "extra"}, "unexpected arguments"},
	} {
		_, errb, code := simulate(t, tc.args...)
		if code != 2 || !strings.Contains(errb, tc.want) {
			t.Errorf("simulate %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errb, tc.want)
		}
	}
}
