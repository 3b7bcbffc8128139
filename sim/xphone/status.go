package xphone

import (
	"fmt"
	"strings"

	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Status is what the XPhone client shows and which settings are active.
type Status struct {
	Text       string     // the status line: a profile name, an appointment text
	Presence   p.Presence // the presence it carries
	Profile    string     // the profile whose settings apply
	Forwarding string     // its call forwarding, "" when none
	Source     Source
	Rule       string
}

// Status derives what the client shows now: the first live source of
// displayOrder.
func (m *Model) Status(u teams.UserID) (Status, error) {
	x, err := m.get(u)
	if err != nil {
		return Status{}, err
	}
	sel := x.profiles[x.selected]
	for _, src := range m.set.Order {
		rule := sourceRule[src]
		switch src {
		case SrcXPhoneCall, SrcXPhoneMeeting:
			if (src == SrcXPhoneCall && x.calls > 0) || (src == SrcXPhoneMeeting && x.meetings > 0) {
				return Status{m.set.CallText, p.Of(p.Busy, p.InACall), sel.Name, sel.Forwarding, src, rule}, nil
			}
		case SrcTeamsCall:
			if n := len(x.appts); n > 0 {
				a := x.appts[n-1]
				return Status{a.Text, p.Of(p.Busy, p.InACall), a.Profile, a.Forwarding, src, rule}, nil
			}
		case SrcTeamsDND:
			if i := firstDND(x.profiles); x.teamsDND && i >= 0 {
				d := x.profiles[i]
				return Status{d.Name, d.Presence, d.Name, d.Forwarding, src, rule}, nil
			}
		case SrcMicSync:
			for i := len(x.mic) - 1; i >= 0; i-- {
				if m.micCounts(x.mic[i]) {
					return Status{fmt.Sprintf("%s (%s)", m.set.MicSyncProfile, x.mic[i]), m.set.MicSyncPresence, m.set.MicSyncProfile, "", src, rule}, nil
				}
			}
		case SrcProfile:
			return Status{sel.Name, sel.Presence, sel.Name, sel.Forwarding, src, rule}, nil
		}
	}
	return Status{}, fmt.Errorf("no source decided %s's XPhone status", x.name) // unreachable: SrcProfile always decides
}

// Appointments returns the user's appointment list.
func (m *Model) Appointments(u teams.UserID) []Appointment {
	x, err := m.get(u)
	if err != nil {
		return nil
	}
	return append([]Appointment(nil), x.appts...)
}

// Explain describes the user's XPhone state for failed assertions: the
// configuration, the client, the live sources, the appointments, what
// XPhone has written to Teams, its pending timers and its last journal
// entries.
func (m *Model) Explain(u teams.UserID) string {
	x, err := m.get(u)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	st, _ := m.Status(u)
	fmt.Fprintf(&b, "XPhone client of %s at %s shows %q (%s) from %s [%s]; settings of profile %q", x.name, m.clk.Now(), st.Text, st.Presence.Short(), st.Source, st.Rule, st.Profile)
	if st.Forwarding != "" {
		fmt.Fprintf(&b, ", call forwarding to %s", st.Forwarding)
	}
	if x.noTeams {
		fmt.Fprintf(&b, "\n  not synced: %s", m.Unsynced(u))
	}
	fmt.Fprintf(&b, "\n  sync mode %q (site %q, user may change: %v); client started: %v, connected: %v, notifications: %v\n",
		m.mode(x), m.site.Mode, m.site.UserMayChange, x.started, x.connected, x.notifications)
	fmt.Fprintf(&b, "  profiles: %s; selected %q, previous %q\n", profileNames(x.profiles), x.profiles[x.selected].Name, x.profiles[x.previous].Name)
	fmt.Fprintf(&b, "  XPhone calls %d, meetings %d, sharing %v, microphone %v; read from Teams %s: call %v, DND %v\n",
		x.calls, x.meetings, x.sharing, x.mic, x.lastSeen.Short(), x.teamsCall, x.teamsDND)
	fmt.Fprintf(&b, "  written to Teams: session %v, preferred DND %v\n", x.ownSession, x.ownDND)
	if !x.noTeams {
		fmt.Fprintf(&b, "  reading Teams through Graph: %s\n", m.rd.Describe(x.id))
	}
	for _, a := range x.appts {
		fmt.Fprintf(&b, "  appointment %q profile %q created %s orphaned %v\n", a.Text, a.Profile, a.Created, a.Orphaned)
	}
	for _, t := range m.clk.Pending() {
		if t.Owner == any(m) && t.Event.A == int32(u) {
			fmt.Fprintf(&b, "  pending at %s: %s\n", t.At, t.Label)
		}
	}
	var mine []JournalEntry
	for _, e := range m.journal {
		if e.User == x.name {
			mine = append(mine, e)
		}
	}
	if len(mine) > 8 {
		mine = mine[len(mine)-8:]
	}
	for _, e := range mine {
		fmt.Fprintf(&b, "  journal %s\n", e)
	}
	return b.String()
}
