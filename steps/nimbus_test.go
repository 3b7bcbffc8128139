package steps

import (
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/sim/nimbus"
)

// runNimbus runs the Nimbus features with the settings adjusted by tune and
// returns godog's status and output.
func runNimbus(t *testing.T, tune func(*nimbus.Settings)) (int, string) {
	t.Helper()
	return runSuite(t, "nimbus", adjusting(tune, WithNimbusSettings), godog.Options{Format: "pretty", Paths: featurePaths("nimbus"), FS: features.FS, Concurrency: 1})
}

func TestNimbusFeaturesPass(t *testing.T) {
	if len(featurePaths("nimbus")) == 0 {
		t.Fatal("no Nimbus features embedded")
	}
	if st, out := runNimbus(t, nil); st != 0 {
		t.Fatalf("Nimbus features fail with the reference model:\n%s", out)
	}
}

// A router whose presence accounts read through federation cannot see "In a
// call": the features that check NB-4 must fail, each at the step that
// expects the call to be seen.
func TestFaultyNimbusRouterFailsTheFeatures(t *testing.T) {
	st, out := runNimbus(t, func(s *nimbus.Settings) { s.AccountView = nimbus.FederatedView })
	if st == 0 {
		t.Fatal("the Nimbus features pass with a router that reads activity through federation")
	}
	for _, want := range []string{
		"Scenario: Through a presence account Nimbus reads the call",
		"Scenario: Presence accounts avoid the second call; the call waits until the first one ends",
		"Scenario: A day of 50 agents and 2,000 calls under every configuration",
		"what Nimbus reads of bob",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("expected the failure output to name %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestNimbusStepsAreUnambiguous(t *testing.T) { unambiguous(t, "Luware Nimbus") }

// Where several calls are open, a step must say which it means; a wrong
// agent, a call not arrived and a wrong count each read as sentences.
func TestNimbusCallStepsSayWhichCall(t *testing.T) {
	st, out := runSuite(t, "nimbus-which", nil, godog.Options{Format: "pretty", Paths: []string{"testdata/nimbus/which_call.feature"}, Concurrency: 1})
	if st == 0 {
		t.Fatal("the scenarios meant to fail pass")
	}
	for _, want := range []string{
		`2 calls are waiting or ringing (the first call ringing at bob, the second call ringing at carol); say which one the step means, e.g. "Nimbus offers the first call to …" or "the last call"`,
		`Nimbus should offer the second call of "Support" (arrived at 09:00) to bob; it is ringing at carol`,
		"the third call has not arrived: 1 call(s) have arrived at Nimbus so far",
		"the number of calls Nimbus has offered to an agent, of 2 that arrived",
		"the second call: offered 1 time(s), ringing at carol",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure output does not say %q", want)
		}
	}
	if n := strings.Count(out, "--- Failed steps:"); n != 1 || strings.Count(out, "Error: ") < 4 {
		t.Errorf("expected four failed steps")
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// A router that leaves waiting calls until the next agent change misses
// NB-2: the features that change the distribution under a waiting call fail.
func TestNimbusWithoutRedistributionFailsTheFeatures(t *testing.T) {
	st, out := runNimbus(t, func(s *nimbus.Settings) { s.RedistributeOnChange = false })
	if st == 0 {
		t.Fatal("the Nimbus features pass with a router that ignores a changed distribution setting")
	}
	for _, want := range []string{
		`Scenario: A call waiting while "Busy *" is not distributed is offered when the administrator distributes it`,
		"Scenario: A whole new distribution table takes effect at once as well",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("expected the failure output to name %q", want)
		}
	}
}
