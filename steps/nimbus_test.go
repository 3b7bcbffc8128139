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
