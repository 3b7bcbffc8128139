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
	at   Time
	seq  uint64
	h    Handler
	ev   Event
	gen  uint32
	heap int32 // position in the heap, -1 when free
}

// ErrBackwards is returned when asked to move time to an earlier point.
var ErrBackwards = errors.New("time cannot move backwards")

// Clock is the virtual clock and its event queue. It is not safe for
// concurrent use: a world is single-threaded by design.
type Clock struct {
	now   Time
	seq   uint64
	slots []entry
	free  []int32
	heap  []int32
	fired uint64
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
		c.slots = append(c.slots, entry{})
		s = int32(len(c.slots) - 1)
	}
	e := &c.slots[s]
	c.seq++
	e.gen++
	if e.gen == 0 {
		e.gen = 1
	}
	e.at, e.seq, e.h, e.ev = at, c.seq, h, ev
	e.heap = int32(len(c.heap))
	c.heap = append(c.heap, s)
	c.up(int(e.heap))
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
	c.remove(int(c.slots[t.slot].heap))
	return true
}

func (c *Clock) pending(t Timer) bool {
	if t.gen == 0 || int(t.slot) >= len(c.slots) {
		return false
	}
	e := &c.slots[t.slot]
	return e.gen == t.gen && e.heap >= 0
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
	idx := append([]int32(nil), c.heap...)
	out := make([]PendingTimer, 0, len(idx))
	// selection by repeated minimum keeps the heap untouched; the list is short
	// where it is printed (explanations), so O(n²) is fine.
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
func (c *Clock) Len() int { return len(c.heap) }

// Next returns when the next event is due.
func (c *Clock) Next() (Time, bool) {
	if len(c.heap) == 0 {
		return 0, false
	}
	return c.slots[c.heap[0]].at, true
}

// Step fires the single next event if it is due at or before limit.
func (c *Clock) Step(limit Time) bool {
	if len(c.heap) == 0 {
		return false
	}
	s := c.heap[0]
	e := &c.slots[s]
	if e.at > limit {
		return false
	}
	h, ev, at := e.h, e.ev, e.at
	c.remove(0)
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

func (c *Clock) swap(i, j int) {
	c.heap[i], c.heap[j] = c.heap[j], c.heap[i]
	c.slots[c.heap[i]].heap = int32(i)
	c.slots[c.heap[j]].heap = int32(j)
}

func (c *Clock) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !c.less(c.heap[i], c.heap[p]) {
			return
		}
		c.swap(i, p)
		i = p
	}
}

func (c *Clock) down(i int) {
	n := len(c.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && c.less(c.heap[r], c.heap[l]) {
			m = r
		}
		if !c.less(c.heap[m], c.heap[i]) {
			return
		}
		c.swap(i, m)
		i = m
	}
}

func (c *Clock) remove(i int) {
	s := c.heap[i]
	last := len(c.heap) - 1
	if i != last {
		c.swap(i, last)
	}
	c.heap = c.heap[:last]
	if i != last {
		c.down(i)
		c.up(i)
	}
	e := &c.slots[s]
	e.heap = -1
	e.h = nil
	c.free = append(c.free, s)
}
