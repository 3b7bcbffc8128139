package clock

import (
	"slices"
	"testing"
	"time"
)

// refQueue is the firing order written the plainest way: a slice kept
// sorted by (time, scheduling sequence).
type refQueue struct {
	now Time
	seq uint64
	q   []refEvent
}

type refEvent struct {
	at  Time
	seq uint64
	id  int32
}

func (r *refQueue) schedule(at Time, id int32) {
	at = max(at, r.now)
	r.seq++
	e := refEvent{at, r.seq, id}
	i, _ := slices.BinarySearchFunc(r.q, e, func(a, b refEvent) int {
		if a.at != b.at {
			return compareTime(a.at, b.at)
		}
		return compareSeq(a.seq, b.seq)
	})
	r.q = slices.Insert(r.q, i, e)
}

func compareTime(a, b Time) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func compareSeq(a, b uint64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func (r *refQueue) cancel(id int32) bool {
	i := slices.IndexFunc(r.q, func(e refEvent) bool { return e.id == id })
	if i < 0 {
		return false
	}
	r.q = slices.Delete(r.q, i, i+1)
	return true
}

// step fires the first event if it is due by limit, and says which.
func (r *refQueue) step(limit Time) (int32, bool) {
	if len(r.q) == 0 || r.q[0].at > limit {
		return 0, false
	}
	e := r.q[0]
	r.q = r.q[1:]
	r.now = e.at
	return e.id, true
}

// fuzzIDs records what the clock fires, by the event's A.
type fuzzIDs struct{ got []int32 }

func (f *fuzzIDs) Fire(_ Time, ev Event) { f.got = append(f.got, ev.A) }

// fuzzDelay turns two bytes into how far ahead of now an event or a limit
// lies, across every part of the queue: now itself, within the current
// bucket, the ring, just past it, days ahead and the last day a clock
// names.
func fuzzDelay(kind, n byte) time.Duration {
	u := time.Duration(n)
	switch kind % 8 {
	case 0:
		return 0
	case 1:
		return u // nanoseconds: ties and the current bucket
	case 2:
		return u * 10 * time.Millisecond
	case 3:
		return u * 17 * time.Second // across the ring
	case 4:
		return time.Duration(ringSize-2+int(n%4)) << bucketShift // the ring's edge
	case 5:
		return u * 3 * time.Hour // the far heap
	case 6:
		return time.Duration(MaxDay-1)*24*time.Hour - u*time.Second
	}
	return u * time.Minute
}

// fuzzEnd is the last instant a fuzzed time reaches: the end of day MaxDay.
const fuzzEnd = Time(int64(MaxDay) * int64(24*time.Hour))

// fuzzAt is delay after now, up to fuzzEnd.
func fuzzAt(now Time, kind, n byte) Time { return min(now.Add(fuzzDelay(kind, n)), fuzzEnd) }

// FuzzQueueMatchesReference drives the clock and the sorted-slice reference
// with the same schedule, cancel, step, run, next, when and pending
// operations, and fails at the first answer they disagree on.
func FuzzQueueMatchesReference(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 3, 0, 0})
	f.Add([]byte{0, 3, 9, 0, 3, 9, 0, 1, 1, 1, 0, 0, 2, 1, 0, 3, 7, 7})
	f.Add([]byte{0, 5, 200, 0, 6, 1, 0, 4, 2, 4, 6, 255, 5, 0, 0, 3, 5, 255})
	// enough cancellations in the current bucket, the ring and the far heap, behind
	// a timer due now, to make the queue compact itself, between steps
	churn := []byte{0, 0, 0}
	for i := range 3000 {
		churn = append(churn, 0, byte(1+2*(i%3)), byte(i), 3, byte((i+1)>>8), byte(i+1))
		if i%2000 == 1999 {
			churn = append(churn, 4, 3, 40, 7, 0, 0)
		}
	}
	f.Add(churn)
	// a crowd at one instant in a ring bucket, behind a current event
	crowd := []byte{0, 2, 1}
	for range 40 {
		crowd = append(crowd, 0, 3, 10)
	}
	f.Add(append(crowd, 3, 0, 7, 5, 7, 255))
	f.Fuzz(func(t *testing.T, ops []byte) {
		c, ref, fired := New(), &refQueue{}, &fuzzIDs{}
		var timers []Timer
		for len(ops) >= 3 {
			op, a, b := ops[0], ops[1], ops[2]
			ops = ops[3:]
			switch op % 8 {
			case 0, 1, 2: // schedule, the commonest
				id := int32(len(timers))
				at := fuzzAt(c.Now(), a, b)
				timers = append(timers, c.Schedule(at, fired, Event{A: id}))
				ref.schedule(at, id)
			case 3: // cancel any timer ever made, fired or not
				if len(timers) == 0 {
					continue
				}
				id := int32((int(a)<<8 | int(b)) % len(timers))
				if got, want := c.Cancel(timers[id]), ref.cancel(id); got != want {
					t.Fatalf("Cancel(timer %d) = %v, the reference says %v", id, got, want)
				}
			case 4: // step once
				limit := fuzzAt(c.Now(), a, b)
				n := len(fired.got)
				got := c.Step(limit)
				id, want := ref.step(limit)
				if got != want {
					t.Fatalf("Step(%s) = %v, the reference says %v", limit, got, want)
				}
				if got && fired.got[n] != id {
					t.Fatalf("Step fired timer %d, the reference timer %d", fired.got[n], id)
				}
			case 5: // run until a limit
				limit := fuzzAt(c.Now(), a, b)
				n := len(fired.got)
				if err := c.RunUntil(limit); err != nil {
					t.Fatal(err)
				}
				for i := n; i < len(fired.got); i++ {
					id, ok := ref.step(limit)
					if !ok || id != fired.got[i] {
						t.Fatalf("RunUntil(%s) fired timer %d as its %d-th, the reference %d (%v)", limit, fired.got[i], i-n+1, id, ok)
					}
				}
				if id, ok := ref.step(limit); ok {
					t.Fatalf("RunUntil(%s) left timer %d due", limit, id)
				}
				ref.now = limit
			case 6: // when and next
				if len(timers) > 0 {
					id := int32(int(a) % len(timers))
					at, ok := c.When(timers[id])
					i := slices.IndexFunc(ref.q, func(e refEvent) bool { return e.id == id })
					if ok != (i >= 0) || ok && at != ref.q[i].at {
						t.Fatalf("When(timer %d) = %s, %v; the reference has it at index %d", id, at, ok, i)
					}
				}
				next, ok := c.Next()
				if ok != (len(ref.q) > 0) || ok && next != ref.q[0].at {
					t.Fatalf("Next() = %s, %v with %d events in the reference", next, ok, len(ref.q))
				}
			case 7: // the whole pending list, in order
				p := c.Pending()
				if len(p) != len(ref.q) || c.Len() != len(ref.q) {
					t.Fatalf("Pending lists %d, Len says %d, the reference holds %d", len(p), c.Len(), len(ref.q))
				}
				for i, e := range ref.q {
					if p[i].Event.A != e.id || p[i].At != e.at {
						t.Fatalf("pending #%d is timer %d at %s, the reference timer %d at %s", i, p[i].Event.A, p[i].At, e.id, e.at)
					}
				}
			}
			if c.Len() != len(ref.q) {
				t.Fatalf("Len %d, the reference holds %d", c.Len(), len(ref.q))
			}
			if held := c.cal.nodes(); held > 2*c.live+compactAbove+1 {
				t.Fatalf("the queue holds %d nodes for %d live events", held, c.live)
			}
		}
		// and the rest fires in the reference's order
		n := len(fired.got)
		if err := c.RunUntil(fuzzEnd); err != nil {
			t.Fatal(err)
		}
		if got := fired.got[n:]; len(got) != len(ref.q) {
			t.Fatalf("at the end %d timers fired, the reference holds %d", len(got), len(ref.q))
		}
		for i, e := range ref.q {
			if fired.got[n+i] != e.id {
				t.Fatalf("at the end timer %d fired as the %d-th, the reference fires %d", fired.got[n+i], i+1, e.id)
			}
		}
	})
}
