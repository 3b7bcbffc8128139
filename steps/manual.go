package steps

import (
	"fmt"
	"time"

	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// manualSteps set presence by hand and through apps.
type manualSteps struct{ *Scenario }

func registerManual(sc *Scenario, r *registry) {
	s := manualSteps{sc}
	r.step(`^(\w+) sets `+pron+` (?:presence|status) to (.+?)(?: for (\d.*|an? .+))?$`, "alice sets her status to Busy for 2 hours", s.setManual)
	r.step(`^(\w+) tries to set `+pron+` (?:presence|status) to (.+)$`, "alice tries to set her status to Busy/InACall", s.trySetManual)
	r.step(`^(\w+) resets `+pron+` (?:presence|status)$`, "alice resets her status", s.resetManual)
	r.step(`^it is refused(?: because (.+))?$`, "it is refused because it cannot be set by hand", s.refusedCheck)
	r.step(`^the app "([^"]+)" sets (\w+)'s presence to (.+?)(?: for (.+))?$`, `the app "cloudlink" sets alice's presence to Busy/InACall for 1 hour`, s.appSets)
	r.step(`^the app "([^"]+)" tries to set (\w+)'s presence to (.+)$`, `the app "cloudlink" tries to set alice's presence to Busy/Busy`, s.appTries)
	r.step(`^the app "([^"]+)" clears (\w+)'s presence$`, `the app "cloudlink" clears alice's presence`, s.appClears)
	r.step(`^(\w+)'s preferred presence is set to (.+) through Graph$`, "alice's preferred presence is set to Offline/OffWork through Graph", s.graphPreferred)
}

func (s manualSteps) setManual(name, p, dur string) error {
	pr, d, err := presenceFor(p, dur)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { return s.world.Teams.SetPreferred(id, pr, d, teams.ViaClient) })
}

func (s manualSteps) trySetManual(name, p string) error {
	pr, err := presence.Parse(p)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		s.refused = s.world.Teams.SetPreferred(id, pr, 0, teams.ViaClient)
		if s.refused == nil {
			s.refused = errAccepted
		}
		return nil
	})
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

func (s manualSteps) resetManual(name string) error {
	return s.onUser(name, s.world.Teams.ClearPreferred)
}

func (s manualSteps) appSets(app, name, p, dur string) error {
	pr, d, err := presenceFor(p, dur)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		return s.world.Teams.SetAppPresence(id, s.world.Teams.App(app), pr, d)
	})
}

func (s manualSteps) appTries(app, name, p string) error {
	pr, err := presence.Parse(p)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		s.refused = s.world.Teams.SetAppPresence(id, s.world.Teams.App(app), pr, 0)
		if s.refused == nil {
			s.refused = errAccepted
		}
		return nil
	})
}

func (s manualSteps) appClears(app, name string) error {
	return s.onUser(name, func(id teams.UserID) error {
		return s.world.Teams.ClearAppPresence(id, s.world.Teams.App(app))
	})
}

func (s manualSteps) graphPreferred(name, p string) error {
	pr, err := presence.Parse(p)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { return s.world.Teams.SetPreferred(id, pr, 0, teams.ViaGraph) })
}

// presenceFor parses a presence and an optional duration ("" is none).
func presenceFor(p, dur string) (presence.Presence, time.Duration, error) {
	pr, err := presence.Parse(p)
	if err != nil || dur == "" {
		return pr, 0, err
	}
	d, err := ParseDuration(dur)
	return pr, d, err
}
