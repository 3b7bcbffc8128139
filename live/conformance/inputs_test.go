package conformance

import (
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
)

// TestInputsKeepTheirLastAndStayCautious: a session keeps at most
// MaxInputs inputs, the recent ones exactly, and a window reaching back
// past those dropped counts as provoked rather than judged on what is
// no longer known.
func TestInputsKeepTheirLastAndStayCautious(t *testing.T) {
	var in inputs
	at := func(i int) clock.Time { return clock.At(1, 8, 0).Add(time.Duration(i) * time.Second) }
	n := 3 * MaxInputs
	for i := 0; i < n; i++ {
		in.add(Input{At: at(i), User: "alice", What: "line changed"})
	}
	if len(in.list) > MaxInputs {
		t.Fatalf("%d inputs kept, want at most %d", len(in.list), MaxInputs)
	}
	if last := in.list[len(in.list)-1].At; last != at(n-1) {
		t.Errorf("the last input kept is at %s, want %s", last, at(n-1))
	}
	oldest := in.list[0].At
	for _, c := range []struct {
		name string
		user string
		a, b clock.Time
		want bool
	}{
		{"a recent window with an input", "alice", at(n - 3), at(n - 2), true},
		{"a recent window of another user", "bob", at(n - 3), at(n - 2), false},
		{"an empty recent window", "alice", at(n - 1), at(n - 1).Add(time.Hour), false},
		{"a window past the inputs dropped", "bob", at(0), at(1), true},
		{"a window from just after the oldest kept", "bob", oldest, oldest.Add(time.Millisecond), false},
	} {
		if got := in.between(c.user, c.a, c.b); got != c.want {
			t.Errorf("%s: between(%s, %s, %s) = %v, want %v", c.name, c.user, c.a, c.b, got, c.want)
		}
	}
}
