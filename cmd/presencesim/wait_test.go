package main

import (
	"testing"
	"time"
)

// waitBound ends a wait for a condition that never comes. It is generous
// because it only matters when a test fails: a loaded machine is slow, not
// wrong.
const waitBound = 10 * time.Second

// waitFor polls cond until it holds and fails the test with the state cond
// describes when waitBound passes first.
func waitFor(t *testing.T, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still not so after %s: %s", waitBound, state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
