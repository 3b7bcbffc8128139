package graph

import "sync"

// ring keeps the last size values added, numbered from 0 in the order
// they came; the oldest fall out. Safe for concurrent use.
type ring[T any] struct {
	seq  func(*T, uint64) // writes a value's number into it as it is read
	mu   sync.Mutex
	buf  []T
	next uint64 // number of the next value
	size int
}

// add keeps v. Its number is written in when it is read, so that v is
// not handed to a function here and stays off the heap.
func (r *ring[T]) add(v T) {
	r.mu.Lock()
	if len(r.buf) < r.size {
		r.buf = append(r.buf, v)
	} else {
		r.buf[r.next%uint64(r.size)] = v
	}
	r.next++
	r.mu.Unlock()
}

// page returns at most max kept values numbered seq or later, oldest first
// (every kept one when max ≤ 0); next is the number to ask for next time,
// and dropped how many numbered seq or later fell out before they could be
// read.
func (r *ring[T]) page(seq uint64, max int) (list []T, next, dropped uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	oldest := r.next - uint64(len(r.buf))
	start := seq
	if start < oldest {
		start, dropped = oldest, oldest-seq
	}
	if start > r.next {
		start = r.next
	}
	end := r.next
	if max > 0 && end-start > uint64(max) {
		end = start + uint64(max)
	}
	list = make([]T, 0, end-start)
	for s := start; s < end; s++ {
		list = append(list, r.buf[s%uint64(r.size)])
		r.seq(&list[len(list)-1], s)
	}
	return list, end, dropped
}

// total is how many values were added (kept or not); lost how many fell out.
func (r *ring[T]) counts() (total, lost uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.next, r.next - uint64(len(r.buf))
}

func (r *ring[T]) reset() {
	r.mu.Lock()
	r.buf, r.next = nil, 0
	r.mu.Unlock()
}
