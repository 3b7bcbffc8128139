package steps

import (
	"errors"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

// AssertionError is a failed assertion: what was expected against what the
// model derived (Message), and the model's explanation of the derived value
// (Why). Reports show the parts apart; the error text joins them.
type AssertionError struct {
	Message string
	Why     string
}

func (e *AssertionError) Error() string {
	if e.Why == "" {
		return e.Message
	}
	return e.Message + "\n\nwhy the model derived this:\n" + e.Why
}

// StepEnd is one finished step of a scenario, as reports see it.
type StepEnd struct {
	Scenario *godog.Scenario
	Step     *godog.Step
	World    *sim.World // nil when the scenario could not build its world
	Status   godog.StepResultStatus
	Err      error
	// At is the virtual time after the step; TraceLen the length of the
	// world's trace then, so the entries a step caused can be told apart.
	At       clock.Time
	TraceLen int
}

// Assertion returns the failed assertion behind the step's error, if any.
func (e StepEnd) Assertion() (*AssertionError, bool) {
	var a *AssertionError
	ok := errors.As(e.Err, &a)
	return a, ok
}

// ScenarioEnd is a finished scenario with its world.
type ScenarioEnd struct {
	Scenario *godog.Scenario
	World    *sim.World
	Err      error
}

func (s *Scenario) stepEnd(st *godog.Step, status godog.StepResultStatus, err error) StepEnd {
	e := StepEnd{Scenario: s.pickle, Step: st, World: s.world, Status: status, Err: err}
	if s.world != nil {
		e.At = s.world.Clock.Now()
		e.TraceLen = s.world.Trace.Len()
	}
	return e
}
