package clock

import (
	"math/bits"
	"slices"
)

// The queue is a calendar. Virtual time is cut into buckets of
// 2^bucketShift ns (about half a second); most events of a day fall due
// seconds to minutes after they are scheduled, so most land in the ring of
// ringSize buckets after the current one (about 2.4 hours) and cost a list
// push to schedule and a mark to cancel. Only the current bucket is
// sorted, when it becomes current, and kept sorted as events are scheduled
// into it; events due at the instant they are scheduled queue apart in
// order; events beyond the ring wait in a 4-ary heap and move into the
// ring as it turns towards them. The widths are the fastest of those
// BenchmarkQueueMix tried over the workday's spread of delays.
//
// The firing order is each event's unique (time, sequence), so it does not
// depend on which part held an event or on the bucket width.
const (
	bucketShift = 29
	ringSize    = 1 << 14
	ringMask    = ringSize - 1
	ringWords   = ringSize / 64
)

// part says where an event waits.
type part uint8

const (
	inNone part = iota // fired, cancelled or never scheduled
	inNow              // the queue of events due at the time they were scheduled
	inCur              // the current bucket, sorted
	inRing             // a ring bucket's list, unsorted
	inFar              // the far heap
)

type calendar struct {
	// due holds, from dueHead on, the events scheduled for the very time
	// they were scheduled at, in scheduling order: time does not move on
	// before they fire, so appending keeps the order, however many fall
	// due at one instant. It may hold stale nodes; the one at dueHead is
	// live.
	due     []node
	dueHead int
	// cb is the current bucket's number: cur holds every waiting event of
	// a bucket up to cb, the ring those of buckets cb+1 to cb+ringSize-1,
	// the far heap all later ones.
	cb int64
	// cur is in reverse firing order, so the next event is at the end:
	// firing pops it, and an event scheduled for now goes in near the end.
	// It may hold stale nodes; its last one is always live.
	cur []node
	// ring holds each bucket's list head as slot+1 (0: empty), linked
	// through the clock's next. Scheduling pushes onto a list without
	// touching another slot; a cancelled event's slot stays on its list
	// until the calendar turns to the bucket (or compacts), and only then
	// is reused.
	ring     [ringSize]int32
	occupied [ringWords]uint64 // a bit per non-empty ring bucket
	ringLen  int               // slots on the ring's lists, cancelled ones too
	far      []node            // a 4-ary heap; may hold stale nodes
}

func bucketOf(t Time) int64 { return int64(t) >> bucketShift }

// restart moves an empty calendar to the present, so events after a quiet
// spell do not wait in the far heap.
func (k *calendar) restart(now Time) { k.cb = bucketOf(now) }

// first is the next event's node, nil when none waits: the earlier of
// the first due one and the current bucket's.
func (k *calendar) first() *node {
	var n *node
	if len(k.cur) > 0 {
		n = &k.cur[len(k.cur)-1]
	}
	if k.dueHead < len(k.due) {
		if d := &k.due[k.dueHead]; n == nil || d.before(n) {
			return d
		}
	}
	return n
}

// popFirst removes the node first returned.
func (k *calendar) popFirst() {
	if k.dueHead < len(k.due) && (len(k.cur) == 0 || k.due[k.dueHead].before(&k.cur[len(k.cur)-1])) {
		k.popDue()
		return
	}
	k.cur = k.cur[:len(k.cur)-1]
}

func (k *calendar) popDue() {
	k.dueHead++
	if k.dueHead == len(k.due) {
		k.due, k.dueHead = k.due[:0], 0
	}
}

// nodes counts what the calendar holds, live events and cancelled ones not
// yet dropped.
func (k *calendar) nodes() int {
	return len(k.due) - k.dueHead + len(k.cur) + len(k.far) + k.ringLen
}

// insert queues the node of a just-scheduled event: its sequence is the
// highest so far, so in the current bucket it fires after every event due
// at the same time.
func (c *Clock) insert(n node) {
	k := &c.cal
	b := bucketOf(n.at)
	e := &c.slots[n.slot]
	switch {
	case n.at == c.now:
		e.in = inNow
		k.due = push(k.due, n)
		return
	case b <= k.cb:
		e.in = inCur
		lo, hi := 0, len(k.cur)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if k.cur[m].at <= n.at {
				hi = m
			} else {
				lo = m + 1
			}
		}
		k.cur = push(k.cur, node{})
		copy(k.cur[lo+1:], k.cur[lo:])
		k.cur[lo] = n
	case b < k.cb+ringSize:
		c.link(n.slot, b)
	default:
		e.in = inFar
		k.farPush(n)
	}
	if len(k.cur) == 0 {
		c.settle()
	}
}

// link pushes slot s onto ring bucket b's list.
func (c *Clock) link(s int32, b int64) {
	k := &c.cal
	i := b & ringMask
	e := &c.slots[s]
	e.in = inRing
	c.next[s] = k.ring[i]
	k.ring[i] = s + 1
	k.occupied[i>>6] |= 1 << (i & 63)
	k.ringLen++
}

// settle drops stale nodes off the front of the due queue and the end of
// the current bucket, and turns the calendar to the next bucket that holds
// an event when the current one runs empty, so the current bucket's last
// node is the next live event outside the due queue whenever one waits
// (Next and Step read it).
func (c *Clock) settle() {
	k := &c.cal
	for k.dueHead < len(k.due) && c.stale(&k.due[k.dueHead]) {
		k.popDue()
	}
	for {
		for len(k.cur) > 0 && c.stale(&k.cur[len(k.cur)-1]) {
			k.cur = k.cur[:len(k.cur)-1]
		}
		if len(k.cur) > 0 || !c.turn() {
			return
		}
	}
}

// turn makes the next bucket that holds an event current, with the current
// bucket empty, and reports whether there was one.
func (c *Clock) turn() bool {
	k := &c.cal
	var nb int64
	if k.ringLen > 0 {
		nb = k.nextOccupied()
	} else {
		for len(k.far) > 0 && c.stale(&k.far[0]) {
			k.farPop()
		}
		if len(k.far) == 0 {
			return false
		}
		nb = bucketOf(k.far[0].at)
	}
	k.cb = nb
	i := nb & ringMask
	for s := k.ring[i]; s != 0; {
		e := &c.slots[s-1]
		next := c.next[s-1]
		if e.queued {
			e.in = inCur
			k.cur = push(k.cur, node{at: e.at, seq: e.seq, slot: s - 1, gen: e.gen})
		} else {
			c.release(s - 1)
		}
		k.ringLen--
		s = next
	}
	k.ring[i] = 0
	k.occupied[i>>6] &^= 1 << (i & 63)
	// the ring now reaches further: bring the far events it covers
	for len(k.far) > 0 && bucketOf(k.far[0].at) < nb+ringSize {
		n := k.far[0]
		k.farPop()
		switch {
		case c.stale(&n):
		case bucketOf(n.at) == nb:
			c.slots[n.slot].in = inCur
			k.cur = push(k.cur, n)
		default:
			c.link(n.slot, bucketOf(n.at))
		}
	}
	sortCur(k.cur)
	return true
}

// sortCur puts a bucket's nodes in reverse firing order: by insertion
// where buckets are small, as most are, which inlines the comparison.
func sortCur(ns []node) {
	if len(ns) > 32 {
		slices.SortFunc(ns, firesLater)
		return
	}
	for i := 1; i < len(ns); i++ {
		n, j := ns[i], i
		for ; j > 0 && ns[j-1].before(&n); j-- {
			ns[j] = ns[j-1]
		}
		ns[j] = n
	}
}

// firesLater orders nodes in reverse firing order.
func firesLater(a, b node) int {
	switch {
	case a.at != b.at:
		if a.at > b.at {
			return -1
		}
		return 1
	case a.seq > b.seq:
		return -1
	case a.seq < b.seq:
		return 1
	}
	return 0
}

// nextOccupied is the number of the first non-empty ring bucket after the
// current one; the ring must hold an event.
func (k *calendar) nextOccupied() int64 {
	st := int((k.cb + 1) & ringMask)
	w := st >> 6
	word := k.occupied[w] &^ (1<<(st&63) - 1)
	for range ringWords + 1 {
		if word != 0 {
			i := w<<6 + bits.TrailingZeros64(word)
			return k.cb + 1 + int64((i-st)&ringMask)
		}
		w = (w + 1) % ringWords
		word = k.occupied[w]
	}
	panic("clock: ring count says an event waits, but no bucket holds one")
}

// compact drops the cancelled events of every part, so they take memory
// only in proportion to the live ones.
func (c *Clock) compact() {
	k := &c.cal
	for w, word := range k.occupied {
		for word != 0 {
			i := w<<6 + bits.TrailingZeros64(word)
			word &= word - 1
			link := &k.ring[i]
			for *link != 0 {
				s := *link - 1
				e := &c.slots[s]
				if e.queued {
					link = &c.next[s]
					continue
				}
				*link = c.next[s]
				k.ringLen--
				c.release(s)
			}
			if k.ring[i] == 0 {
				k.occupied[w] &^= 1 << (i & 63)
			}
		}
	}
	keep := func(ns []node) []node {
		kept := ns[:0]
		for _, n := range ns {
			if !c.stale(&n) {
				kept = append(kept, n)
			}
		}
		clear(ns[len(kept):])
		return kept
	}
	n := copy(k.due, k.due[k.dueHead:])
	clear(k.due[n:])
	k.due, k.dueHead = keep(k.due[:n]), 0 // filtering keeps the order
	k.cur = keep(k.cur)
	k.far = keep(k.far)
	k.farHeapify()
}

// push appends n, doubling the capacity when full: the queue's slices grow
// to the size of a day's live events, and doubling copies less on the way
// than append's gentler growth of large slices.
func push[T any](s []T, n T) []T {
	if len(s) == cap(s) {
		s = slices.Grow(s, max(len(s), 64))
	}
	return append(s, n)
}
