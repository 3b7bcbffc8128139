package invariant

import (
	"fmt"

	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// aggRank is T-AGG-2 as the rulebook states it, independently of the
// model's precedence table: DoNotDisturb > Busy > Available > Away. Zero
// means the rule does not rank the value.
var aggRank = [16]int8{p.DoNotDisturb: 4, p.Busy: 3, p.Available: 2, p.Away: 1}

// tieRank is T-AGG-5 within one availability: the most specific live
// signal wins. Zero means the rule does not rank the activity.
var tieRank = [32]int8{
	p.Presenting: 4, p.Focusing: 3, p.ActDoNotDisturb: 2, p.UrgentInterruptionsOnly: 1,
	p.InAConferenceCall: 4, p.InACall: 3, p.InAMeeting: 2, p.ActBusy: 1,
	p.ActAvailable: 2, p.AvailableInactive: 1, p.Inactive: 1,
}

// userConfigured is the level federated viewers see (T-FED-1).
var userConfigured = [16]bool{p.Available: true, p.Busy: true, p.DoNotDisturb: true, p.BeRightBack: true, p.Away: true, p.Offline: true}

// projection is the federated availability of an internal one (T-FED-1):
// the idle variants show as their base.
var projection = [16]p.Availability{
	p.AvailabilityUnknown: p.AvailabilityUnknown, p.Available: p.Available, p.AvailableIdle: p.Available,
	p.Away: p.Away, p.BeRightBack: p.BeRightBack, p.Busy: p.Busy, p.BusyIdle: p.Busy,
	p.DoNotDisturb: p.DoNotDisturb, p.Offline: p.Offline,
}

// same reports whether the shown presence is src once the out-of-office
// flag is applied the way T-OOF-1 shows it.
func same(shown, src p.Presence) bool {
	if shown.OutOfOffice {
		src = src.WithOutOfOffice()
	}
	return shown == src
}

// Teams are the invariants of the Teams presence model.
var Teams = []Invariant{
	{
		Name:  "preferred-shown",
		Rules: []string{"T-AGG-1", "T-AGG-3"},
		Text:  "a user with a live preferred presence and at least one session shows the preferred presence",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			m := c.w.Teams
			pref, _, _, on := m.Preferred(u)
			if !on || m.Sessions(u) == 0 {
				return false, ""
			}
			if shown := m.Presence(u); !same(shown, pref) {
				return true, fmt.Sprintf("preferred presence %s is set and %d session(s) are live, but the user shows %s", pref.Short(), m.Sessions(u), shown)
			}
			return true, ""
		},
	},
	{
		Name:  "no-session-offline",
		Rules: []string{"T-AGG-4", "T-AGG-3", "T-ACT-3"},
		Text:  "a user without any session shows Offline, whatever else is set",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			m := c.w.Teams
			if m.Sessions(u) != 0 {
				return false, ""
			}
			shown := m.Presence(u)
			if shown.Availability != p.Offline || (shown.Activity != p.ActOffline && shown.Activity != p.OutOfOffice) {
				return true, fmt.Sprintf("no session is live, but the user shows %s", shown)
			}
			return true, ""
		},
	},
	{
		Name:  "highest-source-wins",
		Rules: []string{"T-AGG-2"},
		Text:  "without a preferred presence, the aggregated availability is the highest-ranked availability among the live sources (DoNotDisturb > Busy > Available > Away)",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			if !c.aggregated(u) {
				return false, ""
			}
			m := c.w.Teams
			var best p.Availability
			var bestRank int8
			distinct := false
			for i, s := range c.sources(u) {
				r := aggRank[s.Presence.Availability]
				if r == 0 {
					return false, "" // a value T-AGG-2 does not rank: not this rule's case
				}
				if i > 0 && s.Presence.Availability != best {
					distinct = true
				}
				if r > bestRank {
					best, bestRank = s.Presence.Availability, r
				}
			}
			if shown := m.Presence(u); shown.Availability != best {
				return distinct, fmt.Sprintf("the highest-ranked live source is %s (T-AGG-2), but the user shows %s", best, shown)
			}
			return distinct, ""
		},
	},
	{
		Name:  "most-specific-activity-wins",
		Rules: []string{"T-AGG-5"},
		Text:  "among live sources of the winning availability, the most specific activity is shown (Presenting > Focusing > DoNotDisturb; InAConferenceCall > InACall > InAMeeting > Busy; Available > AvailableInactive)",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			if !c.aggregated(u) {
				return false, ""
			}
			m := c.w.Teams
			shown := m.Presence(u)
			var best p.Activity
			var bestRank int8
			n := 0
			for _, s := range c.sources(u) {
				if s.Presence.Availability != shown.Availability {
					continue
				}
				r := tieRank[s.Presence.Activity]
				if r == 0 {
					return false, ""
				}
				n++
				if r > bestRank {
					best, bestRank = s.Presence.Activity, r
				}
			}
			if n < 2 || shown.OutOfOffice {
				return false, "" // no tie to break, or the flag replaced the activity
			}
			if shown.Activity != best {
				return true, fmt.Sprintf("live sources tie on %s and the most specific activity is %s (T-AGG-5), but the user shows %s", shown.Availability, best, shown)
			}
			return true, ""
		},
	},
	{
		Name:  "shown-from-a-live-source",
		Rules: []string{"T-SRC-1", "T-SRC-2"},
		Text:  "without a preferred presence, what a user with a session shows is what one of the live sources offers",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			if !c.aggregated(u) {
				return false, ""
			}
			m := c.w.Teams
			shown := m.Presence(u)
			srcs := c.sources(u)
			for _, s := range srcs {
				if same(shown, s.Presence) {
					return true, ""
				}
			}
			return true, fmt.Sprintf("the user shows %s, which none of the %d live sources offers", shown, len(srcs))
		},
	},
	{
		Name:  "out-of-office-flag",
		Rules: []string{"T-OOF-1"},
		Text:  "the out-of-office flag is shown exactly while automatic replies or an out-of-office calendar event are on",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			m := c.w.Teams
			oof := m.OutOfOffice(u)
			if shown := m.Presence(u); shown.OutOfOffice != oof {
				return oof, fmt.Sprintf("isOutOfOffice is %v, but the presence shown is %s", oof, shown)
			}
			return oof, ""
		},
	},
	{
		Name:  "federated-user-level-only",
		Rules: []string{"T-FED-1", "T-FED-3"},
		Text:  "a federated viewer sees only the user-configured level: the base activity of the projected availability, never an activity of its own (PresenceUnknown in privacy mode)",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			m := c.w.Teams
			fed, _ := m.Federated(u)
			shown := m.Presence(u)
			if m.Privacy(u) {
				if fed != p.Unknown {
					return true, fmt.Sprintf("privacy mode is on, but a federated viewer sees %s", fed)
				}
				return true, ""
			}
			want := projection[shown.Availability]
			switch {
			case !userConfigured[fed.Availability]:
				return true, fmt.Sprintf("a federated viewer sees availability %s, which is not a user-configured level", fed.Availability)
			case fed.Activity != p.BaseActivity(fed.Availability):
				return true, fmt.Sprintf("a federated viewer sees activity %s; only %s (the base of %s) may cross", fed.Activity, p.BaseActivity(fed.Availability), fed.Availability)
			case fed.Availability != want:
				return true, fmt.Sprintf("the user shows %s internally, so a federated viewer should see %s, but sees %s", shown, want, fed.Availability)
			case fed.OutOfOffice:
				return true, "the out-of-office flag crossed to a federated viewer"
			}
			return shown.Activity != fed.Activity, ""
		},
	},
	{
		Name:  "do-not-disturb-by-hand-never-rings",
		Rules: []string{"T-MAN-3", "T-REACH-1"},
		Text:  "a user who set DoNotDisturb by hand is never rung by a caller off the priority-access list",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			m := c.w.Teams
			pref, _, _, on := m.Preferred(u)
			if !on || pref.Availability != p.DoNotDisturb {
				return false, ""
			}
			for _, v := range m.Users() {
				if v == u || m.OnPriorityList(u, v) {
					continue
				}
				if out, _ := m.Call(u, v); out == teams.Rings {
					return true, fmt.Sprintf("DoNotDisturb is set by hand, but a call from %s rings (the user shows %s)", m.Name(v), m.Presence(u))
				}
			}
			return true, ""
		},
	},
	{
		Name:  "sequence-follows-changes",
		Rules: []string{"G-GET-1"},
		Text:  "the presence sequence number never goes back and grows with every change of the presence",
		Check: func(c *Checker, u teams.UserID) (bool, string) {
			last := c.last[u]
			if !last.seen {
				return false, ""
			}
			m := c.w.Teams
			shown, seq := m.Presence(u), m.Sequence(u)
			switch {
			case seq < last.seq:
				return true, fmt.Sprintf("sequence number went back from %d to %d", last.seq, seq)
			case shown != last.p && seq == last.seq:
				return true, fmt.Sprintf("presence changed from %s to %s but the sequence number stayed %d", last.p, shown, seq)
			}
			return shown != last.p, ""
		},
	},
}
