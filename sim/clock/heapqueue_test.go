package clock

// The clock's queue as it was before the calendar: one 4-ary heap of every
// event, cancelled ones left stale in it. It is kept here as the baseline
// BenchmarkQueueMix measures the calendar against.

import (
	"fmt"
	"time"
)

const heapArity = 4

type heapEntry struct {
	at  Time
	seq uint64
	h   Handler
	ev  Event
	gen uint32
	// queued is true from Schedule until the event fires or is cancelled.
	queued bool
}

// heapClock is the virtual clock and its event queue. It is not safe for
// concurrent use: a world is single-threaded by design.
type heapClock struct {
	now   Time
	seq   uint64
	slots []heapEntry
	free  []int32
	heap  []node
	live  int // the heap's nodes that are not stale
	fired uint64
	// afterFire, when set, runs after every fired event; the invariant
	// checker uses it to look at the world between any two events.
	afterFire func(now Time, ev Event)
}

// SetAfterFire installs fn to run after every fired event (nil removes it).
// A clock has one such callback; it must not fire events itself.
func (c *heapClock) SetAfterFire(fn func(now Time, ev Event)) { c.afterFire = fn }

// New returns a clock at time zero.
func newHeapClock() *heapClock { return &heapClock{} }

// Now is the current virtual time.
func (c *heapClock) Now() Time { return c.now }

// Fired counts the events that have fired so far.
func (c *heapClock) Fired() uint64 { return c.fired }

// Schedule queues ev for h at time at (at least now).
func (c *heapClock) Schedule(at Time, h Handler, ev Event) Timer {
	if at < c.now {
		at = c.now
	}
	var s int32
	if n := len(c.free); n > 0 {
		s = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		c.slots = append(c.slots, heapEntry{})
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
	c.live++
	c.heap = append(c.heap, node{at: at, seq: c.seq, slot: s, gen: e.gen})
	c.up(len(c.heap) - 1)
	return Timer{slot: s, gen: e.gen}
}

// After queues ev for h after d.
func (c *heapClock) After(d time.Duration, h Handler, ev Event) Timer {
	return c.Schedule(c.now.Add(d), h, ev)
}

// Cancel removes a pending timer. It reports whether the timer was pending.
func (c *heapClock) Cancel(t Timer) bool {
	if !c.pending(t) {
		return false
	}
	c.release(t.slot)
	c.live--
	c.dropStale()
	if len(c.heap) > 2*c.live+heapCompactAbove {
		c.compact()
	}
	return true
}

func (c *heapClock) pending(t Timer) bool {
	if t.gen == 0 || int(t.slot) >= len(c.slots) {
		return false
	}
	e := &c.slots[t.slot]
	return e.gen == t.gen && e.queued
}

// When returns when a pending timer is due.
func (c *heapClock) When(t Timer) (Time, bool) {
	if !c.pending(t) {
		return 0, false
	}
	return c.slots[t.slot].at, true
}

// Pending lists the queued events in firing order.
func (c *heapClock) Pending() []PendingTimer {
	idx := make([]int32, 0, c.live)
	for i := range c.heap {
		if !c.stale(&c.heap[i]) {
			idx = append(idx, c.heap[i].slot)
		}
	}
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
func (c *heapClock) Len() int { return c.live }

// Next returns when the next event is due.
func (c *heapClock) Next() (Time, bool) {
	if len(c.heap) == 0 {
		return 0, false
	}
	return c.heap[0].at, true
}

// Step fires the single next event if it is due at or before limit.
func (c *heapClock) Step(limit Time) bool {
	if len(c.heap) == 0 {
		return false
	}
	if c.heap[0].at > limit {
		return false
	}
	s := c.heap[0].slot
	e := &c.slots[s]
	h, ev, at := e.h, e.ev, e.at
	c.pop()
	c.release(s)
	c.live--
	c.dropStale()
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
func (c *heapClock) RunUntil(t Time) error {
	if t < c.now {
		return fmt.Errorf("%w: it is %s, asked for %s", ErrBackwards, c.now, t)
	}
	for c.Step(t) {
	}
	c.now = t
	return nil
}

// Advance moves time forward by d, firing due events.
func (c *heapClock) Advance(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%w: cannot advance by %s", ErrBackwards, d)
	}
	return c.RunUntil(c.now.Add(d))
}

func (c *heapClock) less(a, b int32) bool {
	ea, eb := &c.slots[a], &c.slots[b]
	if ea.at != eb.at {
		return ea.at < eb.at
	}
	return ea.seq < eb.seq
}

// heapCompactAbove is the slack of stale nodes the heap may hold beyond as
// many as it has live ones before it is rebuilt without them.
const heapCompactAbove = 1024

// stale says whether n is a cancelled event's node.
func (c *heapClock) stale(n *node) bool {
	e := &c.slots[n.slot]
	return !e.queued || e.gen != n.gen
}

// release frees a slot whose event fired or was cancelled.
func (c *heapClock) release(s int32) {
	e := &c.slots[s]
	e.queued = false
	e.h = nil
	c.free = append(c.free, s)
}

// dropStale pops stale nodes off the top, so the top is always a live
// event (Next and Step read it).
func (c *heapClock) dropStale() {
	for len(c.heap) > 0 && c.stale(&c.heap[0]) {
		c.pop()
	}
}

// pop removes the top node.
func (c *heapClock) pop() {
	last := len(c.heap) - 1
	c.heap[0] = c.heap[last]
	c.heap = c.heap[:last]
	if last > 0 {
		c.down(0)
	}
}

// compact rebuilds the heap from its live nodes, so cancelled events take
// memory only in proportion to the live ones. The firing order is by each
// event's unique (time, sequence), not by the heap's shape.
func (c *heapClock) compact() {
	h := c.heap[:0]
	for _, n := range c.heap {
		if !c.stale(&n) {
			h = append(h, n)
		}
	}
	clear(c.heap[len(h):])
	c.heap = h
	for i := (len(h) - 2) / heapArity; i >= 0; i-- {
		c.down(i)
	}
}

// up moves the node at i towards the root while it fires before its
// parent, shifting parents down into the hole rather than swapping.
func (c *heapClock) up(i int) {
	h := c.heap
	n := h[i]
	for i > 0 {
		p := (i - 1) / heapArity
		if !n.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = n
}

// down moves the node at i towards the leaves while a child fires before
// it.
func (c *heapClock) down(i int) {
	h := c.heap
	n := h[i]
	for {
		first := heapArity*i + 1
		if first >= len(h) {
			break
		}
		m := first
		for k, end := first+1, min(first+heapArity, len(h)); k < end; k++ {
			if h[k].before(&h[m]) {
				m = k
			}
		}
		if !h[m].before(&n) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = n
}
