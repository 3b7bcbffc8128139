package pbx

import "testing"

func TestJournalSince(t *testing.T) {
	j := newJournal(3)
	for i := 0; i < 5; i++ {
		j.add(Event{Type: "line"})
	}
	tests := []struct {
		after uint64
		first uint64
		n     int
	}{{0, 3, 3}, {2, 3, 3}, {3, 4, 2}, {4, 5, 1}, {5, 0, 0}, {9, 0, 0}}
	for _, tc := range tests {
		evs, _, last := j.since(tc.after)
		if len(evs) != tc.n || last != 5 || (tc.n > 0 && evs[0].ID != tc.first) {
			t.Errorf("since(%d): %d events from %v, last %d; want %d from %d", tc.after, len(evs), evs, last, tc.n, tc.first)
		}
	}
}
