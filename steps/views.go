package steps

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

func registerViews(s *Scenario, r *registry) {
	r.step(`^(\w+)'s presence is (.+)$`, "alice's presence is Busy/InAMeeting", s.presenceIs)
	r.step(`^(\w+)'s presence was (.+) at (\S+)$`, "alice's presence was Away at 10:05", s.presenceWas)
	r.step(`^(\w+)'s presence was decided by (\S+)$`, "alice's presence was decided by T-AGG-2", s.decidedBy)
	r.step(`^(\w+) is shown as out of office$`, "alice is shown as out of office", s.isOOF(true))
	r.step(`^(\w+) is not shown as out of office$`, "alice is not shown as out of office", s.isOOF(false))
	r.step(`^a federated user sees (\w+) as (.+)$`, "a federated user sees alice as Busy", s.federatedSees)
	r.step(`^(\w+) sees (\w+) as (.+)$`, "dave sees alice as Busy", s.sees)
	r.step(`^external viewers see (\w+) in (green|yellow|red|grey)$`, "external viewers see alice in red", s.colour)
	r.step(`^(\w+) turns privacy mode on$`, "alice turns privacy mode on", s.privacy)
	r.step(`^(\w+) blocks (\w+)$`, "alice blocks dave", s.block)
	r.step(`^(\w+) is on (\w+)'s priority-access list$`, "bob is on alice's priority-access list", s.priority)
	r.step(`^federated lookups of (\w+) fail$`, "federated lookups of alice fail", s.fedFails)
	r.step(`^within (.+?) (\w+)'s (desktop|web|phone) client shows (\w+) as (.+)$`, "within 5 minutes bob's web client shows alice as Busy/InACall", s.within)
	r.step(`^(\w+)'s (desktop|web|phone) client still shows (\w+) as (.+)$`, "bob's phone client still shows alice as Available", s.stillShows)
}

func (s *Scenario) presenceIs(name, want string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		got := s.world.Teams.Presence(id)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(got.String()).To(equal(p.String()), "%s's presence at %s: expected %s (%q), the model derived %s (%q)", name, s.world.Clock.Now(), p, p.Label(), got, got.Label())
		})
	})
}

func (s *Scenario) presenceWas(name, want, at string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	t, err := ParseClock(at, s.world.Clock.Now())
	if err != nil {
		return err
	}
	if t > s.world.Clock.Now() {
		return fmt.Errorf("%s is in the future (it is %s)", t, s.world.Clock.Now())
	}
	return s.onUser(name, func(id teams.UserID) error {
		got := s.world.Teams.PresenceAt(id, t)
		return Check(nil, func(g gomegaG) {
			g.Expect(got.String()).To(equal(p.String()), "%s's presence at %s: expected %s, the model had %s", name, t, p, got)
		})
	})
}

func (s *Scenario) decidedBy(name, rule string) error {
	return s.onUser(name, func(id teams.UserID) error {
		got := s.world.Teams.Rule(id)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(got).To(equal(rule), "rule that decided %s's presence", name)
		})
	})
}

func (s *Scenario) isOOF(want bool) func(string) error {
	return func(name string) error {
		return s.onUser(name, func(id teams.UserID) error {
			got := s.world.Teams.OutOfOffice(id)
			return Check(s.explain(id), func(g gomegaG) {
				g.Expect(got).To(equal(want), "outOfOfficeSettings.isOutOfOffice of %s (T-OOF-1)", name)
			})
		})
	}
}

func (s *Scenario) federatedSees(name, want string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		got, rule := s.world.Teams.Federated(id)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(got.String()).To(equal(p.String()), "federated view of %s: expected %s, derived %s by %s from internal %s", name, p.Short(), got.Short(), rule, s.world.Teams.Presence(id).Short())
		})
	})
}

func (s *Scenario) sees(viewer, target, want string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	v, err := s.user(viewer)
	if err != nil {
		return err
	}
	return s.onUser(target, func(id teams.UserID) error {
		got, rule := s.world.Teams.ViewAs(id, v)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(got.String()).To(equal(p.String()), "%s (%s) sees %s (%s): expected %s, derived %s by %s", viewer, s.world.Teams.Dir(v).Org, target, s.world.Teams.Dir(id).Org, p.Short(), got.Short(), rule)
		})
	})
}

func (s *Scenario) colour(name, want string) error {
	return s.onUser(name, func(id teams.UserID) error {
		fed, _ := s.world.Teams.Federated(id)
		got := teams.ColourOf(fed.Availability)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(string(got)).To(equal(want), "colour external viewers see for %s (federated view %s, T-FED-2)", name, fed.Short())
		})
	})
}

func (s *Scenario) privacy(name string) error {
	return s.onUser(name, func(id teams.UserID) error { s.world.Teams.SetPrivacy(id, true); return nil })
}

func (s *Scenario) block(name, other string) error {
	o, err := s.user(other)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { s.world.Teams.Block(id, o); return nil })
}

func (s *Scenario) priority(who, name string) error {
	w, err := s.user(who)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { s.world.Teams.AddPriority(id, w); return nil })
}

func (s *Scenario) fedFails(name string) error {
	return s.onUser(name, func(id teams.UserID) error { s.world.Teams.SetFederationFails(id, true); return nil })
}

// observer returns the viewer's client of the given kind, created on first
// use with a phase drawn from the world's seed.
func (s *Scenario) observer(viewer, kind string) (teams.Observer, error) {
	v, err := s.user(viewer)
	if err != nil {
		return teams.Observer{}, err
	}
	k, err := teams.ParseObserverKind(kind)
	if err != nil {
		return teams.Observer{}, err
	}
	key := strings.ToLower(viewer) + "/" + k.String()
	if o, ok := s.observers[key]; ok {
		return o, nil
	}
	o := s.world.Teams.NewObserver(v, k, s.world.Stream("observer:"+key))
	s.observers[key] = o
	return o, nil
}

// within advances time in one-second steps until the observer shows the
// expected presence, failing when the bound passes first (T-PROP-1). Time
// stays where the observer first showed it.
func (s *Scenario) within(bound, viewer, kind, target, want string) error {
	d, err := ParseDuration(bound)
	if err != nil {
		return err
	}
	o, t, p, err := s.observation(viewer, kind, target, want)
	if err != nil {
		return err
	}
	start := s.world.Clock.Now()
	deadline := start.Add(d)
	for {
		got, at := s.world.Teams.Shows(o, t)
		if got == p {
			return nil
		}
		if s.world.Clock.Now() >= deadline {
			return Check(s.explain(t), func(g gomegaG) {
				g.Expect(got.String()).To(equal(p.String()), "%s's %s client (refreshes every %s, last at %s) still shows %s as %s %s after %s (T-PROP-1)", viewer, kind, o.Lag, at, target, got.Short(), d, start)
			})
		}
		if err := s.world.Clock.Advance(time.Second); err != nil {
			return err
		}
	}
}

// observation resolves the parts of an observer step.
func (s *Scenario) observation(viewer, kind, target, want string) (teams.Observer, teams.UserID, presence.Presence, error) {
	p, err := presence.Parse(want)
	if err != nil {
		return teams.Observer{}, 0, p, err
	}
	o, err := s.observer(viewer, kind)
	if err != nil {
		return o, 0, p, err
	}
	t, err := s.user(target)
	return o, t, p, err
}

func (s *Scenario) stillShows(viewer, kind, target, want string) error {
	o, t, p, err := s.observation(viewer, kind, target, want)
	if err != nil {
		return err
	}
	got, at := s.world.Teams.Shows(o, t)
	return Check(s.explain(t), func(g gomegaG) {
		g.Expect(got.String()).To(equal(p.String()), "%s's %s client shows %s as of its last refresh at %s (T-PROP-1)", viewer, kind, target, at)
	})
}
