package pbx

import (
	"math"
	"testing"
)

func TestJournalRead(t *testing.T) {
	j := newJournal(3)
	for range 5 {
		j.add(Event{Type: "line"})
	}
	tests := []struct {
		after, first uint64
		max, n       int
		missed       uint64
		more         bool
	}{
		{after: 0, first: 3, n: 3, missed: 2},
		{after: 1, first: 3, n: 3, missed: 1},
		{after: 2, first: 3, n: 3},
		{after: 3, first: 4, n: 2},
		{after: 4, first: 5, n: 1},
		{after: 5, n: 0},
		{after: 9, n: 0},
		{after: math.MaxUint64, n: 0},
		{after: math.MaxUint64 - 1, n: 0},
		{after: 2, first: 3, max: 2, n: 2, more: true},
		{after: 0, first: 3, max: 1, n: 1, missed: 2, more: true},
		{after: 4, first: 5, max: 1, n: 1},
	}
	for _, tc := range tests {
		p := j.read(tc.after, tc.max)
		if len(p.events) != tc.n || p.last != 5 || p.missed != tc.missed || p.more != tc.more || (tc.n > 0 && p.events[0].ID != tc.first) {
			t.Errorf("read(%d, %d): %v, last %d, missed %d, more %v; want %d from %d, missed %d, more %v",
				tc.after, tc.max, p.events, p.last, p.missed, p.more, tc.n, tc.first, tc.missed, tc.more)
		}
		for i, e := range p.events {
			if e.ID != tc.first+uint64(i) {
				t.Errorf("read(%d, %d): event %d has id %d", tc.after, tc.max, i, e.ID)
			}
		}
	}
	if d := j.droppedCount(); d != 2 {
		t.Errorf("dropped %d, want 2", d)
	}
}

// An empty journal answers nothing for any id, the largest included.
func TestJournalEmpty(t *testing.T) {
	j := newJournal(2)
	for _, id := range []uint64{0, 1, math.MaxUint64} {
		if p := j.read(id, 0); len(p.events) != 0 || p.last != 0 || p.missed != 0 {
			t.Errorf("read(%d) of an empty journal: %+v", id, p)
		}
	}
}
