package steps

import (
	"time"

	"github.com/presencesim/presencesim/sim/graph"
)

func init() { register("Graph notification latency", 74, registerGraphBand) }

// Graph's stated notification latency as a band the world's Graph layer
// draws from, seeded, for in-process readers and webhooks alike.
func registerGraphBand(s *Scenario, r *registry) {
	r.step(`^Graph delivers notifications(?: about (\w+))? within (.+), (.+) on average$`, "Graph delivers notifications within 60 seconds, 10 seconds on average", s.gbBand)
	r.step(`^the reader app got the notifications about (\w+) late, within (.+) of their change and under (.+) on average$`, "the reader app got the notifications about alice late, within 60 seconds of their change and under 10 seconds on average", s.gbGotWithin)
}

func (s *Scenario) gbBand(name, most, mean string) error {
	mx, err := ParseDuration(most)
	if err != nil {
		return err
	}
	avg, err := ParseDuration(mean)
	if err != nil {
		return err
	}
	band := func(nf *graph.NotifyFaults) error { nf.Mean, nf.Max = avg, mx; return nil }
	if name != "" {
		return s.gfNotify(name, band)
	}
	l := s.gfLayer()
	nf := l.AllNotifyFaults()
	_ = band(&nf)
	return l.SetAllNotifyFaults(nf)
}

func (s *Scenario) gbGotWithin(name, most, mean string) error {
	mx, err := ParseDuration(most)
	if err != nil {
		return err
	}
	avg, err := ParseDuration(mean)
	if err != nil {
		return err
	}
	id, ns, err := s.gfNotes(name)
	if err != nil {
		return err
	}
	var sum, worst time.Duration
	for _, n := range ns {
		d := n.at.Sub(n.n.Changed)
		sum += d
		worst = max(worst, d)
	}
	return Check(s.gfWhy(id, ns), func(g gomegaG) {
		g.Expect(len(ns)).NotTo(equal(0), "the reader app got no notification about %s", name)
		if len(ns) == 0 {
			return
		}
		got := sum / time.Duration(len(ns))
		g.Expect(worst <= mx).To(equal(true), "the latest of %d notifications about %s reached the reader app %s after its change; expected at most %s", len(ns), name, worst, mx)
		g.Expect(got < avg).To(equal(true), "the %d notifications about %s reached the reader app %s after their change on average; expected under %s", len(ns), name, got, avg)
		g.Expect(got > 0).To(equal(true), "the %d notifications about %s reached the reader app at once, with no latency", len(ns), name)
	})
}
