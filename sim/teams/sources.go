package teams

import "github.com/presencesim/presencesim/sim/presence"

// LiveSource is one source that currently offers the user a presence.
type LiveSource struct {
	Kind     SourceKind
	Presence presence.Presence
}

// LiveSources appends the user's live app-level sources to buf: client
// sessions, app sessions, calls, meetings, presenting, calendar entries. The
// preferred presence is not among them (see Preferred). Passing a reused buf
// keeps the query free of allocations, so checkers can call it after every
// event.
func (m *Model) LiveSources(id UserID, buf []LiveSource) []LiveSource {
	u := m.users[id]
	for k := range u.clients {
		if c := &u.clients[k]; c.live() {
			buf = append(buf, LiveSource{SourceKind(k), c.shows()})
		}
	}
	for i := range u.apps {
		buf = append(buf, LiveSource{SrcApp, u.apps[i].cur})
	}
	if p := callPresence(u); p.Availability != presence.Offline {
		buf = append(buf, LiveSource{SrcCall, p})
	}
	if u.meetings > 0 {
		buf = append(buf, LiveSource{SrcMeeting, sourcePresence[SrcMeeting]})
	}
	if u.presenting > 0 {
		buf = append(buf, LiveSource{SrcPresenting, sourcePresence[SrcPresenting]})
	}
	if u.calBusy > 0 {
		buf = append(buf, LiveSource{SrcCalendar, sourcePresence[SrcCalendar]})
	}
	if u.calFocus > 0 {
		buf = append(buf, LiveSource{SrcFocus, m.focusPresence()})
	}
	return buf
}

// Sessions counts the user's live presence sessions: signed-in clients that
// hold one and app sessions (T-SRC-2, T-AGG-3, T-AGG-4).
func (m *Model) Sessions(id UserID) int { return m.users[id].sessions() }

// OnPriorityList reports whether who is on the user's priority-access list
// (T-REACH-1).
func (m *Model) OnPriorityList(id, who UserID) bool { return indexOf(m.users[id].priority, who) >= 0 }

// Blocks reports whether the user blocks who (T-FED-3).
func (m *Model) Blocks(id, who UserID) bool { return indexOf(m.users[id].blocked, who) >= 0 }

// Privacy reports whether the user's privacy mode is on, or federated
// lookups of the user fail: either hides the presence from outside (T-FED-3,
// T-UNK-1).
func (m *Model) Privacy(id UserID) bool { return m.users[id].privacy || m.users[id].fedFails }

// SetOnUpdate installs fn to be told of every recomputation of a user's
// presence, whatever its outcome (nil removes it). A checker uses it to look
// again only at the users an event touched.
func (m *Model) SetOnUpdate(fn func(UserID)) { m.onUpdate = fn }

// NumUsers is the number of users; ids run from 0 to NumUsers()-1.
func (m *Model) NumUsers() int { return len(m.users) }
