package steps_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/steps"
)

// TestEventPhrasesAreSteps: every input's phrase is read by exactly one
// step of the catalogue, and where the step is the table's own (the steps
// of people's clients) it is the input's pattern.
func TestEventPhrasesAreSteps(t *testing.T) {
	cat := steps.Catalog()
	res := make([]*regexp.Regexp, len(cat))
	for i, s := range cat {
		res[i] = regexp.MustCompile(s.Pattern)
	}
	own := 0
	for _, o := range event.Ops()[1:] {
		phrase := o.Example().Phrase()
		var hits []steps.Step
		for i, re := range res {
			if re.MatchString(phrase) {
				hits = append(hits, cat[i])
			}
		}
		if len(hits) != 1 {
			t.Errorf("%s: %q is read by %d steps, want 1: %v", o.JSON(), phrase, len(hits), hits)
			continue
		}
		if hits[0].Pattern == o.Pattern() {
			own++
		}
	}
	if own < 14 {
		t.Errorf("only %d steps are the table's own; the client steps must be", own)
	}
}

// setup is the world every input's scenario starts from.
var setup = []string{"the users alice, bob and carol", "it is 09:00", "alice is signed in to Teams on desktop"}

// TestEventPhrasesRoundTrip runs every input's phrase as a step of a
// scenario and applies the input's event through World.Apply to a twin
// world: the step and World.Apply take or refuse it alike and leave the
// same trace (a refused step may have touched the world before it was
// refused; only what was taken is compared), so the phrase the explorer writes means the event it
// applied.
func TestEventPhrasesRoundTrip(t *testing.T) {
	var feature strings.Builder
	feature.WriteString("Feature: every input\n\n")
	ops := event.Ops()[1:]
	for _, o := range ops {
		fmt.Fprintf(&feature, "  Scenario: %s\n    Given %s\n    When %s\n\n", o.JSON(), strings.Join(setup, "\n    And "), o.Example().Phrase())
	}
	path := filepath.Join(t.TempDir(), "inputs.feature")
	if err := os.WriteFile(path, []byte(feature.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	type end struct {
		trace string
		err   error
	}
	var mu sync.Mutex
	got := map[string]end{}
	suite := godog.TestSuite{
		ScenarioInitializer: steps.Initializer(steps.Options{Seed: 1, OnScenarioEnd: func(name string, w *sim.World, err error) {
			mu.Lock()
			defer mu.Unlock()
			got[name] = end{w.Trace.Text(), err}
		}}),
		Options: &godog.Options{Format: "progress", Paths: []string{path}, Strict: true, Concurrency: 2, Output: io.Discard},
	}
	suite.Run() // scenarios the model refuses fail; compared below
	taken := 0
	for _, o := range ops {
		w := sim.MustNew(1)
		for _, n := range []string{"alice", "bob", "carol"} {
			if _, err := w.AddUser(n, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Clock.RunUntil(clock.At(1, 9, 0)); err != nil {
			t.Fatal(err)
		}
		if err := w.Apply(event.Event{Op: event.SignIn, Users: []string{"alice"}, Client: teams.Desktop}); err != nil {
			t.Fatal(err)
		}
		err := w.Apply(o.Example())
		_ = w.Clock.RunUntil(w.Clock.Now())
		step, ok := got[o.JSON()]
		switch {
		case !ok:
			t.Errorf("%s: the scenario did not run", o.JSON())
		case (err == nil) != (step.err == nil):
			t.Errorf("%s: %q as a step: %v; through World.Apply: %v", o.JSON(), o.Example().Phrase(), step.err, err)
		case err == nil && step.trace != w.Trace.Text():
			t.Errorf("%s: %q left another trace as a step than through World.Apply:\n--- step\n%s--- World.Apply\n%s", o.JSON(), o.Example().Phrase(), step.trace, w.Trace.Text())
		case err == nil:
			taken++
		}
	}
	if taken < len(ops)/2 {
		t.Errorf("only %d of %d inputs were taken from the setup; the round trip says little", taken, len(ops))
	}
	t.Logf("%d of %d inputs taken", taken, len(ops))
}
