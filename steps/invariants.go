package steps

import (
	"context"
	"fmt"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/sim/explore"
	"github.com/presencesim/presencesim/sim/invariant"
)

// invariantSteps check the invariants and plant faults to see them fail.
type invariantSteps struct {
	*Scenario
	chk *invariant.Checker // installed before the scenario's first step
}

// registerInvariants checks every invariant after every clock event and
// after every step of every scenario: a violation fails the step with the
// invariant's rule ids and the explanation of the user concerned.
func registerInvariants(sc *Scenario, r *registry) {
	s := &invariantSteps{Scenario: sc}
	r.step(`^every invariant holds$`, "every invariant holds", s.invariantsHold)
	r.step(`^the model is broken on purpose: (.+)$`, "the model is broken on purpose: Available ranks above Busy", s.plantFault)
	if r.sc == nil {
		return
	}
	r.sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
		if s.world != nil {
			s.chk = invariant.Install(s.world)
		}
		return ctx, nil
	})
	r.sc.StepContext().After(func(ctx context.Context, st *godog.Step, _ godog.StepResultStatus, err error) (context.Context, error) {
		chk := s.invariants()
		if err != nil || chk == nil || chk.Violation() != nil {
			// a step that failed already, or a violation already reported
			return ctx, nil
		}
		var v error
		_ = s.inWorld(func() error {
			if x := chk.Check("step \"" + st.Text + "\""); x != nil {
				v = x
			}
			return nil
		})
		return ctx, v
	})
}

func (s *invariantSteps) invariants() *invariant.Checker {
	return s.chk
}

func (s *invariantSteps) invariantsHold() error {
	chk := s.invariants()
	if chk == nil {
		return fmt.Errorf("no invariant checker is installed in this scenario")
	}
	if v := chk.Check("step \"" + HoldsStepText + "\""); v != nil {
		return v
	}
	return nil
}

// HoldsStepText is the phrase of the explicit check.
const HoldsStepText = explore.HoldsStep

// plantFault breaks one rule of the model on purpose, to show that the
// invariants catch it.
func (s *invariantSteps) plantFault(what string) error {
	f, err := explore.FindFault(what)
	if err != nil {
		return err
	}
	return f.Apply(s.world)
}
