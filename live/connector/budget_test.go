package connector

import (
	"testing"
	"time"
)

// TestBudgetKeepsUnderTheLimit: a budget of Graph's limit lets nine in
// ten of the limit go within a window, then says to wait until the
// oldest leaves it.
func TestBudgetKeepsUnderTheLimit(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		limit, room int
	}{{1500, 1350}, {10, 9}, {1, 1}} {
		b := newBudget(c.limit)
		for i := 0; i < c.room; i++ {
			if d := b.take(t0.Add(time.Duration(i)*time.Millisecond), budgetWindow); d != 0 {
				t.Fatalf("limit %d: request %d of %d told to wait %s", c.limit, i+1, c.room, d)
			}
		}
		at := t0.Add(time.Second)
		if d := b.take(at, budgetWindow); d != budgetWindow-time.Second {
			t.Errorf("limit %d: request %d within the window waits %s, want %s (until the first leaves it)", c.limit, c.room+1, d, budgetWindow-time.Second)
		}
		if d := b.take(t0.Add(budgetWindow), budgetWindow); d != 0 {
			t.Errorf("limit %d: once the first request left the window the next still waits %s", c.limit, d)
		}
	}
}
