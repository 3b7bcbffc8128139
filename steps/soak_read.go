package steps

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/live/soak"
)

func init() { register("a presence reader at tenant scale", 98, registerSoakReader) }

func registerSoakReader(s *Scenario, r *registry) {
	r.free(`^a tenant of (\d+) people and the seed (\d+)$`, "a tenant of 1000 people and the seed 3", s.soakTenant)
	r.free(`^the reference Nimbus reader(?: with the fault ([a-z-]+))? follows the day from (\d\d:\d\d) to (\d\d:\d\d) in steps of (.+)$`,
		"the reference Nimbus reader follows the day from 09:00 to 09:30 in steps of 1 second", s.soakRead)
	r.free(`^no Teams change goes unseen by the reader$`, "no Teams change goes unseen by the reader", s.soakAllSeen)
	r.free(`^the reader's view never goes back to an older presence$`, "the reader's view never goes back to an older presence", s.soakNeverBack)
	r.free(`^every Teams change reaches the reader's view within (.+) at (p50|p95|p99|the most)$`, "every Teams change reaches the reader's view within 11 seconds at the most", s.soakSeenWithin)
}

func (s *Scenario) soakRead(fault, from, to, step string) error {
	return s.soakDay("nimbus", `give the tenant first, e.g. "Given a tenant of 1000 people and the seed 3"`, fault, from, to, step)
}

func (s *Scenario) soakAllSeen() error {
	r, err := s.soakResult()
	if err != nil {
		return err
	}
	var bad []string
	for _, f := range r.Staleness {
		if f.Never > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d of %d never", f.Kind, f.Never, f.Changes))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("expected the reader to see every Teams change by the end of the day (C-12); derived: %s\n%s", strings.Join(bad, "; "), soakTable(r))
	}
	return nil
}

func (s *Scenario) soakNeverBack() error {
	r, err := s.soakResult()
	if err != nil {
		return err
	}
	if r.Wrong > 0 {
		return fmt.Errorf("expected no view older than one the reader had already shown (C-8); derived: %d such views, %d of them leaving the reader wrong\n%s",
			r.Wrong, r.Staleness[soak.WentBack].Changes, soakTable(r))
	}
	return nil
}

func (s *Scenario) soakSeenWithin(bound, at string) error {
	r, err := s.soakResult()
	if err != nil {
		return err
	}
	limit, err := ParseDuration(bound)
	if err != nil {
		return err
	}
	var bad []string
	seen := 0
	for _, f := range r.Staleness[:soak.WentBack] {
		got := map[string]time.Duration{"p50": f.P50, "p95": f.P95, "p99": f.P99, "the most": f.Max}[at]
		seen += f.Carried
		if got > limit {
			bad = append(bad, fmt.Sprintf("%s %s at %s", f.Kind, got, at))
		}
	}
	if seen == 0 {
		return fmt.Errorf("expected Teams changes to reach the reader's view within %s at %s (C-12); derived: none of %d did\n%s", limit, at, r.TeamsChanges, soakTable(r))
	}
	if len(bad) > 0 {
		return fmt.Errorf("expected Teams changes to reach the reader's view within %s at %s (C-12); derived: %s\n%s", limit, at, strings.Join(bad, ", "), soakTable(r))
	}
	return nil
}
