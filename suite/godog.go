package suite

import (
	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/steps"
)

// Godog runs features through godog with the step language bound by o, in
// strict mode whatever opts say: undefined, pending and ambiguous steps
// fail. It returns godog's status (0 passed, 1 failed, 2 bad options).
func Godog(o steps.Options, opts godog.Options) int {
	opts.Strict = true
	return godog.TestSuite{Name: "presencesim", ScenarioInitializer: steps.Initializer(o), Options: &opts}.Run()
}
