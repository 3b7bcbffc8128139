package graph_test

import (
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/graph"
)

// RequestsSince reads only what is new, and past the journal's cap skips
// what was dropped, oldest first.
func TestRequestsSince(t *testing.T) {
	w, ids := world(t, 1, "alice")
	l := w.GraphFaults()
	l.Watch()
	g := w.Graph("pbx")
	var got []graph.Request
	collect := func(r graph.Request) { got = append(got, r) }
	n := l.RequestsSince(0, collect)
	if n != 0 || len(got) != 0 {
		t.Fatalf("an empty journal gave %d requests, count %d", len(got), n)
	}
	for i := 0; i < graph.MaxJournal+10; i++ {
		if i == 3 {
			n = l.RequestsSince(n, collect)
			if n != 3 || len(got) != 3 {
				t.Fatalf("after 3 requests: count %d, read %d", n, len(got))
			}
		}
		_ = g.SetPresence(ids[0], busy, time.Duration(5+i%2)*time.Minute)
		if err := w.Clock.Advance(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	got = got[:0]
	n = l.RequestsSince(n, collect)
	if n != graph.MaxJournal+10 || len(got) != graph.MaxJournal {
		t.Fatalf("count %d and %d read; want %d and the %d kept", n, len(got), graph.MaxJournal+10, graph.MaxJournal)
	}
	for i := 1; i < len(got); i++ {
		if got[i].At < got[i-1].At {
			t.Fatalf("request %d at %s before request %d at %s", i, got[i].At, i-1, got[i-1].At)
		}
	}
	if last := l.Requests("pbx"); last[len(last)-1] != got[len(got)-1] {
		t.Fatalf("the newest read %+v is not the journal's newest %+v", got[len(got)-1], last[len(last)-1])
	}
}
