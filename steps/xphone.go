package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/xphone"
)

// xphoneSteps are the steps of C4B XPhone Connect: profiles, appointments
// and the two-way sync.
type xphoneSteps struct {
	*Scenario
	st xpState
}

// xpState is the XPhone step group's state of one scenario.
type xpState struct {
	tune func(*xphone.Settings) // from the context, for tests that break the model
	m    *xphone.Model
}

type xphoneTuneKey struct{}

var xpContain = gomega.ContainElement

// WithXPhoneSettings returns a context under which every scenario's XPhone
// model has its settings adjusted by fn; tests use it to plant faults and
// show that the features catch them.
func WithXPhoneSettings(ctx context.Context, fn func(*xphone.Settings)) context.Context {
	return context.WithValue(ctx, xphoneTuneKey{}, fn)
}

func registerXPhone(sc *Scenario, r *registry) {
	s := &xphoneSteps{Scenario: sc}
	if r.sc != nil {
		r.sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
			st := s.state()
			st.tune, st.m = nil, nil
			if fn, ok := ctx.Value(xphoneTuneKey{}).(func(*xphone.Settings)); ok {
				st.tune = fn
			}
			return ctx, nil
		})
		// XP-13 as an invariant of every scenario that uses XPhone: no input
		// change may cause more writes to Teams than its origin allows.
		r.sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
			if s.world == nil {
				return ctx, nil
			}
			if m, ok := sim.Find[*xphone.Model](s.world); ok {
				if e := m.CheckNoEcho(); e != nil {
					return ctx, e
				}
			}
			return ctx, nil
		})
	}
	for _, o := range []event.Op{event.XPhoneUse, event.XPhoneProfile, event.XPhoneCall, event.XPhoneCallEnds,
		event.XPhoneLoseServer, event.XPhoneReconnect, event.XPhoneQuit, event.XPhoneStart,
		event.XPhoneNotificationsStop, event.XPhoneNotificationsResume} {
		sc.inputAs(r, o, s.input)
	}
	r.step(`^(.+) use XPhone Connect$`, "alice and bob use XPhone Connect", s.usesXPhone)
	r.step(`^the XPhone administrator sets "([^"]+)" to "([^"]*)"$`, `the XPhone administrator sets "Präsenzabgleich" to "Abgleich des Telefoniestatus"`, s.adminSets)
	r.step(`^the XPhone administrator tries to set "([^"]+)" to "([^"]*)"$`, `the XPhone administrator tries to set "MicrophoneUsageSync.ProcessWhitelist" to "Slack,,Discord"`, s.adminTries)
	r.step(`^(\w+) has the XPhone profiles:$`, "alice has the XPhone profiles:", s.profiles)
	r.step(`^(\w+) (joins an|leaves the) XPhone Connect meeting$`, "alice joins an XPhone Connect meeting", s.meeting)
	r.step(`^(\w+) (starts|stops) sharing `+pron+` screen in XPhone Connect$`, "alice starts sharing her screen in XPhone Connect", s.share)
	r.step(`^(\w+) changes `+pron+` XPhone sync mode to "([^"]+)"$`, `alice changes her XPhone sync mode to "telephony only"`, s.userMode)
	r.step(`^(\w+) tries to change `+pron+` XPhone sync mode to "([^"]+)"$`, `alice tries to change her XPhone sync mode to "none"`, s.tryUserMode)
	r.step(`^the process "([^"]+)" (starts|stops) using (\w+)'s microphone$`, `the process "Zoom" starts using alice's microphone`, s.microphone)
	r.step(`^the Teams action "([^"]+)" takes place between (\w+) and (\w+)$`, `the Teams action "MS Teams Call A -> B" takes place between A and B`, s.teamsAction)

	r.step(`^the XPhone (poll interval|session expiry|session refresh margin|appointment cleanup age) is (.+)$`, "the XPhone poll interval is 30 seconds", s.setting)

	r.step(`^XPhone (treats|does not treat) Teams meetings as calls$`, "XPhone treats Teams meetings as calls", s.meetings)

	r.step(`^(\w+)'s XPhone client shows (.+)$`, "alice's XPhone client shows Am Telefon (MS Teams)", s.shows)
	r.step(`^within (.+?) (\w+)'s XPhone client shows (.+)$`, "within 60 seconds alice's XPhone client shows Am Telefon (MS Teams)", s.xpWithin)
	r.step(`^(\w+)'s XPhone appointment list has (\d+) appointments?$`, "alice's XPhone appointment list has 2 appointments", s.appointmentCount)
	r.step(`^(\w+) uses XPhone Connect without a Teams account$`, "erin uses XPhone Connect without a Teams account", s.withoutTeams)
	r.step(`^XPhone reports (\w+) as not synced because (.+)$`, "XPhone reports erin as not synced because erin has no Teams account", s.xpReportsUnsynced)
	r.step(`^XPhone reports (\w+)'s microphone use as ignored because (.+)$`, `XPhone reports alice's microphone use as ignored because the central profile template "MicSync" is not active`, s.reportsMic)
	r.step(`^(\w+)'s XPhone presence is (.+)$`, "alice's XPhone presence is Nicht stören", s.xpPresenceIs)
	r.step(`^(\w+)'s XPhone appointment list is empty$`, "alice's XPhone appointment list is empty", s.noAppointments)
	r.step(`^(\w+)'s XPhone appointment list has "([^"]+)" with profile "([^"]+)"$`, `alice's XPhone appointment list has "Am Telefon (MS Teams)" with profile "Termin"`, s.xpAppointment)
	r.step(`^(\w+)'s XPhone call forwarding (is off|goes to .+)$`, "alice's XPhone call forwarding goes to Voicemail", s.forwarding)
	r.step(`^XPhone has written (\d+) times? to Teams for (\w+)$`, "XPhone has written 1 time to Teams for alice", s.writes)
	r.step(`^Teams holds (an|no) XPhone session for (\w+)$`, "Teams holds no XPhone session for alice", s.xpSession)
	r.step(`^(\w+)'s preferred presence in Teams is (.+) set (by hand|through Graph)$`, "alice's preferred presence in Teams is DoNotDisturb set through Graph", s.preferredVia)
	r.step(`^(\w+)'s XPhone sync mode is "([^"]+)"$`, `alice's XPhone sync mode is "telephony only"`, s.modeIs)
}

func (s *xphoneSteps) state() *xpState { return &s.st }

// xp returns the world's XPhone model, attached on first use with the
// scenario's settings.
func (s *xphoneSteps) xp() (*xphone.Model, error) {
	st := s.state()
	if st.m != nil {
		return st.m, nil
	}
	m := xphone.Attach(s.world)
	if st.tune != nil {
		set := m.Settings()
		st.tune(&set)
		if err := m.SetSettings(set); err != nil {
			return nil, err
		}
	}
	st.m = m
	return m, nil
}

// onXP resolves the model and a user and applies fn.
func (s *xphoneSteps) onXP(name string, fn func(*xphone.Model, teams.UserID) error) error {
	m, err := s.xp()
	if err != nil {
		return err
	}
	id, err := s.user(name)
	if err != nil {
		local, ok := m.LocalUser(name)
		if !ok {
			return err
		}
		id = local // uses XPhone without a Teams account (XP-11)
	}
	return fn(m, id)
}

// why explains a user's XPhone and Teams state for a failed assertion.
func (s *xphoneSteps) why(m *xphone.Model, id teams.UserID) func() string {
	return func() string {
		if id < 0 {
			return m.Explain(id) + "\nTeams: no account\n"
		}
		return m.Explain(id) + "\nTeams:\n" + s.world.Teams.Explain(id).String()
	}
}

// input applies an XPhone input with the model readied with the
// scenario's settings, saying what is missing when it is refused.
func (s *xphoneSteps) input(ev event.Event) error {
	m, err := s.xp()
	if err != nil {
		return err
	}
	if _, known := s.user(ev.User()); known != nil {
		if id, ok := m.LocalUser(ev.User()); ok && localXPhone[ev.Op] != nil {
			return localXPhone[ev.Op](m, id)
		}
	}
	err = s.apply(ev)
	if id, _ := s.user(ev.User()); errors.Is(err, event.ErrRefused) {
		if ev.Op == event.XPhoneUse {
			return fmt.Errorf("%s already uses XPhone Connect: %w", ev.User(), err)
		}
		if !m.Uses(id) {
			return fmt.Errorf("%s does not use XPhone Connect; say %q first: %w", ev.User(), ev.User()+" uses XPhone Connect", err)
		}
	}
	return err
}

// localXPhone are the inputs a person without a Teams account may cause
// in XPhone (XP-11): no person of the world, an input cannot name them.
var localXPhone = map[event.Op]func(*xphone.Model, teams.UserID) error{
	event.XPhoneCall:     (*xphone.Model).StartCall,
	event.XPhoneCallEnds: (*xphone.Model).EndCall,
}

// usesXPhone adds several people at once ("alice and bob use XPhone
// Connect").
func (s *xphoneSteps) usesXPhone(list string) error {
	for _, n := range splitNames(list) {
		if err := s.input(event.Event{Op: event.XPhoneUse, Users: []string{n}}); err != nil {
			return err
		}
	}
	return nil
}

func (s *xphoneSteps) adminSets(key, value string) error {
	m, err := s.xp()
	if err != nil {
		return err
	}
	return m.SetSite(key, value)
}

// setting sets one of the model's decided values.
func (s *xphoneSteps) setting(which, value string) error {
	d, err := ParseDuration(value)
	if err != nil {
		return err
	}
	m, err := s.xp()
	if err != nil {
		return err
	}
	set := m.Settings()
	switch which {
	case "poll interval":
		set.PollInterval = d
	case "session expiry":
		set.SessionExpiry = d
	case "session refresh margin":
		set.RefreshBefore = d
	case "appointment cleanup age":
		set.AppointmentMaxAge = d
	}
	return m.SetSettings(set)
}

func (s *xphoneSteps) meetings(verb string) error {
	m, err := s.xp()
	if err != nil {
		return err
	}
	set := m.Settings()
	set.TeamsMeetings = verb == "treats"
	return m.SetSettings(set)
}

func (s *xphoneSteps) adminTries(key, value string) error {
	m, err := s.xp()
	if err != nil {
		return err
	}
	s.refused = m.SetSite(key, value)
	if s.refused == nil {
		s.refused = errAccepted
	}
	return nil
}

// profilesTable reads a step's table of XPhone profiles.
func profilesTable(t *godog.Table) ([]xphone.Profile, error) {
	if t == nil {
		return xphone.ParseProfiles(nil)
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		for _, c := range r.Cells {
			rows[i] = append(rows[i], c.Value)
		}
	}
	return xphone.ParseProfiles(rows)
}

func (s *xphoneSteps) profiles(name string, t *godog.Table) error {
	list, err := profilesTable(t)
	if err != nil {
		return err
	}
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error { return m.SetProfiles(id, list) })
}

func either[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

func (s *xphoneSteps) meeting(name, verb string) error {
	return s.onXP(name, either(verb == "joins an", (*xphone.Model).JoinMeeting, (*xphone.Model).LeaveMeeting))
}

func (s *xphoneSteps) share(name, verb string) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error { return m.ShareScreen(id, verb == "starts") })
}

func (s *xphoneSteps) userMode(name, mode string) error {
	md, err := xphone.ParseMode(mode)
	if err != nil {
		return err
	}
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error { return m.SetUserMode(id, md) })
}

func (s *xphoneSteps) tryUserMode(name, mode string) error {
	md, err := xphone.ParseMode(mode)
	if err != nil {
		return err
	}
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		s.refused = m.SetUserMode(id, md)
		if s.refused == nil {
			s.refused = errAccepted
		}
		return nil
	})
}

func (s *xphoneSteps) microphone(process, verb, name string) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		_, err := m.Microphone(id, process, verb == "starts")
		return err
	})
}

func (s *xphoneSteps) teamsAction(action, a, b string) error {
	act, err := xphone.ParseTeamsAction(action)
	if err != nil {
		return err
	}
	ua, err := s.user(a)
	if err != nil {
		return err
	}
	ub, err := s.user(b)
	if err != nil {
		return err
	}
	c, err := xphone.PerformTeamsAction(s.world.Teams, act, ua, ub)
	if err != nil {
		return err
	}
	event.RememberCall(s.world, c)
	return nil
}

func (s *xphoneSteps) shows(name, want string) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		st, err := m.Status(id)
		if err != nil {
			return err
		}
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(normText(st.Text)).To(equal(normText(want)), "%s's XPhone client at %s: expected %q, the model shows %q (%s) from %s [%s]", name, s.world.Clock.Now(), want, st.Text, st.Presence.Short(), st.Source, st.Rule)
		})
	})
}

func normText(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func (s *xphoneSteps) xpPresenceIs(name, want string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		st, err := m.Status(id)
		if err != nil {
			return err
		}
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(st.Presence.Short()).To(equal(p.Short()), "%s's XPhone presence: expected %s, the model shows %q = %s from %s [%s]", name, p.Short(), st.Text, st.Presence.Short(), st.Source, st.Rule)
		})
	})
}

func (s *xphoneSteps) noAppointments(name string) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		n := len(m.Appointments(id))
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(n).To(equal(0), "%s's XPhone appointment list at %s should be empty (XP-8)", name, s.world.Clock.Now())
		})
	})
}

func (s *xphoneSteps) xpAppointment(name, text, profile string) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		var got []string
		for _, a := range m.Appointments(id) {
			got = append(got, fmt.Sprintf("%s|%s", a.Text, a.Profile))
		}
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(got).To(xpContain(text+"|"+profile), "%s's XPhone appointment list (text|profile) should hold %q with profile %q (XP-7)", name, text, profile)
		})
	})
}

func (s *xphoneSteps) forwarding(name, want string) error {
	want = strings.TrimPrefix(want, "goes to ")
	if want == "is off" {
		want = ""
	}
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		st, err := m.Status(id)
		if err != nil {
			return err
		}
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(st.Forwarding).To(equal(want), "call forwarding of %s's active XPhone profile %q (\"\" = off, XP-7)", name, st.Profile)
		})
	})
}

func (s *xphoneSteps) writes(n int, name string) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		got := m.Writes(id)
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(got).To(equal(n), "writes XPhone made to Teams for %s (XP-13)", name)
		})
	})
}

func (s *xphoneSteps) xpSession(verb, name string) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		_, _, ok := s.world.Teams.AppSession(id, s.world.Teams.App(m.Settings().App))
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(ok).To(equal(verb == "an"), "whether Teams holds XPhone's app session for %s", name)
		})
	})
}

func (s *xphoneSteps) modeIs(name, mode string) error {
	want, err := xphone.ParseMode(mode)
	if err != nil {
		return err
	}
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		got, err := m.Mode(id)
		if err != nil {
			return err
		}
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(got.String()).To(equal(want.String()), "%s's effective XPhone sync mode (XP-1)", name)
		})
	})
}

// preferredVia checks the user-configured presence Teams holds and where
// it was set: XPhone writes through Graph (XP-10).
func (s *xphoneSteps) preferredVia(name, want, via string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		got, _, _, ok := s.world.Teams.Preferred(id)
		src := ""
		for _, st := range s.world.Teams.Explain(id).Sources {
			if strings.HasPrefix(st.Name, "preferred (") {
				src = strings.TrimSuffix(strings.TrimPrefix(st.Name, "preferred ("), ")")
			}
		}
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(ok).To(equal(true), "Teams holds no preferred presence for %s", name)
			g.Expect(got.Short()).To(equal(p.Short()), "%s's preferred presence in Teams", name)
			g.Expect(src).To(equal(via), "where %s's preferred presence was set (XP-10: XPhone writes through Graph)", name)
		})
	})
}

// xpWithin advances time in one-second steps until the XPhone client shows
// the text, failing when the bound passes first. Time stays where the
// client first showed it.
func (s *xphoneSteps) xpWithin(bound, name, want string) error {
	d, err := ParseDuration(bound)
	if err != nil {
		return err
	}
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		start := s.world.Clock.Now()
		deadline := start.Add(d)
		for {
			st, err := m.Status(id)
			if err != nil {
				return err
			}
			if normText(st.Text) == normText(want) {
				return nil
			}
			if s.world.Clock.Now() >= deadline {
				return Check(s.why(m, id), func(g gomegaG) {
					g.Expect(st.Text).To(equal(want), "%s's XPhone client still shows %q (%s, from %s [%s]) at %s, %s after %s; expected %q within that time",
						name, st.Text, st.Presence.Short(), st.Source, st.Rule, s.world.Clock.Now(), d, start, want)
				})
			}
			if err := s.world.Clock.Advance(time.Second); err != nil {
				return err
			}
		}
	})
}

func (s *xphoneSteps) appointmentCount(name string, n int) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		var got []string
		for _, a := range m.Appointments(id) {
			state := "current"
			if a.Orphaned {
				state = "left by a lost connection"
			}
			got = append(got, fmt.Sprintf("%q (profile %q, created %s, %s)", a.Text, a.Profile, a.Created, state))
		}
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(len(got)).To(equal(n), "the number of appointments in %s's XPhone appointment list at %s; it holds: %s (XP-7, XP-8)", name, s.world.Clock.Now(), listOrNone(got))
		})
	})
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, "; ")
}

func (s *xphoneSteps) withoutTeams(name string) error {
	m, err := s.xp()
	if err != nil {
		return err
	}
	_, err = m.AddUserWithoutTeams(name)
	return err
}

// report checks that XPhone's report has a line for the user that
// contains the reason.
func (s *xphoneSteps) report(name, what, because string) error {
	return s.onXP(name, func(m *xphone.Model, id teams.UserID) error {
		var mine []string
		for _, line := range m.Report() {
			if strings.HasPrefix(line, name+": "+what) {
				mine = append(mine, line)
			}
		}
		return Check(s.why(m, id), func(g gomegaG) {
			g.Expect(mine).NotTo(gomega.BeEmpty(), "XPhone's report should say %s: %s; it says: %s", name, what, listOrNone(m.Report()))
			g.Expect(strings.Join(mine, "\n")).To(containSubstring(because), "the reason XPhone gives for %s", name)
		})
	})
}

func (s *xphoneSteps) xpReportsUnsynced(name, because string) error {
	return s.report(name, "not synced", because)
}

func (s *xphoneSteps) reportsMic(name, because string) error {
	return s.report(name, "microphone use", because)
}
