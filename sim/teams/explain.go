package teams

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// SourceState is one live source in an explanation.
type SourceState struct {
	Name     string
	Presence presence.Presence
	Rule     string
	Detail   string
}

// Explanation says why a user has the presence they have: the live sources,
// the rule that chose the winner, and the timers that will change it.
type Explanation struct {
	User        string
	At          clock.Time
	Presence    presence.Presence
	Federated   presence.Presence
	Rule        string
	Winner      string
	Sessions    int
	Sources     []SourceState
	OutOfOffice string
	Timers      []clock.PendingTimer
	// WorkLocation is the aggregated work location and Locations the
	// signals of its layers (G-LOC-1).
	WorkLocation WorkLocation
	Locations    []SourceState
}

// Explain builds the explanation of a user's presence now.
func (m *Model) Explain(id UserID) Explanation {
	u := m.users[id]
	fed, _ := m.Federated(id)
	e := Explanation{User: u.dir.Name, At: m.clk.Now(), Presence: u.cur, Federated: fed, Rule: u.rule, Winner: u.winner, Sessions: u.sessions()}
	for _, s := range m.appendLive(u, nil) {
		src := SourceState{Name: m.name(u, s), Presence: s.Presence, Rule: u.ruleOf(s)}
		switch s.Kind {
		case SrcDesktop, SrcWeb, SrcMobile:
			src.Name += " client"
			src.Detail = clientDetail(&u.clients[s.at])
		case SrcApp:
			a := &u.apps[s.at]
			src.Detail = fmt.Sprintf("wrote %s, expires %s", a.set.Short(), a.expiresAt)
			if a.stage > 0 {
				src.Detail += ", faded (not refreshed)"
			}
		case SrcCall:
			src.Detail = fmt.Sprintf("%d call(s), %d conference call(s)", u.calls, u.confCalls)
		case SrcMeeting:
			src.Detail = "in a Teams meeting"
		case SrcPresenting:
			src.Detail = "sharing the screen"
		case SrcCalendar, SrcFocus:
			// a line for each entry that keeps the source on
			for _, a := range u.appointments {
				if a.active && a.ShowAs.source() == s.Kind {
					src.Detail = fmt.Sprintf("%q %s–%s", a.Subject, a.Start, a.End)
					e.Sources = append(e.Sources, src)
				}
			}
			continue
		}
		e.Sources = append(e.Sources, src)
	}
	for k := range u.clients {
		if c := &u.clients[k]; c.signedIn && !c.live() {
			e.Sources = append(e.Sources, SourceState{clientNames[k] + " client", presence.Of(presence.Offline, presence.ActOffline), ruleClientVanished, "signed in, session timed out: no session"})
		}
	}
	if u.pref.on {
		until := "until reset"
		if u.pref.timed {
			until = "until " + u.pref.until.String()
		}
		e.Sources = append(e.Sources, SourceState{sourceNames[SrcPreferred] + " (" + u.pref.via + ")", u.pref.p, sourceRule[SrcPreferred], until})
	}
	oofRule := sourceRule[SrcOOF]
	switch {
	case u.autoReplies && u.calOOF > 0:
		e.OutOfOffice = "automatic replies on and an out-of-office calendar event (" + oofRule + ")"
	case u.autoReplies:
		e.OutOfOffice = "automatic replies on (" + oofRule + ")"
	case u.calOOF > 0:
		e.OutOfOffice = "calendar event shown as out of office (" + oofRule + ")"
	}
	m.explainLocation(&e, id)
	for _, t := range m.clk.Pending() {
		if (t.Owner == Handler(m) && t.Event.Op != int32(opNotify) || t.Owner == Handler(locationTimers{m})) && t.Event.A == int32(id) {
			e.Timers = append(e.Timers, t)
		}
	}
	return e
}

// clientDetail says what a live client is doing.
func clientDetail(c *client) string {
	switch {
	case c.asleep:
		return "computer asleep (session held, Away, until it times out)"
	case c.crashed:
		return "quit without signing out (session held, Away, until it times out)"
	case !c.online:
		return c.state.String() + ", no network (session held, Away, until it times out)"
	}
	return c.state.String()
}

// Handler is the clock handler type, named here so Explain can tell the
// model's own timers apart.
type Handler = clock.Handler

// String prints the explanation in a few lines for assertion messages.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s at %s is %s (%q)", e.User, e.At, e.Presence, e.Presence.Label())
	switch {
	case e.Rule != "" && e.Winner != "":
		fmt.Fprintf(&b, ", chosen by %s from %s", e.Rule, e.Winner)
	case e.Rule != "":
		fmt.Fprintf(&b, ", decided by %s", e.Rule)
	}
	fmt.Fprintf(&b, "; federated view %s\n", e.Federated.Short())
	if len(e.Sources) == 0 {
		b.WriteString("  no live sources\n")
	}
	fmt.Fprintf(&b, "  sessions: %d\n", e.Sessions)
	for _, s := range e.Sources {
		fmt.Fprintf(&b, "  source %-22s %-32s [%s] %s\n", s.Name, s.Presence, s.Rule, s.Detail)
	}
	if e.OutOfOffice != "" {
		fmt.Fprintf(&b, "  out of office: %s\n", e.OutOfOffice)
	}
	if e.WorkLocation != (WorkLocation{}) || len(e.Locations) > 0 {
		fmt.Fprintf(&b, "  work location: %s [%s]\n", e.WorkLocation, ruleWorkLocation)
	}
	for _, s := range e.Locations {
		fmt.Fprintf(&b, "    layer %-10s %s (%s)\n", s.Name, s.Detail, s.Rule)
	}
	for _, t := range e.Timers {
		fmt.Fprintf(&b, "  pending at %s: %s\n", t.At, t.Label)
	}
	return b.String()
}
