package steps

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"

	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// viewSteps check what people see of each other: presence, federated views,
// clients, colours, privacy.
type viewSteps struct{ *Scenario }

// within is the bound of a "within" step: "60 seconds", "1 minute", "an hour".
const within = `(\d+ \w+|an? \w+)`

// until is the optional end of an "is" step that makes it hold over time.
const until = `(?: until (\d{1,2}:\d{2}(?::\d{2})?|day \d+ \d{1,2}:\d{2}))?`

func registerViews(sc *Scenario, r *registry) {
	s := viewSteps{sc}
	r.step(`^(\w+)'s presence is (.+)$`, "alice's presence is Busy/InAMeeting", s.presenceIs)
	r.step(`^(\w+)'s presence stays (.+) until (\S+|day \d+ \S+)$`, "alice's presence stays Busy/InACall until 09:45", s.presenceStays)
	r.step(`^within `+within+` (\w+)'s presence is (.+)$`, "within 5 minutes alice's presence is Away", s.presenceWithin)
	r.step(`^(\w+)'s presence was (.+) at (\S+)$`, "alice's presence was Away at 10:05", s.presenceWas)
	r.step(`^(\w+)'s presence was decided by (\S+)$`, "alice's presence was decided by T-AGG-2", s.decidedBy)
	r.step(`^(\w+) is shown as out of office$`, "alice is shown as out of office", s.isOOF(true))
	r.step(`^(\w+) is not shown as out of office$`, "alice is not shown as out of office", s.isOOF(false))
	r.step(`^a federated user sees (\w+) as (.+?)`+until+`$`, "a federated user sees alice as Busy", s.federatedSees)
	r.step(`^within `+within+` a federated user sees (\w+) as (.+)$`, "within 1 minute a federated user sees alice as Busy", s.federatedWithin)
	r.step(`^(\w+) sees (\w+) as (.+?)`+until+`$`, "dave sees alice as Busy until 10:00", s.sees)
	r.step(`^within `+within+` (\w+) sees (\w+) as (.+)$`, "within 2 minutes bob sees alice as Away, last seen 09:00", s.seesWithin)
	r.step(`^external viewers see (\w+) in (green|yellow|red|grey)$`, "external viewers see alice in red", s.colour)
	r.step(`^(\w+) turns privacy mode on$`, "alice turns privacy mode on", s.privacy)
	r.step(`^(\w+) blocks (\w+)$`, "alice blocks dave", s.block)
	r.step(`^(\w+) is on (\w+)'s priority-access list$`, "bob is on alice's priority-access list", s.priority)
	r.step(`^federated lookups of (\w+) fail$`, "federated lookups of alice fail", s.fedFails)
	r.step(`^within `+within+` (\w+)'s (desktop|web|phone) client shows (\w+) as (.+)$`, "within 5 minutes bob's web client shows alice as Busy/InACall", s.within)
	r.step(`^(\w+)'s (desktop|web|phone) client shows (\w+) as (.+?)`+until+`$`, "bob's web client shows alice as Available until 10:05", s.clientShows)
	r.step(`^(\w+)'s (desktop|web|phone) client still shows (\w+) as (.+)$`, "bob's phone client still shows alice as Available", s.stillShows)
}

func (s viewSteps) presenceWas(name, want, at string) error {
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

func (s viewSteps) decidedBy(name, rule string) error {
	return s.onUser(name, func(id teams.UserID) error {
		got := s.world.Teams.Rule(id)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(got).To(equal(rule), "rule that decided %s's presence", name)
		})
	})
}

func (s viewSteps) isOOF(want bool) func(string) error {
	return func(name string) error {
		return s.onUser(name, func(id teams.UserID) error {
			got := s.world.Teams.OutOfOffice(id)
			return Check(s.explain(id), func(g gomegaG) {
				g.Expect(got).To(equal(want), "outOfOfficeSettings.isOutOfOffice of %s (T-OOF-1)", name)
			})
		})
	}
}

func (s viewSteps) colour(name, want string) error {
	return s.onUser(name, func(id teams.UserID) error {
		fed, _ := s.world.Teams.Federated(id)
		got := teams.ColourOf(fed.Availability)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(string(got)).To(equal(want), "colour external viewers see for %s (federated view %s, T-FED-2)", name, fed.Short())
		})
	})
}

func (s viewSteps) privacy(name string) error {
	return s.onUser(name, func(id teams.UserID) error { s.world.Teams.SetPrivacy(id, true); return nil })
}

func (s viewSteps) block(name, other string) error {
	o, err := s.user(other)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { s.world.Teams.Block(id, o); return nil })
}

func (s viewSteps) priority(who, name string) error {
	w, err := s.user(who)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { s.world.Teams.AddPriority(id, w); return nil })
}

func (s viewSteps) fedFails(name string) error {
	return s.onUser(name, func(id teams.UserID) error { s.world.Teams.SetFederationFails(id, true); return nil })
}

// observer returns the viewer's client of the given kind, created on first
// use with a phase drawn from the world's seed.
func (s viewSteps) observer(viewer, kind string) (teams.Observer, error) {
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

// observation resolves the parts of an observer step.
func (s viewSteps) observation(viewer, kind, target, want string) (teams.Observer, teams.UserID, presence.Presence, error) {
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

// presenceView is the user's presence as people inside the organisation see
// it.
func (s *Scenario) presenceView(name, want string) (View, error) {
	p, err := presence.Parse(want)
	if err != nil {
		return View{}, err
	}
	id, err := s.user(name)
	if err != nil {
		return View{}, err
	}
	return View{
		Name: name + "'s presence",
		Want: p,
		Read: func() (any, bool, string) {
			got := s.world.Teams.Presence(id)
			return got, got == p, "by " + s.world.Teams.Rule(id)
		},
		Why: s.explain(id),
	}, nil
}

func (s viewSteps) presenceIs(name, want string) error {
	v, err := s.presenceView(name, want)
	if err != nil {
		return err
	}
	return s.Is(v)
}

func (s viewSteps) presenceStays(name, want, until string) error {
	v, err := s.presenceView(name, want)
	if err != nil {
		return err
	}
	return s.StaysUntil(v, until)
}

func (s *Scenario) presenceWithin(bound, name, want string) error {
	v, err := s.presenceView(name, want)
	if err != nil {
		return err
	}
	return s.Within(v, bound)
}

// federatedView is what federated users and external apps see (T-FED-1).
func (s viewSteps) federatedView(name, want string) (View, error) {
	p, err := presence.Parse(want)
	if err != nil {
		return View{}, err
	}
	id, err := s.user(name)
	if err != nil {
		return View{}, err
	}
	return View{
		Name: "the federated view of " + name,
		Want: p,
		Read: func() (any, bool, string) {
			got, rule := s.world.Teams.Federated(id)
			return got, got == p, fmt.Sprintf("by %s from internal %s", rule, s.world.Teams.Presence(id).Short())
		},
		Why: s.explain(id),
	}, nil
}

func (s viewSteps) federatedSees(name, want, until string) error {
	v, err := s.federatedView(name, want)
	if err != nil {
		return err
	}
	if until != "" {
		return s.StaysUntil(v, until)
	}
	return s.Is(v)
}

func (s viewSteps) federatedWithin(bound, name, want string) error {
	v, err := s.federatedView(name, want)
	if err != nil {
		return err
	}
	return s.Within(v, bound)
}

// lastSeenRe reads the "last seen" part of a viewer step: "Away, last seen
// 09:00", "Weg, zuletzt gesehen 09:00".
var lastSeenRe = regexp.MustCompile(`(?i)^(.+?),\s*(?:last seen|zuletzt gesehen)\s+(.+)$`)

// viewerView is what one person sees of another: the presence (T-FED-1,
// T-FED-3), the "last seen" time beside Away and Offline (T-STATE-2), or
// "Blockiert" for a person the viewer blocks (T-FED-3).
func (s viewSteps) viewerView(viewer, target, want string) (View, error) {
	v, err := s.user(viewer)
	if err != nil {
		return View{}, err
	}
	id, err := s.user(target)
	if err != nil {
		return View{}, err
	}
	m := s.world.Teams
	name := viewer + "'s view of " + target
	if t, ok := presence.Lookup(want); ok && t.Kind == presence.KindIndicator && (t.Label == "Blockiert" || t.Label == "Blocked") {
		return View{Name: name, Want: fmt.Sprintf("%q (%s blocks %s, T-FED-3)", want, viewer, target), Why: s.explain(id),
			Read: func() (any, bool, string) {
				if m.Blocked(v, id) {
					return fmt.Sprintf("%q", want), true, ""
				}
				got, rule := m.ViewAs(id, v)
				return got.Described(), false, fmt.Sprintf("by %s; %s does not block %s", rule, viewer, target)
			}}, nil
	}
	var seen clock.Time
	hasSeen := false
	if g := lastSeenRe.FindStringSubmatch(want); g != nil {
		t, err := ParseClock(g[2], s.world.Clock.Now())
		if err != nil {
			return View{}, err
		}
		want, seen, hasSeen = g[1], t, true
	}
	p, err := presence.Parse(want)
	if err != nil {
		return View{}, err
	}
	var wantV any = p
	if hasSeen {
		wantV = p.Described() + ", last seen " + seen.String()
	}
	return View{Name: name, Want: wantV, Why: s.explain(id),
		Read: func() (any, bool, string) {
			got, rule := m.ViewAs(id, v)
			how := fmt.Sprintf("by %s (%s of %s, %s of %s)", rule, viewer, m.Dir(v).Org, target, m.Dir(id).Org)
			at, shown := m.LastSeen(id, v)
			if !hasSeen {
				return got, got == p, how
			}
			text := got.Described()
			if shown {
				text += ", last seen " + at.String()
			}
			return text, got == p && shown && at == seen, how
		}}, nil
}

func (s viewSteps) sees(viewer, target, want, until string) error {
	v, err := s.viewerView(viewer, target, want)
	if err != nil {
		return err
	}
	if until != "" {
		return s.StaysUntil(v, until)
	}
	return s.Is(v)
}

func (s viewSteps) seesWithin(bound, viewer, target, want string) error {
	v, err := s.viewerView(viewer, target, want)
	if err != nil {
		return err
	}
	return s.Within(v, bound)
}

// clientView is what a viewer's client shows of a user: the presence as of
// its last refresh (T-PROP-1).
func (s viewSteps) clientView(viewer, kind, target, want string) (View, error) {
	o, t, p, err := s.observation(viewer, kind, target, want)
	if err != nil {
		return View{}, err
	}
	return View{
		Name: fmt.Sprintf("%s's %s client showing %s", viewer, kind, target),
		Want: p,
		Read: func() (any, bool, string) {
			got, at := s.world.Teams.Shows(o, t)
			return got, got == p, fmt.Sprintf("as of its last refresh at %s (refreshes every %s, T-PROP-1)", at, o.Lag)
		},
		Why: s.explain(t),
	}, nil
}

func (s viewSteps) within(bound, viewer, kind, target, want string) error {
	v, err := s.clientView(viewer, kind, target, want)
	if err != nil {
		return err
	}
	return s.Within(v, bound)
}

func (s viewSteps) clientShows(viewer, kind, target, want, until string) error {
	v, err := s.clientView(viewer, kind, target, want)
	if err != nil {
		return err
	}
	if until != "" {
		return s.StaysUntil(v, until)
	}
	return s.Is(v)
}

func (s viewSteps) stillShows(viewer, kind, target, want string) error {
	v, err := s.clientView(viewer, kind, target, want)
	if err != nil {
		return err
	}
	return s.Is(v)
}
