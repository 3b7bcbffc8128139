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
	for k := range u.clients {
		c := &u.clients[k]
		switch {
		case c.live():
			detail := c.state.String()
			switch {
			case c.asleep:
				detail = "computer asleep (session held, Away, until it times out)"
			case c.crashed:
				detail = "quit without signing out (session held, Away, until it times out)"
			case !c.online:
				detail += ", no network (session held, Away, until it times out)"
			}
			e.Sources = append(e.Sources, SourceState{clientNames[k] + " client", c.shows(), c.rule(), detail})
		case c.signedIn:
			e.Sources = append(e.Sources, SourceState{clientNames[k] + " client", presence.Of(presence.Offline, presence.ActOffline), "T-ACT-4", "signed in, session timed out: no session"})
		}
	}
	for _, s := range u.apps {
		detail := fmt.Sprintf("wrote %s, expires %s", s.set.Short(), s.expiresAt)
		rule := "T-SRC-2"
		if s.stage > 0 {
			detail += ", faded (not refreshed)"
			rule = "G-SET-2"
		}
		e.Sources = append(e.Sources, SourceState{m.srcNames[s.app], s.cur, rule, detail})
	}
	if u.pref.on {
		until := "until reset"
		if u.pref.timed {
			until = "until " + u.pref.until.String()
		}
		e.Sources = append(e.Sources, SourceState{"preferred (" + u.pref.via + ")", u.pref.p, "T-AGG-1", until})
	}
	if p := callPresence(u); p.Availability != presence.Offline {
		e.Sources = append(e.Sources, SourceState{"call", p, "T-CALL-1", fmt.Sprintf("%d call(s), %d conference call(s)", u.calls, u.confCalls)})
	}
	if u.meetings > 0 {
		e.Sources = append(e.Sources, SourceState{"meeting", sourcePresence[SrcMeeting], "T-CALL-1", "in a Teams meeting"})
	}
	if u.presenting > 0 {
		e.Sources = append(e.Sources, SourceState{"presenting", sourcePresence[SrcPresenting], "T-PRES-1", "sharing the screen"})
	}
	for _, a := range u.appointments {
		if !a.active {
			continue
		}
		switch a.ShowAs {
		case ShowBusy:
			e.Sources = append(e.Sources, SourceState{"calendar", sourcePresence[SrcCalendar], "T-CAL-1", fmt.Sprintf("%q %s–%s", a.Subject, a.Start, a.End)})
		case ShowFocus:
			e.Sources = append(e.Sources, SourceState{"focus time", m.focusPresence(), "T-CAL-2", fmt.Sprintf("%q %s–%s", a.Subject, a.Start, a.End)})
		}
	}
	switch {
	case u.autoReplies && u.calOOF > 0:
		e.OutOfOffice = "automatic replies on and an out-of-office calendar event (T-OOF-1)"
	case u.autoReplies:
		e.OutOfOffice = "automatic replies on (T-OOF-1)"
	case u.calOOF > 0:
		e.OutOfOffice = "calendar event shown as out of office (T-OOF-1)"
	}
	m.explainLocation(&e, id)
	for _, t := range m.clk.Pending() {
		if (t.Owner == Handler(m) && t.Event.Op != int32(opNotify) || t.Owner == Handler(locationTimers{m})) && t.Event.A == int32(id) {
			e.Timers = append(e.Timers, t)
		}
	}
	return e
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
		fmt.Fprintf(&b, "  work location: %s [G-LOC-1]\n", e.WorkLocation)
	}
	for _, s := range e.Locations {
		fmt.Fprintf(&b, "    layer %-10s %s (%s)\n", s.Name, s.Detail, s.Rule)
	}
	for _, t := range e.Timers {
		fmt.Fprintf(&b, "  pending at %s: %s\n", t.At, t.Label)
	}
	return b.String()
}
