package nimbus

import (
	"bytes"
	"testing"

	"github.com/presencesim/presencesim/sim/clock"
)

func dayText(t testing.TB, d DayConfig) string {
	t.Helper()
	rep, err := RunDay(d)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The same seed gives the same day, byte for byte; another seed another.
func TestDayIsDeterministic(t *testing.T) {
	a, b := dayText(t, DefaultDay(7)), dayText(t, DefaultDay(7))
	if a != b {
		t.Fatalf("two runs of seed 7 differ:\n%s\n---\n%s", a, b)
	}
	if c := dayText(t, DefaultDay(8)); c == a {
		t.Fatalf("seeds 7 and 8 gave the same report; the seed is not used:\n%s", a)
	}
	t.Log("\n" + a)
}

// With presence accounts Nimbus sees every call, so on a day without Busy set
// by hand (which hides a call, T-AGG-1) no call rings at an agent in a call;
// through federation with Busy distributed some do (NB-3, NB-4).
func TestDayAccountsNeverOfferToAgentsInACall(t *testing.T) {
	d := DefaultDay(3)
	d.ManualBusy = 0
	for _, c := range Configurations {
		r, err := RunConfig(d, c)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Stats.OffersInCall
		switch {
		case c.Source == PresenceAccount && got != 0:
			t.Errorf("%s: %d offers to agents in a call, want none (NB-4)", c.Name, got)
		case c.Source == Federation && c.Dist[ColBusy] && got == 0:
			t.Errorf("%s: no offer to an agent in a call; the day shows no hazard (NB-3)", c.Name)
		case !c.Dist[ColBusy] && got != 0:
			t.Errorf("%s: %d offers to agents in a call with Busy not distributed", c.Name, got)
		}
		if r.Stats.Answered+r.Stats.Abandoned != d.Calls {
			t.Errorf("%s: %d answered + %d abandoned of %d calls: calls got lost", c.Name, r.Stats.Answered, r.Stats.Abandoned, d.Calls)
		}
	}
}

func TestDayRefusesBadConfig(t *testing.T) {
	for _, tc := range []func(*DayConfig){
		func(d *DayConfig) { d.Agents = 0 },
		func(d *DayConfig) { d.Calls = -1 },
		func(d *DayConfig) { d.Close = d.Open },
		func(d *DayConfig) { d.MeanHandle = 0 },
		func(d *DayConfig) { d.NoAnswer = 1.5 },
		func(d *DayConfig) { d.Meetings = -1 },
	} {
		d := DefaultDay(1)
		tc(&d)
		if _, err := RunDay(d); err == nil {
			t.Errorf("RunDay accepted %+v", d)
		}
	}
}

// BenchmarkDay is one configuration of the default day: 50 agents, 2,000
// calls.
func BenchmarkDay(b *testing.B) {
	d := DefaultDay(1)
	c := Configurations[2]
	var events uint64
	b.ReportAllocs()
	for b.Loop() {
		r, err := RunConfig(d, c)
		if err != nil {
			b.Fatal(err)
		}
		events += r.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDayAllConfigurations is what "presencesim simulate nimbus" runs.
func BenchmarkDayAllConfigurations(b *testing.B) {
	d := DefaultDay(1)
	var events uint64
	b.ReportAllocs()
	for b.Loop() {
		r, err := RunDay(d)
		if err != nil {
			b.Fatal(err)
		}
		events += r.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// A tenant change at noon makes the presence accounts fail; from then on
// Nimbus reads federation and the second calls come back (NB-6).
func TestDayTenantChangeFallsBack(t *testing.T) {
	d := DefaultDay(3)
	d.ManualBusy = 0
	before, err := RunConfig(d, Configurations[2])
	if err != nil {
		t.Fatal(err)
	}
	d.TenantChange = clock.At(1, 12, 0)
	after, err := RunConfig(d, Configurations[2])
	if err != nil {
		t.Fatal(err)
	}
	if before.Stats.OffersInCall != 0 || after.Stats.OffersInCall == 0 {
		t.Errorf("offers to agents in a call: %d without the tenant change, %d with it; want none, then some", before.Stats.OffersInCall, after.Stats.OffersInCall)
	}
	if after.Stats.Fallbacks != 1 {
		t.Errorf("fallbacks %d, want 1", after.Stats.Fallbacks)
	}
}
