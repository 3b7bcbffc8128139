package graph_test

import (
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
)

// latencyReader records how long after its change each notification came.
type latencyReader struct{ late []time.Duration }

func (r *latencyReader) Notified(now clock.Time, n graph.Notification) {
	r.late = append(r.late, now.Sub(n.Changed))
}

func TestLatencyBandChecks(t *testing.T) {
	cases := []struct {
		name string
		nf   graph.NotifyFaults
		ok   bool
	}{
		{"Graph's stated band", graph.NotifyFaults{Mean: 10 * time.Second, Max: time.Minute}, true},
		{"average equal to the most", graph.NotifyFaults{Mean: time.Minute, Max: time.Minute}, true},
		{"average above the most", graph.NotifyFaults{Mean: 2 * time.Minute, Max: time.Minute}, false},
		{"most without average", graph.NotifyFaults{Max: time.Minute}, false},
		{"average without most", graph.NotifyFaults{Mean: time.Second}, false},
		{"negative average", graph.NotifyFaults{Mean: -time.Second, Max: time.Minute}, false},
		{"most beyond the cap", graph.NotifyFaults{Mean: time.Second, Max: graph.MaxNotifyDelay + time.Second}, false},
	}
	for _, c := range cases {
		if err := c.nf.Check(); (err == nil) != c.ok {
			t.Errorf("%s (%s on average, %s at most): Check said %v, want accepted %v", c.name, c.nf.Mean, c.nf.Max, err, c.ok)
		}
	}
}

// Within the band every notification comes late, none after Max, and the
// average stays under Mean; the same seed draws the same latencies.
func TestLatencyBandIsSeededAndHeld(t *testing.T) {
	const changes = 200
	band := graph.NotifyFaults{Mean: 10 * time.Second, Max: time.Minute}
	draw := func(seed uint64) []time.Duration {
		w, ids := world(t, seed, "alice")
		var r latencyReader
		if _, err := w.Graph("reader").Subscribe(ids[:1], &r); err != nil {
			t.Fatal(err)
		}
		if err := w.GraphFaults().SetNotifyFaults(ids[0], band); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < changes; i++ {
			p := busy
			if i%2 == 1 {
				p = away
			}
			if err := w.Graph("pbx").SetPresence(ids[0], p, time.Hour); err != nil {
				t.Fatal(err)
			}
			if err := w.Clock.Advance(2 * time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		return r.late
	}
	a, b := draw(3), draw(3)
	if len(a) != changes {
		t.Fatalf("%d changes gave %d notifications", changes, len(a))
	}
	var sum, most time.Duration
	distinct := map[time.Duration]bool{}
	for i, d := range a {
		if d != b[i] {
			t.Fatalf("seed 3 drew latency %s and then %s for notification %d", d, b[i], i)
		}
		if d <= 0 || d > band.Max {
			t.Errorf("notification %d came %s after its change; the band is (0, %s]", i, d, band.Max)
		}
		sum += d
		most = max(most, d)
		distinct[d] = true
	}
	if avg := sum / changes; avg >= band.Mean || len(distinct) < changes/2 {
		t.Errorf("%d notifications came %s late on average (want under %s), %d distinct latencies, the latest %s", changes, avg, band.Mean, len(distinct), most)
	}
}
