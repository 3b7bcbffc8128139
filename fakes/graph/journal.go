package graph

import (
	"sync"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
)

// Entry is one request in the journal: what a client asked and what the
// fake answered, on the world's clock.
type Entry struct {
	Seq       uint64     `json:"seq"`
	At        clock.Time `json:"-"`
	Time      time.Time  `json:"time"`
	Method    string     `json:"method"`
	Path      string     `json:"path"`
	App       string     `json:"app,omitempty"`    // caller's app display name
	AppID     string     `json:"appId,omitempty"`  // caller's app id
	User      string     `json:"user,omitempty"`   // signed-in user (delegated tokens)
	Target    string     `json:"target,omitempty"` // user the request is about
	Status    int        `json:"status"`
	Fault     string     `json:"fault,omitempty"` // "throttled", "injected 503", "latency 2s"
	RequestID string     `json:"requestId"`
}

// Journal keeps the last requests the fake served, oldest first, in a ring
// so a long served run does not grow without bound.
type Journal struct {
	mu   sync.Mutex
	buf  []Entry
	next uint64
	size int
}

// DefaultJournalSize is how many requests a journal keeps unless told.
const DefaultJournalSize = 100_000

func newJournal(size int) *Journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &Journal{size: size}
}

func (j *Journal) add(e Entry) {
	j.mu.Lock()
	e.Seq = j.next
	j.next++
	if len(j.buf) < j.size {
		j.buf = append(j.buf, e)
	} else {
		j.buf[e.Seq%uint64(j.size)] = e
	}
	j.mu.Unlock()
}

// Entries returns the kept requests, oldest first.
func (j *Journal) Entries() []Entry { return j.Since(0) }

// Since returns the kept requests with Seq ≥ seq, oldest first.
func (j *Journal) Since(seq uint64) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, len(j.buf))
	start := uint64(0)
	if j.next > uint64(len(j.buf)) {
		start = j.next - uint64(len(j.buf))
	}
	if seq > start {
		start = seq
	}
	for s := start; s < j.next; s++ {
		out = append(out, j.buf[s%uint64(j.size)])
	}
	return out
}

// Filter returns the kept requests for which keep is true.
func (j *Journal) Filter(keep func(Entry) bool) []Entry {
	var out []Entry
	for _, e := range j.Entries() {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Len is the number of requests served so far (kept or not).
func (j *Journal) Len() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.next
}

// Reset forgets every request.
func (j *Journal) Reset() {
	j.mu.Lock()
	j.buf, j.next = nil, 0
	j.mu.Unlock()
}
