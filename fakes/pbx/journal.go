package pbx

import (
	"sync"
)

// DefaultJournalSize is how many events the handler keeps for replay.
const DefaultJournalSize = 10000

// journal keeps the recent events in a ring and wakes waiting readers. It
// has its own lock: the PBX appends with the world locked, readers never
// take the world.
type journal struct {
	mu      sync.Mutex
	ring    []Event // at most size events; the oldest at start once full
	start   int
	size    int
	last    uint64
	dropped uint64 // events pushed out to make room
	changed chan struct{}
}

func newJournal(size int) *journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &journal{size: size, changed: make(chan struct{})}
}

func (j *journal) add(e Event) {
	j.mu.Lock()
	j.last++
	e.ID = j.last
	if len(j.ring) < j.size {
		j.ring = append(j.ring, e)
	} else {
		j.ring[j.start] = e
		j.start = (j.start + 1) % j.size
		j.dropped++
	}
	close(j.changed)
	j.changed = make(chan struct{})
	j.mu.Unlock()
}

// page is one read of the journal.
type page struct {
	events  []Event
	changed <-chan struct{} // closed on the next event after the read
	last    uint64          // the last id given out
	missed  uint64          // events after the reader's id the journal no longer keeps
	more    bool            // kept events follow the page
}

// read returns up to max events after id (all of them when max <= 0). An
// id at or beyond the last gives an empty page: callers that take ids from
// clients check them against the last id first.
func (j *journal) read(id uint64, max int) page {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := page{changed: j.changed, last: j.last}
	if id >= j.last {
		return p
	}
	// ids are consecutive and the ring holds the newest len(ring) of them;
	// id < last keeps every sum below in range
	first := j.last - uint64(len(j.ring)) + 1
	from := id + 1
	if from < first {
		p.missed, from = first-from, first
	}
	n := j.last - from + 1
	if max > 0 && n > uint64(max) {
		n, p.more = uint64(max), true
	}
	p.events = make([]Event, 0, n)
	off := int(from - first)
	for i := range int(n) {
		p.events = append(p.events, j.ring[(j.start+off+i)%len(j.ring)])
	}
	return p
}

func (j *journal) lastID() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.last
}

// droppedCount is how many events were pushed out of the journal.
func (j *journal) droppedCount() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dropped
}
