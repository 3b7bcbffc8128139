package teams

import (
	"github.com/presencesim/presencesim/sim/clock"
)

// DetailListener is told when a user's presence object changes while the
// availability and activity stay: the status message (G-MSG-1) or the work
// location (G-LOC-1). Listeners that render the whole object (Graph's
// subscriptions) implement it beside Listener; a change of the presence
// itself reaches them through PresenceChanged only, once.
type DetailListener interface {
	PresenceDetailChanged(now clock.Time, u UserID)
}

// objectDetail is the part of the presence object beside the presence:
// comparable, so a change and its reversal compare equal.
type objectDetail struct {
	message   string
	published clock.Time
	expiry    clock.Time
	hasExpiry bool
	location  WorkLocation
}

func (u *user) detail() objectDetail {
	return objectDetail{u.status.Message, u.status.Published, u.status.Expiry, u.status.HasExpiry, u.wl.cur}
}

// objectChanged records a change of the presence object that left the
// presence as it was: the sequence number grows and the watchers are told,
// as for any presence change. Nothing happens when the detail is unchanged.
func (m *Model) objectChanged(id UserID, before objectDetail, source, rule, note string) {
	u := m.users[id]
	if u.detail() == before {
		return
	}
	u.seq++
	m.source(id, source, u.cur, u.cur, rule, note)
	if m.onUpdate != nil {
		m.onUpdate(id)
	}
	if len(m.listeners) > 0 && !u.notifyPending {
		u.notifyPending, u.notifyBefore, u.notifyDetail = true, u.cur, before
		m.after(m.clk.Now().Add(m.set.NotifyDelay), opNotify, id, 0)
	}
}

// notifyListeners tells the listeners of the net change since the
// notification was queued: a presence change to every listener, a change
// of the detail alone to those that render it.
func (m *Model) notifyListeners(now clock.Time, id UserID) {
	u := m.users[id]
	if u.notifyBefore != u.cur {
		for _, l := range m.listeners {
			l.PresenceChanged(now, id, u.notifyBefore, u.cur)
		}
		return
	}
	if u.notifyDetail == u.detail() {
		return
	}
	for _, l := range m.listeners {
		if dl, ok := l.(DetailListener); ok {
			dl.PresenceDetailChanged(now, id)
		}
	}
}
