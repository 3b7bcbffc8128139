package steps

import (
	"fmt"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/presence"
)

// manualSteps set presence by hand and through apps.
type manualSteps struct{ *Scenario }

func registerManual(sc *Scenario, r *registry) {
	s := manualSteps{sc}
	sc.inputs(r, event.SetManual)
	r.step(`^(\w+) tries to set `+pron+` (?:presence|status) to (.+)$`, "alice tries to set her status to Busy/InACall", s.trySetManual)
	sc.inputs(r, event.ResetManual)
	r.step(`^it is refused(?: because (.+))?$`, "it is refused because it cannot be set by hand", s.refusedCheck)
	sc.inputs(r, event.AppSet)
	r.step(`^the app "([^"]+)" tries to set (\w+)'s presence to (.+)$`, `the app "cloudlink" tries to set alice's presence to Busy/Busy`, s.appTries)
	sc.inputs(r, event.AppClear, event.GraphPreferred)
}

func (s manualSteps) trySetManual(name, p string) error {
	pr, err := presence.Parse(p)
	if err != nil {
		return err
	}
	return s.try(event.Event{Op: event.SetManual, Users: []string{name}, Presence: pr})
}

// try applies an input the step expects the model to refuse; "it is
// refused" checks that it was.
func (s *Scenario) try(ev event.Event) error {
	if err := s.known(ev); err != nil {
		return err
	}
	if s.refused = s.world.Apply(ev); s.refused == nil {
		s.refused = errAccepted
	}
	return nil
}

var errAccepted = fmt.Errorf("accepted")

func (s manualSteps) refusedCheck(because string) error {
	if s.refused == nil {
		return fmt.Errorf("nothing was tried in this scenario; use a \"tries to\" step first")
	}
	err := s.refused
	return Check(nil, func(g gomegaG) {
		g.Expect(err).NotTo(beIdenticalTo(errAccepted), "the model accepted what the step expected it to refuse")
		if because != "" {
			g.Expect(err.Error()).To(containSubstring(because), "the reason given")
		}
	})
}

func (s manualSteps) appTries(app, name, p string) error {
	pr, err := presence.Parse(p)
	if err != nil {
		return err
	}
	return s.try(event.Event{Op: event.AppSet, Users: []string{name}, Name: app, Presence: pr})
}
