package steps

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/live/soak"
	"github.com/presencesim/presencesim/sim/clock"
)

func init() { register("a connector at tenant scale", 97, registerSoak) }

// soakState is a scenario's soak: the tenant it is given and, once the
// day is played, what it measured. A soak builds its own world of many
// people; the scenario's world is not part of it.
type soakState struct {
	cfg soak.Config
	res *soak.Result
}

// MaxSoakUsers bounds a scenario's tenant: a feature plays its day in
// seconds; larger tenants are for `presencesim soak`.
const MaxSoakUsers = 5000

func registerSoak(s *Scenario, r *registry) {
	r.free(`^a tenant of (\d+) people with desk phones and the seed (\d+)$`, "a tenant of 1000 people with desk phones and the seed 3", s.soakTenant)
	r.free(`^Graph allows the tenant's connector (\d+) requests per 30 seconds$`, "Graph allows the tenant's connector 1500 requests per 30 seconds", s.soakLimit)
	r.free(`^the reference CloudLink connector(?: with the fault ([a-z-]+))? carries the day from (\d\d:\d\d) to (\d\d:\d\d) in steps of (.+)$`,
		"the reference CloudLink connector carries the day from 09:00 to 09:30 in steps of 1 second", s.soakPlay)
	r.free(`^every line change reaches Teams before the next one$`, "every line change reaches Teams before the next one", s.soakAllCarried)
	r.free(`^the connector stays within Graph's limit$`, "the connector stays within Graph's limit", s.soakWithinLimit)
	r.free(`^(calls started|calls ended) reach Teams within (.+) at (p50|p95|p99|the most)$`, "calls started reach Teams within 1 second at p99", s.soakWithin)
}

func (s *Scenario) soak() *soakState {
	return Ext(s, "soak", func() *soakState { return &soakState{} })
}

func (s *Scenario) soakTenant(n, seed string) error {
	users, err := strconv.Atoi(n)
	if err != nil || users < 1 || users > MaxSoakUsers {
		return fmt.Errorf("a tenant of %s people: a scenario's soak takes 1 to %d (presencesim soak takes more)", n, MaxSoakUsers)
	}
	sd, err := strconv.ParseUint(seed, 10, 64)
	if err != nil {
		return fmt.Errorf("the seed %q: %w", seed, err)
	}
	st := s.soak()
	st.cfg.Users, st.cfg.Seed = users, sd
	return nil
}

func (s *Scenario) soakLimit(n string) error {
	limit, err := strconv.Atoi(n)
	if err != nil || limit < 1 {
		return fmt.Errorf("a limit of %q requests per 30 seconds", n)
	}
	s.soak().cfg.Limit = limit
	return nil
}

func (s *Scenario) soakPlay(fault, from, to, step string) error {
	return s.soakDay("cloudlink", `give the tenant first, e.g. "Given a tenant of 1000 people with desk phones and the seed 3"`, fault, from, to, step)
}

// soakDay plays a paced day from..to to the integration's in-process
// reference connector, with the fault planted when one is named.
func (s *Scenario) soakDay(integration, noTenant, fault, from, to, step string) error {
	st := s.soak()
	if st.cfg.Users == 0 {
		return errors.New(noTenant)
	}
	day := clock.At(1, 0, 0)
	start, err := ParseClock(from, day)
	if err != nil {
		return err
	}
	end, err := ParseClock(to, day)
	if err != nil {
		return err
	}
	d, err := ParseDuration(step)
	if err != nil {
		return err
	}
	f := connector.NoFault
	if fault != "" {
		if f, err = connector.ParseFault(integration, fault); err != nil {
			return err
		}
	}
	cfg := st.cfg
	cfg.Start, cfg.End, cfg.Step = start, end, d
	cfg.Target = conformance.Target{Integration: integration, Fault: f}
	res, err := soak.Run(context.Background(), cfg)
	if err != nil {
		return err
	}
	st.res = res
	return nil
}

func (s *Scenario) soakResult() (*soak.Result, error) {
	st := s.soak()
	if st.res == nil {
		return nil, errors.New(`play the day first, e.g. "When the reference CloudLink connector carries the day from 09:00 to 09:30 in steps of 1 second"`)
	}
	return st.res, nil
}

// table is the staleness table, for failure messages.
func soakTable(r *soak.Result) string {
	var b strings.Builder
	r.WriteTable(&b)
	return b.String()
}

func (s *Scenario) soakAllCarried() error {
	r, err := s.soakResult()
	if err != nil {
		return err
	}
	var bad []string
	for _, f := range r.Staleness {
		if f.Never > 0 || f.Superseded > 0 {
			bad = append(bad, fmt.Sprintf("%s: of %d, %d were overtaken by the next change before they reached Teams and %d never reached it", f.Kind, f.Changes, f.Superseded, f.Never))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("expected every line change to reach Teams before the next (C-12); derived: %s\n%s", strings.Join(bad, "; "), soakTable(r))
	}
	return nil
}

func (s *Scenario) soakWithinLimit() error {
	r, err := s.soakResult()
	if err != nil {
		return err
	}
	if r.Throttled > 0 || r.PeakWindow > r.Limit {
		return fmt.Errorf("expected the connector within Graph's %d requests per 30 s (C-12, G-THR-1); derived: %d requests in the busiest 30 s, %d of %d answered 429\n%s",
			r.Limit, r.PeakWindow, r.Throttled, r.Requests, soakTable(r))
	}
	return nil
}

func (s *Scenario) soakWithin(kind, bound, at string) error {
	r, err := s.soakResult()
	if err != nil {
		return err
	}
	limit, err := ParseDuration(bound)
	if err != nil {
		return err
	}
	k := soak.CallStarted
	if kind == "calls ended" {
		k = soak.CallEnded
	}
	f := r.Staleness[k]
	got := map[string]time.Duration{"p50": f.P50, "p95": f.P95, "p99": f.P99, "the most": f.Max}[at]
	if f.Carried == 0 {
		return fmt.Errorf("expected %s to reach Teams within %s at %s (C-12); derived: none of %d reached Teams\n%s", kind, limit, at, f.Changes, soakTable(r))
	}
	if got > limit {
		return fmt.Errorf("expected %s to reach Teams within %s at %s (C-12); derived: %s, over %d carried of %d changes\n%s", kind, limit, at, got, f.Carried, f.Changes, soakTable(r))
	}
	return nil
}
