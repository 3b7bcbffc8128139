package pbx

import (
	"sync"
)

// DefaultJournalSize is how many events the handler keeps for replay.
const DefaultJournalSize = 10000

// journal keeps the recent events and wakes waiting readers. It has its own
// lock: the PBX appends with the world locked, readers never take the world.
type journal struct {
	mu      sync.Mutex
	events  []Event
	size    int
	last    uint64
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
	j.events = append(j.events, e)
	if n := len(j.events); n > j.size {
		j.events = append(j.events[:0], j.events[n-j.size:]...)
	}
	close(j.changed)
	j.changed = make(chan struct{})
	j.mu.Unlock()
}

// since returns the events after id (those still kept), the channel that is
// closed on the next event, and the last id.
func (j *journal) since(id uint64) ([]Event, <-chan struct{}, uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	// ids are consecutive, so the first event after id sits at a known place
	k := 0
	if n := len(j.events); n > 0 && id >= j.events[0].ID {
		k = int(id - j.events[0].ID + 1)
		if k > n {
			k = n
		}
	}
	var out []Event
	if k < len(j.events) {
		out = append(out, j.events[k:]...)
	}
	return out, j.changed, j.last
}

func (j *journal) lastID() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.last
}
