package graph_test

import (
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
)

// FuzzLayerSettings feeds the layer any fault, limit and notification
// setting: it refuses what does not check, and whatever it takes it serves
// without a panic, and every delay it schedules ends.
func FuzzLayerSettings(f *testing.F) {
	f.Add(1.0, 503, 5, 0.0, int64(0), 10, int64(30e9), int64(0), true, false, 1, 0.0)
	f.Add(0.5, 429, 0, 1.0, int64(2e9), 1, int64(1e9), int64(30e9), false, true, 0, 0.5)
	f.Add(-1.0, 404, -3, 2.0, int64(-1), -5, int64(-1), int64(-1), true, true, -1, 7.0)
	f.Fuzz(func(t *testing.T, rate float64, status, retryAfter int, latRate float64, lat int64, limit int, window, delay int64, reverse, dup bool, drop int, loss float64) {
		w, ids := world(t, 3, "alice")
		l := w.GraphFaults()
		l.Watch()
		_ = l.SetFaults(graph.Faults{ErrorRate: rate, Statuses: []int{status}, RetryAfter: retryAfter, LatencyRate: latRate, Latency: time.Duration(lat)})
		l.SetThrottle(graph.Throttle{Limit: limit, Window: time.Duration(window)})
		_ = l.SetNotifyFaults(ids[0], graph.NotifyFaults{Delay: time.Duration(delay), Reverse: reverse, Duplicate: dup, DropNext: drop, LossRate: loss})
		g := w.Graph("pbx")
		if _, err := g.Subscribe(ids, &recorder2{w: w}); err != nil {
			if _, ok := err.(*graph.Error); !ok {
				t.Fatalf("subscribe: %v is no *graph.Error", err)
			}
		}
		for i := 0; i < 8; i++ {
			if err := g.SetPresence(ids[0], []presence.Presence{busy, away}[i%2], 5*time.Minute); err != nil {
				if _, ok := err.(*graph.Error); !ok {
					t.Fatalf("setPresence: %v is no *graph.Error", err)
				}
			}
		}
		if err := w.Clock.Advance(3 * time.Hour); err != nil {
			t.Fatal(err)
		}
		if n := len(l.Requests("")); n > graph.MaxJournal {
			t.Fatalf("the journal holds %d requests, over its cap %d", n, graph.MaxJournal)
		}
	})
}
