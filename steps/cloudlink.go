package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// cloudLinkSteps are the steps of Mitel CloudLink: the PBX's presence synced
// into Teams and back, and the directory it reads.
type cloudLinkSteps struct{ *Scenario }

func registerCloudLink(sc *Scenario, r *registry) {
	s := cloudLinkSteps{sc}
	r.step(`^(\w+)'s PBX phone presence is (.+)$`, "alice's PBX phone presence is Besetzt", s.phonePresence)
	r.step(`^(\w+)'s PBX user presence is (.+)$`, "alice's PBX user presence is Verfügbar", s.userPresence)
	r.step(`^(\w+)'s Teams client status is (.+)$`, "alice's Teams client status is Verbunden, inaktiv", s.teamsClientStatus)
	r.step(`^(\w+)'s CloudLink presence is (.+)$`, "alice's CloudLink presence is Besetzt", s.cloudLinkIs)
	r.step(`^Mitel One shows (\w+) as (.+)$`, "Mitel One shows alice as Abwesend", s.mitelOneShows)
	r.step(`^others in Teams see (\w+) as (.+)$`, "others in Teams see alice as Besetzt", s.othersSee)
	r.step(`^(\w+)'s CloudLink session in Teams is (.+)$`, "alice's CloudLink session in Teams is Busy/InACall", s.sessionIs)
	r.step(`^(\w+) has no CloudLink session in Teams$`, "alice has no CloudLink session in Teams", s.noSession)
	r.step(`^(\w+)'s CloudLink session in Teams expires at (\S+)$`, "alice's CloudLink session in Teams expires at 10:00", s.sessionExpires)
	r.step(`^each MiVO400 state in "([^"]+)" set on (\w+)'s desk phone gives CloudLink presence (.+)$`, `each MiVO400 state in "Besetzt oder Meeting" set on alice's desk phone gives CloudLink presence Besetzt`, s.eachGivesCloudLink)
	r.step(`^each MiVO400 state in "([^"]+)" set on (\w+)'s desk phone shows in Mitel One as (.+)$`, `each MiVO400 state in "Besetzt oder Meeting" set on alice's desk phone shows in Mitel One as Besetzt`, s.eachShowsMitelOne)
	r.step(`^presence sync is (on|off) for (\w+)$`, "presence sync is off for alice", s.syncFor)
	r.step(`^(\w+)'s CloudLink e-mail is (\S+)$`, "alice's CloudLink e-mail is alice.smith@contoso.com", s.email)
	r.step(`^(\w+)'s Azure AD mail is (\S+)$`, "alice's Azure AD mail is alice.smith@contoso.com", s.azureMail)
	r.step(`^CloudLink syncs Do Not Disturb as Presenting$`, "CloudLink syncs Do Not Disturb as Presenting", s.syncDND)
	r.step(`^the tenant has no app registration for CloudLink$`, "the tenant has no app registration for CloudLink", s.noAppRegistration)
	r.step(`^CloudLink writes its session for (.+) and refreshes it every (.+)$`, "CloudLink writes its session for 10 minutes and refreshes it every 5 minutes", s.sessionTiming)
	r.step(`^CloudLink's app id is "([^"]+)"$`, `CloudLink's app id is "5f0c3a1e-8d2b-4c6f-9a7e-1b2c3d4e5f60"`, s.appID)
	r.step(`^CloudLink syncs a PBX change after (.+)$`, "CloudLink syncs a PBX change after 10 seconds", s.syncDelay)
	r.step(`^CloudLink stops$`, "CloudLink stops", s.running(false))
	r.step(`^CloudLink starts again$`, "CloudLink starts again", s.running(true))
	r.step(`^CloudLink reports (\w+) as not synced(?: because (.+))?$`, "CloudLink reports alice as not synced because matches no user principal name", s.reportsUnsynced)
	r.step(`^CloudLink syncs (\w+)'s presence$`, "CloudLink syncs alice's presence", s.syncsUser)
}

// clState is the scenario's CloudLink state: the model and the words the
// scenario set for a row of seed 002's table, quoted in failures.
type clState struct {
	cl  *cloudlink.Model
	row map[string]string
}

type clSettingsKey struct{}

// WithCloudLinkSettings returns a context under which every scenario's
// CloudLink gets its settings adjusted by fn before the first step uses it.
// Tests use it to swap in a faulty connector; register it from a Before hook.
func WithCloudLinkSettings(ctx context.Context, fn func(*cloudlink.Settings)) context.Context {
	return context.WithValue(ctx, clSettingsKey{}, fn)
}

// cloudlink returns the scenario's CloudLink (and with it the PBX),
// attaching it on first use.
func (s *Scenario) cloudlink(ctx context.Context) (*clState, error) {
	if st, ok := s.ext["cloudlink"].(*clState); ok {
		return st, nil
	}
	cl := cloudlink.Of(s.world)
	if fn, ok := ctx.Value(clSettingsKey{}).(func(*cloudlink.Settings)); ok && fn != nil {
		set := cl.Settings()
		fn(&set)
		if err := cl.SetSettings(set); err != nil {
			return nil, fmt.Errorf("adjusted CloudLink settings: %w", err)
		}
	}
	st := Ext(s, "cloudlink", func() *clState { return &clState{cl: cl, row: map[string]string{}} })
	return st, nil
}

// clExplain explains a user's Teams presence and CloudLink presence.
func (s cloudLinkSteps) clExplain(st *clState, i int, id teams.UserID) func() string {
	return func() string {
		out := s.world.Teams.Explain(id).String() + st.cl.Explain(i)
		if row := st.rowText(); row != "" {
			out = "seed 002 row: " + row + "\n" + out
		}
		return out
	}
}

// rowColumns are seed 002's column heads in order.
var rowColumns = []string{"PBX-Telefonpräsenz", "PBX-Benutzerpräsenz", "MS Teams Client-Status"}

func (st *clState) rowText() string {
	var parts []string
	for _, c := range rowColumns {
		if v, ok := st.row[c]; ok {
			parts = append(parts, c+" "+v)
		}
	}
	return strings.Join(parts, " | ")
}

// phoneStates is the "PBX-Telefonpräsenz" column (CL-3): Besetzt is a call
// made and answered on the desk phone, Verfügbar no call.
var phoneStates = []struct {
	word    string
	inACall bool
}{
	{"Verfügbar", false},
	{"Besetzt", true},
}

func (s cloudLinkSteps) phonePresence(ctx context.Context, name, word string) error {
	st, i, err := s.pbxUser(ctx, name)
	if err != nil {
		return err
	}
	var call, found bool
	for _, ps := range phoneStates {
		if strings.EqualFold(ps.word, strings.TrimSpace(word)) {
			call, found = ps.inACall, true
		}
	}
	if !found {
		return fmt.Errorf("unknown PBX phone presence %q; valid: Verfügbar (no call), Besetzt (a call on the desk phone) (CL-3)", word)
	}
	m := st.cl.PBX()
	l := m.UserAt(i).Line(pbx.DeskPhone)
	if !l.Present || !l.Registered {
		return fmt.Errorf("%s has no registered desk phone", name)
	}
	if call && l.State == pbx.Idle {
		if err := m.LineEvent(i, pbx.DeskPhone, pbx.OffHook); err != nil {
			return err
		}
		if err := m.LineEvent(i, pbx.DeskPhone, pbx.Answer); err != nil {
			return err
		}
	}
	if !call && l.State != pbx.Idle {
		if err := m.LineEvent(i, pbx.DeskPhone, pbx.HangUp); err != nil {
			return err
		}
	}
	st.row["PBX-Telefonpräsenz"] = word
	return nil
}

func (s cloudLinkSteps) userPresence(ctx context.Context, name, word string) error {
	st, i, err := s.pbxUser(ctx, name)
	if err != nil {
		return err
	}
	us, err := st.cl.PBX().ParseUserState(word)
	if err != nil {
		return err
	}
	st.row["PBX-Benutzerpräsenz"] = word
	return st.cl.PBX().SetUserPresence(i, us, pbx.ViaPhone)
}

// clientStatuses is the "MS Teams Client-Status" column of seed 002: how the
// user's Teams clients stand, and the rule that gives their presence.
var clientStatuses = []struct {
	word  string
	rule  string
	apply func(m *teams.Model, id teams.UserID) error
}{
	{"Offline", "T-ACT-3", func(m *teams.Model, id teams.UserID) error { return nil }},
	{"Verbunden, inaktiv", "T-ACT-2", func(m *teams.Model, id teams.UserID) error {
		if err := m.SignIn(id, teams.Desktop); err != nil {
			return err
		}
		return m.Lock(id, teams.Desktop)
	}},
	{"Verbunden, aktiv", "T-ACT-1", func(m *teams.Model, id teams.UserID) error { return m.SignIn(id, teams.Desktop) }},
	{"Besetzt (in Teams-Anruf/-Meeting)", "T-CALL-1", func(m *teams.Model, id teams.UserID) error {
		if err := m.SignIn(id, teams.Desktop); err != nil {
			return err
		}
		return m.JoinMeeting(id)
	}},
	{"Fokus/Präsentieren", "T-PRES-1", func(m *teams.Model, id teams.UserID) error {
		if err := m.SignIn(id, teams.Desktop); err != nil {
			return err
		}
		return m.StartPresenting(id)
	}},
}

func (s cloudLinkSteps) teamsClientStatus(ctx context.Context, name, word string) error {
	st, err := s.cloudlink(ctx)
	if err != nil {
		return err
	}
	id, err := s.user(name)
	if err != nil {
		return err
	}
	var words []string
	for _, c := range clientStatuses {
		if strings.EqualFold(c.word, strings.TrimSpace(word)) {
			st.row["MS Teams Client-Status"] = word + " [" + c.rule + "]"
			return c.apply(s.world.Teams, id)
		}
		words = append(words, c.word)
	}
	return fmt.Errorf("unknown Teams client status %q; valid: %s", word, strings.Join(words, "; "))
}

// onPBXUser resolves a user that must already be on the PBX.
func (s cloudLinkSteps) onPBXUser(ctx context.Context, name string, fn func(st *clState, i int, id teams.UserID) error) error {
	st, i, err := s.pbxUser(ctx, name)
	if err != nil {
		return err
	}
	id, _ := s.user(name)
	return fn(st, i, id)
}

// clPresenceIs checks a user's CloudLink presence against word; msg words
// the failure from what CloudLink derived and what was expected.
func (s cloudLinkSteps) clPresenceIs(ctx context.Context, name, word string, msg func(got, want presence.Availability) string) error {
	want, err := cloudlink.Parse(word)
	if err != nil {
		return err
	}
	return s.onPBXUser(ctx, name, func(st *clState, i int, id teams.UserID) error {
		got := st.cl.Presence(i)
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(got).To(equal(want), msg(got, want))
		})
	})
}

func (s cloudLinkSteps) cloudLinkIs(ctx context.Context, name, word string) error {
	return s.clPresenceIs(ctx, name, word, func(got, want presence.Availability) string {
		return fmt.Sprintf("%s's CloudLink presence: expected %s (%s), CloudLink derived %s (%s) (CL-2)", name, want, cloudlink.Label(want), got, cloudlink.Label(got))
	})
}

// mitelOneShows checks what Mitel One shows for the user: the CloudLink
// presence, line state included (seed 002's table shows Mitel One Besetzt
// while on a desk phone call with the PBX user presence Verfügbar).
func (s cloudLinkSteps) mitelOneShows(ctx context.Context, name, word string) error {
	return s.clPresenceIs(ctx, name, word, func(got, _ presence.Availability) string {
		return fmt.Sprintf("Mitel One shows %s as %s, expected %s (CL-1, CL-2)", name, cloudlink.Label(got), word)
	})
}

// othersSee checks the availability people in Teams see, the level seed
// 002's last column names.
func (s cloudLinkSteps) othersSee(ctx context.Context, name, word string) error {
	p, err := presence.Parse(word)
	if err != nil {
		return err
	}
	return s.onPBXUser(ctx, name, func(st *clState, i int, id teams.UserID) error {
		got := s.world.Teams.Presence(id)
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(got.Availability).To(equal(p.Availability), "others in Teams see %s as %s (%s), expected %s (%s); Teams decided by %s",
				name, got.Short(), got.Label(), word, p.Availability, s.world.Teams.Rule(id))
		})
	})
}

func (s cloudLinkSteps) sessionIs(ctx context.Context, name, want string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	return s.onPBXUser(ctx, name, func(st *clState, i int, id teams.UserID) error {
		got, _, ok := s.world.Teams.AppSession(id, st.cl.App())
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(ok).To(equal(true), "%s has no session of app %q in Teams; expected %s (CL-8)", name, st.cl.Settings().AppID, p.Short())
			g.Expect(got).To(equal(p), "CloudLink's session of %s in Teams holds %s, expected %s (CL-8)", name, got.Short(), p.Short())
		})
	})
}

func (s cloudLinkSteps) noSession(ctx context.Context, name string) error {
	return s.onPBXUser(ctx, name, func(st *clState, i int, id teams.UserID) error {
		got, _, ok := s.world.Teams.AppSession(id, st.cl.App())
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(ok).To(equal(false), "%s has a CloudLink session in Teams holding %s; expected none (CL-7, CL-8)", name, got.Short())
		})
	})
}

func (s cloudLinkSteps) sessionExpires(ctx context.Context, name, at string) error {
	t, err := ParseClock(at, s.world.Clock.Now())
	if err != nil {
		return err
	}
	return s.onPBXUser(ctx, name, func(st *clState, i int, id teams.UserID) error {
		_, exp, ok := s.world.Teams.AppSession(id, st.cl.App())
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(ok).To(equal(true), "%s has no CloudLink session in Teams", name)
			g.Expect(exp).To(equal(int64(t)), "expiry of %s's CloudLink session: expected %s (C-2)", name, t)
		})
	})
}

// eachState runs check after setting every state of a cell like "Besetzt
// oder Meeting" on the user's desk phone.
func (s cloudLinkSteps) eachState(ctx context.Context, cell, name string, check func(st *clState, i int, id teams.UserID, state string) error) error {
	return s.onPBXUser(ctx, name, func(st *clState, i int, id teams.UserID) error {
		alts := alternatives(cell)
		if len(alts) == 0 {
			return fmt.Errorf("no MiVO400 state in %q", cell)
		}
		for _, a := range alts {
			us, err := st.cl.PBX().ParseUserState(a)
			if err != nil {
				return err
			}
			if err := st.cl.PBX().SetUserPresence(i, us, pbx.ViaPhone); err != nil {
				return err
			}
			if err := check(st, i, id, a); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s cloudLinkSteps) eachGivesCloudLink(ctx context.Context, cell, name, word string) error {
	want, err := cloudlink.Parse(word)
	if err != nil {
		return err
	}
	return s.eachState(ctx, cell, name, func(st *clState, i int, id teams.UserID, state string) error {
		got := st.cl.Presence(i)
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(got).To(equal(want), "MiVO400 %s gives CloudLink presence %s (%s), expected %s (CL-4)", state, got, cloudlink.Label(got), word)
		})
	})
}

func (s cloudLinkSteps) eachShowsMitelOne(ctx context.Context, cell, name, word string) error {
	want, err := pbx.ParseMitelOne(word)
	if err != nil {
		return err
	}
	return s.eachState(ctx, cell, name, func(st *clState, i int, id teams.UserID, state string) error {
		got := st.cl.PBX().UserAt(i).MitelOne
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(got).To(equal(want), "MiVO400 %s shows in Mitel One as %s, expected %s (CL-5)", state, got.Label(), want.Label())
		})
	})
}

func (s cloudLinkSteps) syncFor(ctx context.Context, on, name string) error {
	return s.onPBXUser(ctx, name, func(st *clState, i int, _ teams.UserID) error { return st.cl.SetSync(i, on == "on") })
}

func (s cloudLinkSteps) email(ctx context.Context, name, email string) error {
	return s.onPBXUser(ctx, name, func(st *clState, i int, _ teams.UserID) error { return st.cl.PBX().SetEmail(i, email) })
}

// azureMail sets the user's mail in Azure AD, which a CloudLink e-mail may
// match instead of the UPN (CL-14).
func (s cloudLinkSteps) azureMail(ctx context.Context, name, mail string) error {
	if err := pbx.CheckEmail(mail); err != nil {
		return err
	}
	id, err := s.user(name)
	if err != nil {
		return err
	}
	d := s.world.Teams.Dir(id)
	d.Mail = mail
	s.world.Teams.SetDir(id, d)
	if cl, ok := sim.Find[*cloudlink.Model](s.world); ok {
		cl.SyncAll() // CloudLink reads the directory again
	}
	return nil
}

func (s cloudLinkSteps) adjust(ctx context.Context, fn func(*cloudlink.Settings) error) error {
	st, err := s.cloudlink(ctx)
	if err != nil {
		return err
	}
	set := st.cl.Settings()
	if err := fn(&set); err != nil {
		return err
	}
	return st.cl.SetSettings(set)
}

func (s cloudLinkSteps) syncDND(ctx context.Context) error {
	return s.adjust(ctx, func(set *cloudlink.Settings) error { set.SyncDND = true; return nil })
}

func (s cloudLinkSteps) noAppRegistration(ctx context.Context) error {
	return s.adjust(ctx, func(set *cloudlink.Settings) error { set.AppRegistered = false; return nil })
}

func (s cloudLinkSteps) sessionTiming(ctx context.Context, exp, refresh string) error {
	e, err := ParseDuration(exp)
	if err != nil {
		return err
	}
	r, err := ParseDuration(refresh)
	if err != nil {
		return err
	}
	return s.adjust(ctx, func(set *cloudlink.Settings) error { set.Expiration, set.Refresh = e, r; return nil })
}

func (s cloudLinkSteps) appID(ctx context.Context, id string) error {
	return s.adjust(ctx, func(set *cloudlink.Settings) error { set.AppID = id; return nil })
}

func (s cloudLinkSteps) syncDelay(ctx context.Context, d string) error {
	dur, err := ParseDuration(d)
	if err != nil {
		return err
	}
	return s.adjust(ctx, func(set *cloudlink.Settings) error { set.SyncDelay = dur; return nil })
}

// running starts or stops CloudLink.
func (s cloudLinkSteps) running(run bool) func(context.Context) error {
	return func(ctx context.Context) error {
		st, err := s.cloudlink(ctx)
		if err != nil {
			return err
		}
		either(run, st.cl.Start, st.cl.Stop)()
		return nil
	}
}

func (s cloudLinkSteps) reportsUnsynced(ctx context.Context, name, because string) error {
	return s.onPBXUser(ctx, name, func(st *clState, i int, id teams.UserID) error {
		why := st.cl.Unsynced(i)
		report := strings.Join(st.cl.Report(), "\n")
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(why).NotTo(equal(""), "CloudLink syncs %s; expected it to report %s as not synced (CL-14)", name, name)
			g.Expect(report).To(containSubstring(name+": "), "CloudLink's report of unsynced users")
			if because != "" {
				g.Expect(why).To(containSubstring(because), "the reason CloudLink gives")
			}
		})
	})
}

func (s cloudLinkSteps) syncsUser(ctx context.Context, name string) error {
	return s.onPBXUser(ctx, name, func(st *clState, i int, id teams.UserID) error {
		why := st.cl.Unsynced(i)
		return Check(s.clExplain(st, i, id), func(g gomegaG) {
			g.Expect(why).To(equal(""), "CloudLink does not sync %s", name)
		})
	})
}
