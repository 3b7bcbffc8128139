package steps

import (
	"bytes"
	"context"
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/sim/cloudlink"
)

// runCloudLink runs the CloudLink features from disk, with CloudLink's
// settings adjusted by fault when it is not nil, and returns godog's status
// and output.
func runCloudLink(t *testing.T, fault func(*cloudlink.Settings), format string, paths ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	init := func(sc *godog.ScenarioContext) {
		Initializer(Options{Seed: 1})(sc)
		if fault != nil {
			sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
				return WithCloudLinkSettings(ctx, fault), nil
			})
		}
	}
	if len(paths) == 0 {
		paths = []string{"../features/cloudlink"}
	}
	st := godog.TestSuite{Name: "cloudlink", ScenarioInitializer: init, Options: &godog.Options{
		Format: format, Paths: paths, Strict: true, Concurrency: 2, Output: &out, NoColors: true,
	}}.Run()
	return st, out.String()
}

func TestCloudLinkFeaturesPass(t *testing.T) {
	if st, out := runCloudLink(t, nil, "pretty"); st != 0 {
		t.Fatalf("CloudLink features failed:\n%s", out)
	}
}
