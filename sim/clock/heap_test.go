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

// The calendar's edges, each driven beside the sorted-list reference: the
// order fired must be the reference's, whichever part held an event.
func TestCalendarEdgesFireInOrder(t *testing.T) {
	bucket := time.Duration(1) << bucketShift
	ringEdge := time.Duration(ringSize-1) << bucketShift
	tests := []struct {
		name   string
		script func(q *pairQueue)
	}{
		{"a crowded bucket, with ties", func(q *pairQueue) {
			rnd := rand.New(rand.NewPCG(3, 4))
			q.after(time.Second) // current, so the crowd waits in the ring
			for range 200 {
				q.after(time.Minute + time.Duration(rnd.IntN(40))*bucket/40)
			}
		}},
		{"either side of the ring's edge", func(q *pairQueue) {
			for _, d := range []time.Duration{ringEdge + bucket, ringEdge - 1, ringEdge, ringEdge + 1, ringEdge - bucket, ringEdge} {
				q.after(d)
			}
		}},
		{"the same instant scheduled far, then near", func(q *pairQueue) {
			at := At(3, 9, 0)
			q.at(at)
			q.run(at.Add(-time.Hour))
			q.at(at)
			q.after(time.Hour - 1)
		}},
		{"due now beside the current bucket", func(q *pairQueue) {
			q.after(time.Nanosecond)
			q.after(0)
			q.after(time.Nanosecond)
			q.after(0)
			q.step()
			q.after(0)
		}},
		{"scheduled behind a calendar Next turned ahead", func(q *pairQueue) {
			q.after(time.Hour)
			q.next()
			q.run(At(1, 0, 10))
			q.after(time.Minute)
			q.after(0)
		}},
		{"after a quiet spell", func(q *pairQueue) {
			q.after(time.Minute)
			q.run(At(3, 0, 0))
			q.after(time.Minute)
			q.after(ringEdge)
		}},
		{"the last day", func(q *pairQueue) {
			last := At(MaxDay, 23, 59)
			q.at(last)
			q.after(time.Hour)
			q.at(last)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &pairQueue{t: t, c: New(), ref: &refQueue{}, fired: &fuzzIDs{}}
			tc.script(q)
			q.run(fuzzEnd)
			if len(q.fired.got) != q.n {
				t.Fatalf("%d of %d events fired", len(q.fired.got), q.n)
			}
		})
	}
}

// pairQueue drives a clock and the reference alike and compares what
// fires.
type pairQueue struct {
	t     *testing.T
	c     *Clock
	ref   *refQueue
	fired *fuzzIDs
	n     int
}

func (q *pairQueue) at(at Time) {
	q.c.Schedule(at, q.fired, Event{A: int32(q.n)})
	q.ref.schedule(at, int32(q.n))
	q.n++
}

func (q *pairQueue) after(d time.Duration) { q.at(q.c.Now().Add(d)) }

func (q *pairQueue) step() {
	q.t.Helper()
	n := len(q.fired.got)
	got := q.c.Step(q.c.Now())
	id, want := q.ref.step(q.ref.now)
	if got != want || got && q.fired.got[n] != id {
		q.t.Fatalf("Step fired %v (%v), the reference timer %d (%v)", q.fired.got[n:], got, id, want)
	}
}

func (q *pairQueue) next() {
	q.t.Helper()
	at, ok := q.c.Next()
	if ok != (len(q.ref.q) > 0) || ok && at != q.ref.q[0].at {
		q.t.Fatalf("Next() = %s, %v; the reference holds %d events", at, ok, len(q.ref.q))
	}
}

func (q *pairQueue) run(limit Time) {
	q.t.Helper()
	n := len(q.fired.got)
	if err := q.c.RunUntil(limit); err != nil {
		q.t.Fatal(err)
	}
	for i, got := range q.fired.got[n:] {
		if id, ok := q.ref.step(limit); !ok || id != got {
			q.t.Fatalf("by %s timer %d fired as the %d-th, the reference's is %d (%v)", limit, got, i+1, id, ok)
		}
	}
	if id, ok := q.ref.step(limit); ok {
		q.t.Fatalf("by %s timer %d should have fired", limit, id)
	}
	q.ref.now = limit
}
