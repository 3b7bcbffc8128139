package teams

import (
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/trace"
)

// SourceKind is a kind of presence source.
type SourceKind uint8

// The presence sources of a user (T-SRC-1, T-SRC-2); the client sessions
// come first, in the order of the client kinds.
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

// sourceNames name the sources; a client session is named as its client.
var sourceNames = [numSourceKinds]string{
	SrcDesktop: clientNames[Desktop], SrcWeb: clientNames[Web], SrcMobile: clientNames[Mobile],
	SrcCall: "call", SrcMeeting: "meeting", SrcPresenting: "presenting", SrcCalendar: "calendar",
	SrcFocus: "focus time", SrcApp: "app", SrcPreferred: "preferred", SrcOOF: "out of office",
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
// It allocates nothing: the sources go to a buffer the model reuses.
func (m *Model) aggregate(u *user) result {
	var r result
	switch {
	case u.sessions() == 0:
		// T-AGG-4 (T-ACT-3): no session → Offline; a preferred presence
		// has no effect without one (T-AGG-3).
		r = result{p: presence.Of(presence.Offline, presence.ActOffline), rule: ruleNoSession, winner: "no session"}
		if u.pref.on {
			r.rule = rulePreferredNoEffect
		}
	case u.pref.on:
		r = result{p: u.pref.p, rule: rulePreferred, winner: sourceNames[SrcPreferred]}
	default:
		srcs := m.appendLive(u, m.live[:0])
		m.live = srcs[:0]
		if len(srcs) == 0 {
			break
		}
		pr := &m.set.Precedence
		best, contested := srcs[0], false
		for _, s := range srcs[1:] {
			if s.Presence != best.Presence {
				contested = true
				if wins, _ := pr.beats(s.Presence, best.Presence); wins {
					best = s
				}
			}
		}
		r = result{best.Presence, u.ruleOf(best), m.name(u, best)}
		if contested {
			r.rule = contestRule(srcs, best.Presence)
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
func contestRule(srcs []LiveSource, best presence.Presence) string {
	for _, s := range srcs {
		if s.Presence != best && s.Presence.Availability == best.Availability {
			return ruleActivityDecides
		}
	}
	return ruleHighest
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
		if len(u.history) >= MaxHistory {
			// keep the newer half: a world served for weeks must not grow
			// with every change; observers look back minutes, not weeks
			u.history = append(u.history[:0], u.history[len(u.history)-MaxHistory/2:]...)
			u.forgot = true
		}
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
