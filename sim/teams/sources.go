package teams

import "github.com/presencesim/presencesim/sim/presence"

// LiveSource is one source that currently offers the user a presence. It is
// kept to a word so walking a user's sources costs next to nothing; the rule
// and the name are looked up for the sources that matter.
type LiveSource struct {
	Kind     SourceKind
	Presence presence.Presence
	at       int32 // the client kind or the index of the app session
}

// appendLive appends the live sources of u to buf: client sessions, app
// sessions, calls, meetings, presenting, calendar entries, in that order.
// It is the one list that aggregation, the explanation and LiveSources
// read. The preferred presence is not among them: it overrides them
// (T-AGG-1).
func (m *Model) appendLive(u *user, buf []LiveSource) []LiveSource {
	for k := range u.clients {
		if c := &u.clients[k]; c.live() {
			buf = append(buf, LiveSource{SourceKind(k), c.shows(), int32(k)})
		}
	}
	for i := range u.apps {
		buf = append(buf, LiveSource{SrcApp, u.apps[i].cur, int32(i)})
	}
	if p := callPresence(u); p.Availability != presence.Offline {
		buf = append(buf, LiveSource{SrcCall, p, 0})
	}
	if u.meetings > 0 {
		buf = append(buf, LiveSource{SrcMeeting, sourcePresence[SrcMeeting], 0})
	}
	if u.presenting > 0 {
		buf = append(buf, LiveSource{SrcPresenting, sourcePresence[SrcPresenting], 0})
	}
	if u.calBusy > 0 {
		buf = append(buf, LiveSource{SrcCalendar, sourcePresence[SrcCalendar], 0})
	}
	if u.calFocus > 0 {
		buf = append(buf, LiveSource{SrcFocus, m.focusPresence(), 0})
	}
	return buf
}

// LiveSources appends the user's live app-level sources to buf (see
// appendLive). Passing a reused buf keeps the query free of allocations, so
// checkers can call it after every event.
func (m *Model) LiveSources(id UserID, buf []LiveSource) []LiveSource {
	return m.appendLive(m.users[id], buf)
}

// ruleOf is the rule by which a live source of u yields its presence.
func (u *user) ruleOf(s LiveSource) string {
	switch s.Kind {
	case SrcDesktop, SrcWeb, SrcMobile:
		return u.clients[s.at].rule()
	case SrcApp:
		if u.apps[s.at].stage > 0 {
			return ruleFaded
		}
	}
	return sourceRule[s.Kind]
}

// name is what the trace and the explanation call a live source of u.
func (m *Model) name(u *user, s LiveSource) string {
	switch s.Kind {
	case SrcDesktop, SrcWeb, SrcMobile:
		return clientNames[s.at]
	case SrcApp:
		return m.srcNames[u.apps[s.at].app]
	}
	return sourceNames[s.Kind]
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
