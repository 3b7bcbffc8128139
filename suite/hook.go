package suite

import (
	"github.com/presencesim/presencesim/reports"
	"github.com/presencesim/presencesim/steps"
)

// Hook returns the options with the collector's hooks added; hooks already
// set are kept and called first.
func Hook(c *reports.Collector, o steps.Options) steps.Options {
	prevStep, prevSc := o.OnStep, o.OnScenario
	o.OnStep = func(e steps.StepEnd) {
		if prevStep != nil {
			prevStep(e)
		}
		r := reports.StepResult{Scenario: e.Scenario, Step: e.Step, World: e.World, Status: e.Status, Err: e.Err, At: e.At, TraceLen: e.TraceLen}
		if a, ok := e.Assertion(); ok {
			r.Message, r.Why = a.Message, a.Why
		}
		c.Step(r)
	}
	o.OnScenario = func(e steps.ScenarioEnd) {
		if prevSc != nil {
			prevSc(e)
		}
		c.EndScenario(reports.ScenarioResult{Scenario: e.Scenario, World: e.World, Err: e.Err})
	}
	return o
}
