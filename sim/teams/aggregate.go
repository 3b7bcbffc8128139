package teams

import (
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/trace"
)

// SourceKind is a kind of presence source.
type SourceKind uint8

// The presence sources of a user (T-SRC-1, T-SRC-2).
const (
	SrcDesktop SourceKind = iota
	SrcWeb
	SrcMobile
	SrcCall
	SrcMeeting
	SrcPresenting
	SrcCalendar
	SrcFocus
	SrcApp
	SrcPreferred
	SrcOOF
	numSourceKinds
)

var sourceNames = [numSourceKinds]string{
	"desktop", "web", "mobile", "call", "meeting", "presenting", "calendar", "focus time", "app", "preferred", "out of office",
}

func (k SourceKind) String() string { return sourceNames[k] }

// result is one aggregation: the presence, the rule that chose it and the
// source that won.
type result struct {
	p      presence.Presence
	rule   string
	winner string
}

// aggregate derives a user's presence from its sources (T-AGG-1..5, T-OOF-1).
// It allocates nothing.
func (m *Model) aggregate(u *user) result {
	pr := &m.set.Precedence
	var r result
	if u.sessions() == 0 {
		// T-AGG-4 (T-ACT-3): no session → Offline; a preferred presence
		// has no effect without one (T-AGG-3).
		r = result{p: presence.Of(presence.Offline, presence.ActOffline), rule: "T-AGG-4", winner: "no session"}
		if u.pref.on {
			r.rule = "T-AGG-3"
		}
	} else if u.pref.on {
		r = result{p: u.pref.p, rule: "T-AGG-1", winner: sourceNames[SrcPreferred]}
	} else {
		var best presence.Presence
		found, contested := false, false
		consider := func(p presence.Presence, name, rule string) {
			switch {
			case !found:
				best, r.winner, r.rule, found = p, name, rule, true
			case p == best:
			default:
				contested = true
				if wins, _ := pr.beats(p, best); wins {
					best, r.winner, r.rule = p, name, rule
				}
			}
		}
		for k := range u.clients {
			c := &u.clients[k]
			if c.live() {
				consider(c.shows(), clientNames[k], c.rule())
			}
		}
		for i := range u.apps {
			rule := sourceRule[SrcApp]
			if u.apps[i].stage > 0 {
				rule = "G-SET-2"
			}
			consider(u.apps[i].cur, m.srcNames[u.apps[i].app], rule)
		}
		if u.confCalls > 0 {
			consider(presence.Of(presence.Busy, presence.InAConferenceCall), sourceNames[SrcCall], sourceRule[SrcCall])
		} else if u.calls > 0 {
			consider(sourcePresence[SrcCall], sourceNames[SrcCall], sourceRule[SrcCall])
		}
		if u.meetings > 0 {
			consider(sourcePresence[SrcMeeting], sourceNames[SrcMeeting], sourceRule[SrcMeeting])
		}
		if u.presenting > 0 {
			consider(sourcePresence[SrcPresenting], sourceNames[SrcPresenting], sourceRule[SrcPresenting])
		}
		if u.calBusy > 0 {
			consider(sourcePresence[SrcCalendar], sourceNames[SrcCalendar], sourceRule[SrcCalendar])
		}
		if u.calFocus > 0 {
			consider(m.focusPresence(), sourceNames[SrcFocus], sourceRule[SrcFocus])
		}
		r.p = best
		if contested {
			r.rule = m.contestRule(u, best)
		}
	}
	if u.oof() {
		r.p = r.p.WithOutOfOffice()
	}
	return r
}

// contestRule names the rule that picked best among sources that disagreed:
// T-AGG-2 when its availability outranks every other live source, T-AGG-5
// when another source had the same availability and the activity decided.
func (m *Model) contestRule(u *user, best presence.Presence) string {
	rule := "T-AGG-2"
	check := func(p presence.Presence) {
		if p != best && p.Availability == best.Availability {
			rule = "T-AGG-5"
		}
	}
	for k := range u.clients {
		if c := &u.clients[k]; c.live() {
			check(c.shows())
		}
	}
	for i := range u.apps {
		check(u.apps[i].cur)
	}
	if u.confCalls > 0 {
		check(presence.Of(presence.Busy, presence.InAConferenceCall))
	} else if u.calls > 0 {
		check(sourcePresence[SrcCall])
	}
	if u.meetings > 0 {
		check(sourcePresence[SrcMeeting])
	}
	if u.presenting > 0 {
		check(sourcePresence[SrcPresenting])
	}
	if u.calBusy > 0 {
		check(sourcePresence[SrcCalendar])
	}
	if u.calFocus > 0 {
		check(m.focusPresence())
	}
	return rule
}

// update recomputes a user's presence after source changed, records the
// change and queues the watchers' notification.
func (m *Model) update(id UserID, source string) {
	u := m.users[id]
	m.recompute++
	if m.onUpdate != nil {
		m.onUpdate(id)
	}
	r := m.aggregate(u)
	u.rule, u.winner = r.rule, r.winner
	if r.p == u.cur {
		return
	}
	before := u.cur
	u.cur = r.p
	u.seq++
	now := m.clk.Now()
	if n := len(u.history); n > 0 && u.history[n-1].at == now {
		u.history[n-1].p = r.p
	} else {
		u.history = append(u.history, histEntry{at: now, p: r.p})
	}
	m.tr.Record(trace.Entry{At: now, Kind: trace.PresenceChange, User: u.dir.Name, Source: source, Before: before, After: r.p, Rule: r.rule})
	if len(m.listeners) > 0 {
		if !u.notifyPending {
			u.notifyPending, u.notifyBefore, u.notifyDetail = true, before, u.detail()
			m.after(now.Add(m.set.NotifyDelay), opNotify, id, 0)
		}
	}
}

// notify tells the listeners of the net change since the notification was
// queued; a change and its reversal within the delay tell nothing.
func (m *Model) notify(now clock.Time, id UserID) {
	m.users[id].notifyPending = false
	m.notifyListeners(now, id)
}

// source records a change of one input in the trace.
func (m *Model) source(id UserID, name string, before, after presence.Presence, rule, note string) {
	m.tr.Record(trace.Entry{At: m.clk.Now(), Kind: trace.SourceChange, User: m.users[id].dir.Name, Source: name, Before: before, After: after, Rule: rule, Note: note})
}
