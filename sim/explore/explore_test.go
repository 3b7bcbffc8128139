package explore_test

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

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/explore"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/steps"
)

func explore1(t *testing.T, seed uint64, cfg explore.Config) explore.Result {
	t.Helper()
	res, err := explore.Explore(seed, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSameSeedSameTrace(t *testing.T) {
	for _, seed := range []uint64{1, 7, 42} {
		a, b := explore1(t, seed, explore.Config{}), explore1(t, seed, explore.Config{})
		ta, tb := a.World.Trace.Text(), b.World.Trace.Text()
		if ta != tb {
			t.Fatalf("seed %d: two runs gave different traces", seed)
		}
		if a.World.Trace.Len() < 20 {
			t.Fatalf("seed %d: a run of %d actions recorded only %d trace entries", seed, len(a.Case.Actions), a.World.Trace.Len())
		}
		// the recorded case replays to the same trace: the case is all a
		// run depends on
		r, err := explore.Replay(a.Case)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.World.Trace.Text(); got != ta {
			t.Fatalf("seed %d: replaying the recorded case gave another trace:\n%s\nwant\n%s", seed, got, ta)
		}
	}
	if explore1(t, 1, explore.Config{}).World.Trace.Text() == explore1(t, 2, explore.Config{}).World.Trace.Text() {
		t.Fatal("seeds 1 and 2 gave the same trace")
	}
}

func TestNoInvariantBreaks(t *testing.T) {
	cov := explore.NewCoverage()
	for seed := uint64(1); seed <= 300; seed++ {
		res := explore1(t, seed, explore.Config{})
		if res.Violation != nil {
			t.Fatalf("seed %d: %v", seed, res.Violation)
		}
		cov.Add(res)
	}
	// the runs must reach every invariant's premise, or the invariant was
	// checked without ever having anything to say
	if n := cov.NeverApplied(); len(n) > 0 {
		t.Fatalf("300 seeds never exercised the premise of %v", n)
	}
	for _, r := range explore.TeamsRules {
		if cov.Decided[r]+cov.Sourced[r] == 0 {
			t.Errorf("300 seeds never exercised %s", r)
		}
	}
	if cov.Checks < uint64(cov.Actions) {
		t.Fatalf("%d checks for %d actions: invariants must be checked after every action", cov.Checks, cov.Actions)
	}
}

// seedsToFind bounds the seeds the search for a planted fault may take:
// Graph's faults are drawn often enough that a connector breaking C-5 or
// C-8 under them is found within 20.
var seedsToFind = map[string]uint64{
	"cloudlink-ignores-retry-after":  20,
	"xphone-older-notification-wins": 20,
}

func TestPlantedFaultIsFoundAndShrunk(t *testing.T) {
	for _, f := range explore.Faults {
		t.Run(f.Name, func(t *testing.T) {
			limit := seedsToFind[f.Name]
			if limit == 0 {
				limit = 1000
			}
			var found explore.Result
			seed := uint64(1)
			for ; seed <= limit; seed++ {
				if found = explore1(t, seed, explore.Config{Fault: f.Name}); found.Violation != nil {
					break
				}
			}
			if found.Violation == nil {
				t.Fatalf("%d seeds did not find the planted fault %s", limit, f.Name)
			}
			if !contains(found.Violation.Rules, f.Rule) {
				t.Fatalf("the fault breaks %s, but the violation found cites %v: %v", f.Rule, found.Violation.Rules, found.Violation)
			}
			shrunk, replays := explore.Shrink(found, explore.ShrinkBudget)
			if shrunk.Violation == nil || shrunk.Violation.Invariant != found.Violation.Invariant {
				t.Fatalf("shrinking lost the violation: %v", shrunk.Violation)
			}
			t.Logf("seed %d: found after %d actions, shrunk to %d in %d replays", seed, len(found.Case.Actions), len(shrunk.Case.Actions), replays)
			n := len(shrunk.Case.Actions)
			if last := n - 1; f.Held && last >= 0 && shrunk.Case.Actions[last].Op == event.Wait {
				n-- // the time Graph holds the notifications is no input
			}
			if n > 5 || n >= len(found.Case.Actions) && len(found.Case.Actions) > 5 {
				t.Fatalf("seed %d: shrunk from %d to %d actions in %d replays; want at most 5:\n%s", seed, len(found.Case.Actions), n, replays, strings.Join(shrunk.Case.Steps(), "\n"))
			}
			// the shrunk case breaks the invariant on its own, and only with
			// the fault planted
			again, err := explore.Replay(shrunk.Case)
			if err != nil || again.Violation == nil {
				t.Fatalf("the shrunk case does not reproduce: %v %v", err, again.Violation)
			}
			clean := shrunk.Case
			clean.Fault = ""
			if ok, err := explore.Replay(clean); err != nil || ok.Violation != nil {
				t.Fatalf("the shrunk case breaks an invariant without the fault too: %v %v", err, ok.Violation)
			}
		})
	}
}

// TestShrinkIsBoundedByReplays checks that the budget counts replays: the
// shrinker never spends more, and the same case and budget give the same
// result, however long each replay took.
func TestShrinkIsBoundedByReplays(t *testing.T) {
	var found explore.Result
	for seed := uint64(1); seed <= 1000 && found.Violation == nil; seed++ {
		found = explore1(t, seed, explore.Config{Fault: "available-above-busy"})
	}
	if found.Violation == nil {
		t.Fatal("1000 seeds did not find the planted fault")
	}
	for _, budget := range []int{0, 1, 5, 20, explore.ShrinkBudget} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			a, spentA := explore.Shrink(found, budget)
			b, spentB := explore.Shrink(found, budget)
			if spentA > budget || spentA != spentB {
				t.Fatalf("spent %d and %d replays of a budget of %d", spentA, spentB, budget)
			}
			if sa, sb := strings.Join(a.Case.Steps(), "\n"), strings.Join(b.Case.Steps(), "\n"); sa != sb {
				t.Fatalf("two shrinks with the same budget differ:\n%s\n---\n%s", sa, sb)
			}
			if a.Violation == nil || a.Violation.Invariant != found.Violation.Invariant {
				t.Fatalf("shrinking lost the violation: %v", a.Violation)
			}
			if budget == 0 && len(a.Case.Actions) != len(found.Case.Actions) {
				t.Fatalf("no budget, yet the case changed from %d to %d actions", len(found.Case.Actions), len(a.Case.Actions))
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestStepsAreInTheCatalogue renders many runs and checks that every line
// is a phrase of the step language: matched by exactly one pattern.
func TestStepsAreInTheCatalogue(t *testing.T) {
	var pats []*regexp.Regexp
	for _, s := range steps.Catalog() {
		pats = append(pats, regexp.MustCompile(s.Pattern))
	}
	seenOp := map[event.Op]bool{}
	check := func(line string) {
		n := 0
		for _, p := range pats {
			if p.MatchString(line) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("generated step %q matches %d catalogue patterns, want exactly 1", line, n)
		}
	}
	for seed := uint64(1); seed <= 200; seed++ {
		fault := ""
		if seed%2 == 0 {
			fault = explore.Faults[int(seed/2)%len(explore.Faults)].Name
		}
		res := explore1(t, seed, explore.Config{Fault: fault})
		for _, line := range res.Case.Steps() {
			check(line)
		}
		for _, a := range res.Case.Actions {
			seenOp[a.Op] = true
		}
	}
	check(explore.HoldsStep)
	var missing []string
	for _, o := range explore.Drawn() {
		if !seenOp[o] {
			missing = append(missing, o.Name())
		}
	}
	if len(missing) > 0 {
		t.Fatalf("200 seeds never performed %v", missing)
	}
}

// TestPresenceWordsRoundTrip: the presence a generated step names parses
// back to the presence the run used.
func TestPresenceWordsRoundTrip(t *testing.T) {
	for _, pr := range append(append([]presence.Presence(nil), presence.PreferredPairs.Pairs...), presence.SetPresencePairs.Pairs...) {
		got, err := presence.Parse(pr.Short())
		if err != nil || got != pr {
			t.Errorf("%s renders as %q, which parses to %s (%v)", pr, pr.Short(), got, err)
		}
	}
}

func TestFindFault(t *testing.T) {
	if _, err := explore.FindFault("no-such-fault"); err == nil || !strings.Contains(err.Error(), "available-above-busy") {
		t.Fatalf("an unknown fault must be refused naming the valid ones, got %v", err)
	}
	for _, f := range explore.Faults {
		for _, key := range []string{f.Name, f.Step, strings.ToUpper(f.Step)} {
			if got, err := explore.FindFault(key); err != nil || got.Name != f.Name {
				t.Errorf("FindFault(%q) = %s, %v", key, got.Name, err)
			}
		}
	}
}

// TestScenariosReproduceRuns writes generated runs as scenarios, runs them
// through the step language with godog, and expects every step to pass and
// each scenario's world to record the very trace the run recorded.
func TestScenariosReproduceRuns(t *testing.T) {
	var feature strings.Builder
	feature.WriteString("Feature: generated runs\n\n")
	want := map[string]string{}
	for seed := uint64(1); seed <= 40; seed++ {
		res := explore1(t, seed, explore.Config{Actions: 40})
		if res.Violation != nil {
			t.Fatalf("seed %d: %v", seed, res.Violation)
		}
		title := fmt.Sprintf("seed %d", seed)
		feature.WriteString(res.Case.Scenario(title) + "\n")
		want[title] = res.World.Trace.Text()
	}
	path := filepath.Join(t.TempDir(), "runs.feature")
	if err := os.WriteFile(path, []byte(feature.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]string{}
	suite := godog.TestSuite{
		ScenarioInitializer: steps.Initializer(steps.Options{Seed: 1, OnScenarioEnd: func(name string, w *sim.World, err error) {
			mu.Lock()
			defer mu.Unlock()
			got[name] = w.Trace.Text()
		}}),
		Options: &godog.Options{Format: "progress", Paths: []string{path}, Strict: true, Concurrency: 2, Output: io.Discard},
	}
	if st := suite.Run(); st != 0 {
		t.Fatalf("the generated scenarios failed (status %d); run them with: presencesim run %s", st, path)
	}
	for title, w := range want {
		if got[title] != w {
			t.Errorf("%s: the scenario recorded another trace than the run:\n--- scenario\n%s\n--- run\n%s", title, got[title], w)
		}
	}
}
