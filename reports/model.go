package reports

import (
	"strconv"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/trace"
)

// Status is the outcome of a step or scenario, in godog's words.
type Status string

// The outcomes.
const (
	Passed    Status = "passed"
	Failed    Status = "failed"
	Skipped   Status = "skipped"
	Undefined Status = "undefined"
	Pending   Status = "pending"
	Ambiguous Status = "ambiguous"
)

// worse orders outcomes for a scenario: the worst step decides.
var worse = map[Status]int{Passed: 0, Skipped: 1, Pending: 2, Undefined: 3, Ambiguous: 4, Failed: 5}

// Step is one step of a scenario as it ran.
type Step struct {
	Keyword string // Given, When or Then
	Text    string
	Status  Status
	// At is the virtual time after the step, TraceLen the trace length then.
	At       clock.Time
	TraceLen int
	Ran      bool // false for steps the run never reached
	// Error is the step's error; for a failed assertion Message says what
	// was expected against what the model derived, and Why is the model's
	// explanation.
	Error   string
	Message string
	Why     string
}

// Assertion reports whether the step checks something (a Then step) or
// failed: the points marked on the timeline.
func (s Step) Assertion() bool { return s.Keyword == "Then" || s.Status == Failed }

// Scenario is one scenario (or one example row of an outline) as it ran.
type Scenario struct {
	ID      string // godog's pickle id
	order   int
	URI     string
	Feature string
	Name    string
	Example int // 1-based row of an outline, 0 for a plain scenario
	Tags    []string
	Steps   []Step
	Status  Status
	Error   string
	Seed    uint64
	End     clock.Time
	Trace   []trace.Entry
}

// Anchor is the scenario's id in the HTML report.
func (s *Scenario) Anchor() string { return "sc-" + s.ID }

// Title is the name with the example row of an outline.
func (s *Scenario) Title() string {
	if s.Example > 0 {
		return s.Name + " (example " + strconv.Itoa(s.Example) + ")"
	}
	return s.Name
}

// Failure is the first failed step, if any.
func (s *Scenario) Failure() (Step, int, bool) {
	for i, st := range s.Steps {
		if st.Status == Failed || st.Status == Undefined || st.Status == Ambiguous || st.Status == Pending {
			return st, i, true
		}
	}
	return Step{}, -1, false
}

// Feature is a feature file with its scenarios in file order.
type Feature struct {
	URI         string
	Name        string
	Description string
	Scenarios   []*Scenario
}

// Counts are the totals of a run.
type Counts struct {
	Scenarios, Passed, Failed, Undefined, Pending, Ambiguous int
	Steps, StepsPassed, StepsFailed, StepsSkipped            int
}

// OK reports whether every scenario passed.
func (c Counts) OK() bool { return c.Scenarios == c.Passed }

// Run is a whole conformance run.
type Run struct {
	Title    string
	Version  string
	Seed     uint64
	Source   string // what ran: the built-in suite or the paths
	Tags     string
	Started  time.Time
	Duration time.Duration
	Features []*Feature
	Counts   Counts
	Coverage []Coverage
}

// Scenarios lists every scenario in report order.
func (r *Run) Scenarios() []*Scenario {
	var out []*Scenario
	for _, f := range r.Features {
		out = append(out, f.Scenarios...)
	}
	return out
}
