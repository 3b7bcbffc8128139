package conformance_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/reports"
)

// TestProfiles: every reference connector has a profile; every rule of a
// profile is in the rulebook, listed once; and every rule of a profile is
// tagged on a scenario of that integration's conformance feature, so that
// a report's "not exercised" means a run that skipped it, not a gap of the
// suite.
func TestProfiles(t *testing.T) {
	known := map[string]bool{}
	for _, r := range reports.Rulebook() {
		known[r.ID] = true
	}
	tag := regexp.MustCompile(`@` + reports.RuleIDPattern + `\b`)
	for _, in := range connector.Integrations {
		p, err := conformance.ProfileOf(in)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		b, err := fs.ReadFile(features.FS, "conformance/"+in+".feature")
		if err != nil {
			t.Fatal(err)
		}
		tagged := map[string]bool{}
		for _, m := range tag.FindAllString(string(b), -1) {
			tagged[strings.TrimPrefix(m, "@")] = true
		}
		seen := map[string]bool{}
		for _, id := range p.Rules {
			if !known[id] {
				t.Errorf("%s profile: %s is not in the rulebook", p.Name, id)
			}
			if seen[id] {
				t.Errorf("%s profile lists %s twice", p.Name, id)
			}
			seen[id] = true
			if !tagged[id] {
				t.Errorf("%s profile: %s is tagged on no scenario of conformance/%s.feature", p.Name, id, in)
			}
		}
	}
	if _, err := conformance.ProfileOf("asterisk"); err == nil || !strings.Contains(err.Error(), "profiles: cloudlink, nimbus, pbx, xphone") {
		t.Errorf("an unknown profile: %v", err)
	}
}
