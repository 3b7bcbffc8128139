package presencesim

import (
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/steps"
	"github.com/presencesim/presencesim/suite"
)

// TestFeatures runs every embedded feature in strict mode, four scenarios at
// a time.
func TestFeatures(t *testing.T) {
	st := suite.Godog(steps.Options{Seed: 1}, godog.Options{
		Format:      "progress",
		Paths:       features.Paths(),
		FS:          features.FS,
		Concurrency: 4,
		TestingT:    t,
	})
	if st != 0 {
		t.Fatalf("the feature suite failed (status %d)", st)
	}
}
