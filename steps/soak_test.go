package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// The C-12 scenario fails for a connector that polls every user's
// presence one request at a time: on a tenant of 100 people with a limit
// scaled to them it is throttled, and changes reach Teams late.
func TestSoakScenarioFailsForAPollingConnector(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak plays a day")
	}
	src, err := os.ReadFile("../features/conformance/soak.feature")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "Given a tenant of 1000 people with desk phones and the seed 3",
		"Given a tenant of 100 people with desk phones and the seed 3\n    And Graph allows the tenant's connector 150 requests per 30 seconds", 1)
	text = strings.Replace(text, "the reference CloudLink connector carries", "the reference CloudLink connector with the fault poll-each carries", 1)
	if text == string(src) || !strings.Contains(text, "poll-each") || !strings.Contains(text, "150 requests") {
		t.Fatal("the feature no longer reads as this test expects")
	}
	path := filepath.Join(t.TempDir(), "soak.feature")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	st, out := runSuite(t, "soak", nil, godog.Options{Format: "pretty", Paths: []string{path}})
	if st == 0 {
		t.Fatalf("the scenario passes for a connector that polls one user per request:\n%s", out)
	}
	for _, want := range []string{"expected every line change to reach Teams before the next (C-12)", "poll-each"} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure does not say %q:\n%s", want, out)
		}
	}
}
