package conformance

import (
	"fmt"
	"strings"
	"time"

	xphoneapi "github.com/presencesim/presencesim/fakes/xphone"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Limits of the XPhone judgement, in virtual time.
const (
	// XPhoneGrace is how long a two-way sync may take to follow a change
	// before the judge calls it missed: an appointment left after its
	// Teams call ended (XP-8), a Do not disturb not written or not cleared
	// (XP-10, C-4).
	XPhoneGrace = 2 * time.Minute
	// MaxTeamsHistory bounds the Teams presence changes a session keeps.
	MaxTeamsHistory = 4096
)

// xphoneRules are the rules the judge checks for a two-way sync.
var xphoneRules = []struct{ ID, Check string }{
	{"XP-6", "Teams' Do not disturb selects the first Do-not-disturb profile of \"Meine Profile\""},
	{"XP-8", "the appointment of a Teams call or meeting is deleted when it ends (within 2 min)"},
	{"XP-10", "XPhone's Do not disturb reaches Teams as preferred presence (setUserPreferredPresence) within 2 min, never as a session"},
	{"XP-13", "nothing the connector wrote to Teams comes back into XPhone: no appointment for its own session, no profile for its own Do not disturb"},
}

func init() { Rules = append(Rules, xphoneRules...) }

// teamsChange is one change of a user's Teams presence.
type teamsChange struct {
	At   clock.Time
	ID   string
	P    presence.Presence
	Call bool // a party to a Teams call of its own (teams.Model.InCall)
}

// xpChange is an XPhone change with what Teams held at that moment.
type xpChange struct {
	xphoneapi.Change
	// OwnSession is the connector's session then, OwnOK whether it had one;
	// TeamsCall whether the user was in a Teams call of its own.
	OwnSession presence.Presence
	OwnOK      bool
	TeamsCall  bool
}

// xpRecord keeps what judging a two-way sync needs; reached only with the
// world held.
type xpRecord struct {
	w       *sim.World
	history []teamsChange
	dropped int
	changes []xpChange
}

// PresenceChanged records a Teams change (teams.Listener).
func (r *xpRecord) PresenceChanged(now clock.Time, u teams.UserID, _, after presence.Presence) {
	if r.w == nil {
		return
	}
	if len(r.history) >= MaxTeamsHistory {
		r.history = r.history[1:]
		r.dropped++
	}
	// listeners hear of a change NotifyDelay after it; Graph shows it at
	// once, so the change is recorded when it happened
	at := now.Add(-r.w.Teams.Settings().NotifyDelay)
	r.history = append(r.history, teamsChange{At: at, ID: strings.ToLower(r.w.Teams.Dir(u).ID), P: after.Pair(), Call: r.w.Teams.InCall(u)})
}

// xphoneChanged records a change of the XPhone side, with the world held:
// the harness's changes are the inputs a connector reacts to (C-9).
func (s *Session) xphoneChanged(c xphoneapi.Change) {
	x := xpChange{Change: c}
	if u, err := s.w.Teams.User(c.User); err == nil {
		x.OwnSession, _, x.OwnOK = s.w.Teams.AppSession(u, s.AppSession)
		x.TeamsCall = s.w.Teams.InCall(u)
	}
	if len(s.xp.changes) < xphoneapi.MaxJournal {
		s.xp.changes = append(s.xp.changes, x)
	}
	if c.By == xphoneapi.ByHarness {
		s.inputs.add(Input{At: c.At, User: c.User, What: c.Kind.String()})
	}
}

// readsXPhone says whether the integration's connector reads the XPhone
// server.
func (s *Session) readsXPhone() bool { return s.target.Integration == "xphone" }

func (wr *Wire) xphoneContacts() int {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.xphoneHit
}

// teamsAt is the user's Teams presence at t by the recorded changes, and
// whether one was recorded by then.
func (r *xpRecord) teamsAt(id string, t clock.Time) (teamsChange, bool) {
	var last teamsChange
	ok := false
	for _, h := range r.history {
		if h.At > t {
			break
		}
		if h.ID == id {
			last, ok = h, true
		}
	}
	return last, ok
}

// mirrors says whether a Teams presence is what an appointment of the
// source mirrors.
func mirrors(source string, p presence.Presence) bool {
	if p.Availability != presence.Busy {
		return false
	}
	if source == "teams-meeting" {
		return p.Activity == presence.InAMeeting
	}
	return p.Activity == presence.InACall || p.Activity == presence.InAConferenceCall
}

// judgeXPhone is XP-6, XP-8, XP-10, XP-13 and the two-way sync's C-4, from
// the XPhone journal, the Teams changes and the wire; with the world held.
func (s *Session) judgeXPhone(calls []Call, now clock.Time, who func(string) string, on func(string) bool) []Violation {
	if !s.readsXPhone() {
		return nil
	}
	var out []Violation
	add := func(rule string, at clock.Time, user, format string, a ...any) {
		if on(rule) {
			out = append(out, Violation{Rule: rule, At: at, User: user, What: fmt.Sprintf(format, a...)})
		}
	}
	changes := s.xp.changes
	for i, c := range changes {
		id := strings.ToLower(c.ID)
		switch {
		case c.By == xphoneapi.ByConnector && c.Kind == xphoneapi.Selected && c.Presence.Availability == presence.DoNotDisturb:
			if !strings.EqualFold(c.Profile, c.FirstDND) {
				add("XP-6", c.At, c.User, "selected the profile %q for Teams' Do not disturb; the first Do-not-disturb profile of \"Meine Profile\" is %q", c.Profile, c.FirstDND)
			}
			if own, ok := lastPreferred(calls, id, c.At); ok && own.Action == "setUserPreferredPresence" {
				add("XP-13", c.At, c.User, "selected %q for a Do not disturb in Teams that was its own (setUserPreferredPresence at %s): its write came back into XPhone", c.Profile, own.At)
			}
		case c.By == xphoneapi.ByConnector && c.Kind == xphoneapi.AppointmentCreated:
			if c.Source == "teams-call" && c.OwnOK && c.OwnSession == presence.Of(presence.Busy, presence.InACall) && !c.TeamsCall {
				add("XP-13", c.At, c.User, "created the appointment %q for a Teams call, but %s has no Teams call: the Busy/InACall was its own session, written back into XPhone", c.Text, c.User)
			}
			end, ended := s.xpEnd(id, c.Source, c.At, now)
			if !ended {
				continue
			}
			deleted, at := false, now
			for _, d := range changes[i+1:] {
				if d.Kind == xphoneapi.AppointmentDeleted && strings.EqualFold(d.ID, c.ID) && d.Appointment == c.Appointment {
					deleted, at = true, d.At
					break
				}
			}
			if at.Sub(end) > XPhoneGrace {
				still := "is still there now"
				if deleted {
					still = "was deleted only at " + at.String()
				}
				add("XP-8", end.Add(XPhoneGrace), c.User, "the appointment %q (%s) created at %s %s, though Teams stopped showing it at %s", c.Text, c.Source, c.At, still, end)
			}
		case c.By == xphoneapi.ByHarness && c.Kind == xphoneapi.Selected:
			s.judgeXPhoneDND(changes, i, calls, now, add)
		}
	}
	dndWrites := map[string]int{}
	var dndFirst []Call
	for _, c := range calls {
		switch {
		case c.Action == "setPresence" && strings.EqualFold(c.Availability, "DoNotDisturb"):
			if dndWrites[c.Target] == 0 {
				dndFirst = append(dndFirst, c)
			}
			dndWrites[c.Target]++
		case c.Action == "setUserPreferredPresence" && !(strings.EqualFold(c.Availability, "DoNotDisturb") && strings.EqualFold(c.Activity, "DoNotDisturb")):
			add("C-4", c.At, who(c.Target), "setUserPreferredPresence %s: the XPhone mapping writes only DoNotDisturb/DoNotDisturb as preferred presence", c.PairText())
		}
	}
	for _, c := range dndFirst {
		n := dndWrites[c.Target]
		add("XP-10", c.At, who(c.Target), "wrote %s as its own session (%d such writes): XPhone's Do not disturb goes to Teams as preferred presence, which Teams resets after 24 h (T-MAN-2)", c.PairText(), n)
		add("C-4", c.At, who(c.Target), "wrote Do not disturb through setPresence (%s, %d such writes); the XPhone mapping has it as preferred presence", c.PairText(), n)
	}
	return out
}

// judgeXPhoneDND judges the user's selection changes[i] in XPhone: a Do
// not disturb profile must reach Teams as preferred presence (XP-10), and
// leaving it must clear what was written (C-4), each within XPhoneGrace
// unless the user changed again before.
func (s *Session) judgeXPhoneDND(changes []xpChange, i int, calls []Call, now clock.Time, add func(string, clock.Time, string, string, ...any)) {
	c := changes[i]
	until := now
	for _, n := range changes[i+1:] {
		if n.By == xphoneapi.ByHarness && (n.Kind == xphoneapi.Selected || n.Kind == xphoneapi.Profiles) && strings.EqualFold(n.ID, c.ID) {
			until = n.At
			break
		}
	}
	if until.Sub(c.At) <= XPhoneGrace {
		return
	}
	deadline := c.At.Add(XPhoneGrace)
	id := strings.ToLower(c.ID)
	dnd := c.Presence.Availability == presence.DoNotDisturb
	if dnd {
		for _, w := range calls {
			if strings.EqualFold(w.Target, id) && w.Action == "setUserPreferredPresence" && w.OK() && w.At >= c.At && w.At <= deadline {
				return
			}
		}
		add("XP-10", deadline, c.User, "the user selected the Do-not-disturb profile %q in XPhone at %s; no setUserPreferredPresence DoNotDisturb reached Teams within %s", c.Profile, c.At, XPhoneGrace)
		return
	}
	if own, ok := lastPreferred(calls, id, c.At); !ok || own.Action != "setUserPreferredPresence" {
		return
	}
	for _, w := range calls {
		if strings.EqualFold(w.Target, id) && w.Action == "clearUserPreferredPresence" && w.OK() && w.At >= c.At && w.At <= deadline {
			return
		}
	}
	add("C-4", deadline, c.User, "the user left Do not disturb in XPhone (selected %q at %s); the preferred presence the connector wrote was not cleared within %s", c.Profile, c.At, XPhoneGrace)
}

// lastPreferred is the connector's last accepted preferred-presence write
// for the user before t.
func lastPreferred(calls []Call, id string, t clock.Time) (Call, bool) {
	var last Call
	ok := false
	for _, c := range calls {
		if c.At > t {
			break
		}
		if strings.EqualFold(c.Target, id) && c.OK() && (c.Action == "setUserPreferredPresence" || c.Action == "clearUserPreferredPresence") {
			last, ok = c, true
		}
	}
	return last, ok
}

// xpEnd is when Teams stopped showing what an appointment created at t
// mirrors, if it has by now.
func (s *Session) xpEnd(id, source string, t, now clock.Time) (clock.Time, bool) {
	if at, ok := s.xp.teamsAt(id, t); ok && !mirrors(source, at.P) {
		return t, true
	}
	for _, h := range s.xp.history {
		if h.At > t && h.At <= now && h.ID == id && !mirrors(source, h.P) {
			return h.At, true
		}
	}
	return 0, false
}

// XPhoneExcerpt is the part of the XPhone journal about a user around t,
// for a failure's evidence.
func (s *Session) xphoneExcerpt(user string, t clock.Time) []string {
	var out []string
	for _, c := range s.xp.changes {
		if strings.EqualFold(c.User, user) && c.At.Sub(t) <= 2*XPhoneGrace && t.Sub(c.At) <= 2*XPhoneGrace {
			out = append(out, "xphone "+c.Change.String())
		}
	}
	return out
}
