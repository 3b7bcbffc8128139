package cloudlink

import (
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/pbx"
	p "github.com/presencesim/presencesim/sim/presence"
)

// TestRetriesUnderAFailingGraph checks the waits CloudLink chooses after
// each failure (C-5) and that it writes the true state once Graph answers
// again (C-10).
func TestRetriesUnderAFailingGraph(t *testing.T) {
	s := func(n int) time.Duration { return time.Duration(n) * time.Second }
	cases := []struct {
		name  string
		f     graph.Faults
		waits []time.Duration // the first waits, in order
	}{
		{"503 with Retry-After 5 s: the back-off, never under 5 s", graph.Faults{ErrorRate: 1, Statuses: []int{503}, RetryAfter: 5}, []time.Duration{s(5), s(5), s(8), s(16), s(30), s(30)}},
		{"500: the back-off alone", graph.Faults{ErrorRate: 1, Statuses: []int{500}}, []time.Duration{s(2), s(4), s(8), s(16), s(30), s(30)}},
		{"429 with Retry-After 30 s: the Retry-After, no growth", graph.Faults{ErrorRate: 1, Statuses: []int{429}, RetryAfter: 30}, []time.Duration{s(30), s(30), s(30), s(30)}},
	}
	for _, c := range cases {
		w, m, ids := newWorld(t, "alice")
		if err := w.GraphFaults().SetFaults(c.f); err != nil {
			t.Fatal(err)
		}
		must(t, m.PBX().LineEvent(0, pbx.DeskPhone, pbx.OffHook))
		must(t, w.Clock.Advance(10*time.Minute))
		if _, _, ok := w.Teams.AppSession(ids[0], m.App()); ok {
			t.Errorf("%s: a session was written while Graph failed", c.name)
		}
		if !m.Retrying() {
			t.Errorf("%s: CloudLink does not say it is retrying", c.name)
		}
		rs := m.Retries()
		if len(rs) < len(c.waits) {
			t.Fatalf("%s: %d retries in 10 minutes, want at least %d", c.name, len(rs), len(c.waits))
		}
		for k, want := range c.waits {
			if rs[k].Wait != want {
				t.Errorf("%s: wait %d is %s, want %s (retries %+v)", c.name, k+1, rs[k].Wait, want, rs[:len(c.waits)])
				break
			}
			if k > 0 && rs[k].At.Sub(rs[k-1].At) != rs[k-1].Wait {
				t.Errorf("%s: retry %d came %s after the one before, which chose to wait %s", c.name, k+1, rs[k].At.Sub(rs[k-1].At), rs[k-1].Wait)
			}
		}
		recovered := w.Clock.Now()
		must(t, w.GraphFaults().SetFaults(graph.Faults{}))
		for w.Teams.Presence(ids[0]) != p.Of(p.Busy, p.InACall) {
			if w.Clock.Now().Sub(recovered) > time.Minute {
				t.Fatalf("%s: a minute after Graph recovered Teams shows %s", c.name, w.Teams.Presence(ids[0]))
			}
			must(t, w.Clock.Advance(time.Second))
		}
		if m.Retrying() || len(m.Errors()) != 0 {
			t.Errorf("%s: after recovery retrying %v, errors %v", c.name, m.Retrying(), m.Errors())
		}
	}
}
