package main

import (
	"testing"

	"github.com/presencesim/presencesim/internal/eventually"
)

// waitBound ends a wait for a condition that never comes.
const waitBound = eventually.Bound

// waitFor polls cond until it holds (see eventually.True).
func waitFor(t *testing.T, cond func() (bool, string)) { t.Helper(); eventually.True(t, cond) }
