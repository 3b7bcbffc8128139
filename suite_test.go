package presencesim

import (
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/steps"
)

// TestFeatures runs every embedded feature in strict mode, four scenarios at
// a time.
func TestFeatures(t *testing.T) {
	suite := godog.TestSuite{
		Name:                "presencesim",
		ScenarioInitializer: steps.Initializer(steps.Options{Seed: 1}),
		Options: &godog.Options{
			Format:      "progress",
			Paths:       features.Paths(),
			FS:          features.FS,
			Strict:      true,
			Concurrency: 4,
			TestingT:    t,
		},
	}
	if st := suite.Run(); st != 0 {
		t.Fatalf("the feature suite failed (status %d)", st)
	}
}
