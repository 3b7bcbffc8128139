package eventually

import (
	"testing"
	"time"
)

// Bound ends a wait for a condition that never comes.
const Bound = 10 * time.Second

// True polls cond until it holds and fails the test with the state cond
// describes when Bound passes first.
func True(t testing.TB, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(Bound)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still not so after %s: %s", Bound, state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
