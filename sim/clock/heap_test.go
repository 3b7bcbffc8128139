package clock

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// order records what fired, by the event's A.
type order struct{ got []int32 }

func (o *order) Fire(_ Time, ev Event) { o.got = append(o.got, ev.A) }

// Many timers at colliding times, a third cancelled from anywhere in the
// queue, fire in (time, scheduling) order, as a plain sort says they must.
func TestQueueOrderMatchesASort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	c, o := New(), &order{}
	type planned struct {
		at  Time
		seq int32
	}
	var want []planned
	var timers []Timer
	for i := int32(0); i < 5000; i++ {
		at := Time(time.Duration(rnd.IntN(300)) * time.Second) // many ties
		timers = append(timers, c.Schedule(at, o, Event{A: i}))
		want = append(want, planned{at, i})
	}
	cancelled := map[int32]bool{}
	for range 1700 {
		i := int32(rnd.IntN(len(timers)))
		if c.Cancel(timers[i]) == cancelled[i] {
			t.Fatalf("cancelling timer %d again: Cancel should say it was pending only the first time", i)
		}
		cancelled[i] = true
	}
	want = slices.DeleteFunc(want, func(p planned) bool { return cancelled[p.seq] })
	slices.SortStableFunc(want, func(a, b planned) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return int(a.seq - b.seq)
	})
	if err := c.RunUntil(At(1, 1, 0)); err != nil {
		t.Fatal(err)
	}
	if len(o.got) != len(want) {
		t.Fatalf("%d events fired, want %d", len(o.got), len(want))
	}
	for i, p := range want {
		if o.got[i] != p.seq {
			t.Fatalf("event %d fired #%d, want #%d (at %s)", i, o.got[i], p.seq, p.at)
		}
	}
}

// A timer rescheduled on every input (an idle timer) leaves cancelled
// nodes behind where the queue cancels lazily (the current bucket, the far
// heap); the queue keeps them only up to as many as live ones plus a fixed
// slack, and Len counts the live ones. The table reschedules into each
// part of the queue.
func TestCancelledTimersAreCapped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ahead time.Duration
	}{
		{"current bucket", 100 * time.Millisecond},
		{"ring", time.Hour},
		{"far heap", 5 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, o := New(), &order{}
			c.After(time.Millisecond, o, Event{A: -1}) // first, so the cancelled ones are not
			var tm Timer
			for i := range 200_000 {
				c.Cancel(tm)
				tm = c.After(tc.ahead, o, Event{A: int32(i)})
				if held := c.cal.nodes(); held > 2*c.live+compactAbove+1 {
					t.Fatalf("after %d reschedules the queue holds %d nodes for %d live timers", i+1, held, c.live)
				}
			}
			if c.Len() != 2 {
				t.Fatalf("Len %d after rescheduling one timer beside another, want 2", c.Len())
			}
			if err := c.Advance(2 * tc.ahead); err != nil {
				t.Fatal(err)
			}
			if len(o.got) != 2 || o.got[0] != -1 || o.got[1] != 199_999 {
				t.Fatalf("fired %v, want the first and the last rescheduled timer", o.got)
			}
		})
	}
}
