package clock

import (
	"errors"
	"fmt"
	"time"
)

// Handler receives an event when it falls due. Models implement it once and
// tell their events apart by Op, so scheduling allocates nothing.
type Handler interface {
	Fire(now Time, ev Event)
}

// Event is what a handler gets back when its timer fires. Op, A and B are the
// handler's own; Label names the event for explanations ("desktop idle").
type Event struct {
	Op    int32
	A, B  int32
	Label string
}

// Timer identifies a scheduled event, for Cancel and Pending. The zero Timer
// is never scheduled.
type Timer struct {
	slot int32
	gen  uint32
}

// Valid reports whether t was returned by Schedule (it may have fired since).
func (t Timer) Valid() bool { return t.gen != 0 }

type entry struct {
	at  Time
	seq uint64
	h   Handler
	ev  Event
	gen uint32
	// queued is true from Schedule until the event fires or is cancelled.
	queued bool
	// in says which part of the queue holds the event.
	in part
}

// node is an element of the current bucket or the far heap: the firing
// order's key beside the slot, so ordering reads the queue's own
// contiguous memory, not the slots it points to. A cancelled event's node
// stays behind, stale (its slot no longer queued under gen), until it is
// reached or the queue is compacted.
type node struct {
	at   Time
	seq  uint64
	slot int32
	gen  uint32
}

func (a *node) before(b *node) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// ErrBackwards is returned when asked to move time to an earlier point.
var ErrBackwards = errors.New("time cannot move backwards")

// Clock is the virtual clock and its event queue. It is not safe for
// concurrent use: a world is single-threaded by design.
//
// The queue is a calendar (see calendar.go): the current bucket sorted,
// a ring of unsorted buckets for the next hours, and a heap for
// events beyond it. It fires by (time, scheduling sequence) exactly as a
// single sorted list would.
type Clock struct {
	now   Time
	seq   uint64
	slots []entry
	// next links each slot into its ring bucket's list (as slot+1) while
	// its event waits there. It lies beside slots rather than in them, so
	// walking a list reads one small array and the slots' loads do not
	// wait on each other.
	next  []int32
	free  []int32
	live  int // events scheduled and neither fired nor cancelled
	fired uint64
	cal   calendar
	// afterFire, when set, runs after every fired event; the invariant
	// checker uses it to look at the world between any two events.
	afterFire func(now Time, ev Event)
}

// SetAfterFire installs fn to run after every fired event (nil removes it).
// A clock has one such callback; it must not fire events itself.
func (c *Clock) SetAfterFire(fn func(now Time, ev Event)) { c.afterFire = fn }

// New returns a clock at time zero.
func New() *Clock { return &Clock{} }

// Now is the current virtual time.
func (c *Clock) Now() Time { return c.now }

// Fired counts the events that have fired so far.
func (c *Clock) Fired() uint64 { return c.fired }

// Schedule queues ev for h at time at (at least now).
func (c *Clock) Schedule(at Time, h Handler, ev Event) Timer {
	if at < c.now {
		at = c.now
	}
	var s int32
	if n := len(c.free); n > 0 {
		s = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		c.slots = push(c.slots, entry{})
		c.next = push(c.next, 0)
		s = int32(len(c.slots) - 1)
	}
	e := &c.slots[s]
	c.seq++
	e.gen++
	if e.gen == 0 {
		e.gen = 1
	}
	e.at, e.seq, e.h, e.ev = at, c.seq, h, ev
	e.queued = true
	if c.live == 0 {
		// an empty queue holds no nodes (settle drained them), so the
		// calendar may start over at the present
		c.cal.restart(c.now)
	}
	c.live++
	c.insert(node{at: at, seq: c.seq, slot: s, gen: e.gen})
	return Timer{slot: s, gen: e.gen}
}

// After queues ev for h after d.
func (c *Clock) After(d time.Duration, h Handler, ev Event) Timer {
	return c.Schedule(c.now.Add(d), h, ev)
}

// Cancel removes a pending timer. It reports whether the timer was pending.
func (c *Clock) Cancel(t Timer) bool {
	if !c.pending(t) {
		return false
	}
	if e := &c.slots[t.slot]; e.in == inRing {
		// the slot stays on its bucket's list, not reused, until the
		// calendar turns to the bucket or compacts
		e.queued = false
		e.h = nil
	} else {
		c.release(t.slot)
	}
	c.live--
	c.settle()
	if c.cal.nodes() > 2*c.live+compactAbove {
		c.compact()
	}
	return true
}

func (c *Clock) pending(t Timer) bool {
	if t.gen == 0 || int(t.slot) >= len(c.slots) {
		return false
	}
	e := &c.slots[t.slot]
	return e.gen == t.gen && e.queued
}

// When returns when a pending timer is due.
func (c *Clock) When(t Timer) (Time, bool) {
	if !c.pending(t) {
		return 0, false
	}
	return c.slots[t.slot].at, true
}

// PendingTimer describes a queued event for explanations.
type PendingTimer struct {
	At    Time
	Label string
	Owner Handler
	Event Event
}

// Pending lists the queued events in firing order.
func (c *Clock) Pending() []PendingTimer {
	idx := make([]int32, 0, c.live)
	for i := range c.slots {
		if c.slots[i].queued {
			idx = append(idx, int32(i))
		}
	}
	out := make([]PendingTimer, 0, len(idx))
	// selection by repeated minimum leaves the queue untouched; the list is
	// short where it is printed (explanations), so O(n²) is fine.
	for len(idx) > 0 {
		best := 0
		for i := 1; i < len(idx); i++ {
			if c.less(idx[i], idx[best]) {
				best = i
			}
		}
		e := &c.slots[idx[best]]
		out = append(out, PendingTimer{At: e.at, Label: e.ev.Label, Owner: e.h, Event: e.ev})
		idx[best] = idx[len(idx)-1]
		idx = idx[:len(idx)-1]
	}
	return out
}

// Len is the number of queued events.
func (c *Clock) Len() int { return c.live }

// Next returns when the next event is due.
func (c *Clock) Next() (Time, bool) {
	n := c.cal.first()
	if n == nil {
		return 0, false
	}
	return n.at, true
}

// Step fires the single next event if it is due at or before limit.
func (c *Clock) Step(limit Time) bool {
	n := c.cal.first()
	if n == nil || n.at > limit {
		return false
	}
	s := n.slot
	c.cal.popFirst()
	e := &c.slots[s]
	h, ev, at := e.h, e.ev, e.at
	c.release(s)
	c.live--
	c.settle()
	c.now = at
	c.fired++
	h.Fire(at, ev)
	if c.afterFire != nil {
		c.afterFire(at, ev)
	}
	return true
}

// RunUntil fires every event due at or before t, in (time, sequence) order,
// and leaves the clock at t.
func (c *Clock) RunUntil(t Time) error {
	if t < c.now {
		return fmt.Errorf("%w: it is %s, asked for %s", ErrBackwards, c.now, t)
	}
	for c.Step(t) {
	}
	c.now = t
	return nil
}

// Advance moves time forward by d, firing due events.
func (c *Clock) Advance(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%w: cannot advance by %s", ErrBackwards, d)
	}
	return c.RunUntil(c.now.Add(d))
}

func (c *Clock) less(a, b int32) bool {
	ea, eb := &c.slots[a], &c.slots[b]
	if ea.at != eb.at {
		return ea.at < eb.at
	}
	return ea.seq < eb.seq
}

// compactAbove is the slack of stale nodes the queue may hold beyond as
// many as it has live events before it is rebuilt without them.
const compactAbove = 1024

// stale says whether n is a cancelled event's node.
func (c *Clock) stale(n *node) bool {
	e := &c.slots[n.slot]
	return !e.queued || e.gen != n.gen
}

// release frees a slot whose event fired or was cancelled.
func (c *Clock) release(s int32) {
	e := &c.slots[s]
	e.queued = false
	e.in = inNone
	e.h = nil
	c.free = append(c.free, s)
}
