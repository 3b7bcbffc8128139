package teams

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// Federated is what federated users and external apps see: the
// user-configured level only (T-FED-1), PresenceUnknown in privacy mode
// (T-FED-3) or when the federated lookup fails (T-UNK-1). The out-of-office
// flag is not carried across (decided).
func (m *Model) Federated(id UserID) (presence.Presence, string) {
	u := m.users[id]
	switch {
	case u.fedFails:
		return presence.Unknown, "T-UNK-1"
	case u.privacy:
		return presence.Unknown, "T-FED-3"
	}
	a := federatedAvailability[u.cur.Availability]
	return presence.Of(a, presence.BaseActivity(a)), "T-FED-1"
}

// ViewAs is what the viewer sees of the user: a blocked viewer sees Offline
// (T-FED-3); a viewer from another organisation the federated view; anyone
// inside the organisation the full presence.
func (m *Model) ViewAs(target, viewer UserID) (presence.Presence, string) {
	u := m.users[target]
	if indexOf(u.blocked, viewer) >= 0 {
		return presence.Of(presence.Offline, presence.ActOffline), "T-FED-3"
	}
	if !strings.EqualFold(m.users[viewer].dir.Org, u.dir.Org) {
		return m.Federated(target)
	}
	return u.cur, u.rule
}

// LastSeen is the "last seen" time Teams shows people inside the
// organisation beside Away and Offline: the time of the user's last activity
// on a client (T-STATE-2, seed 003 «Zuletzt gesehen»). ok is false when
// nothing is shown: for another presence, to a viewer from outside or one
// the user blocks, or before any activity.
func (m *Model) LastSeen(target, viewer UserID) (at clock.Time, ok bool) {
	u := m.users[target]
	shown, _ := m.ViewAs(target, viewer)
	if !u.hasInput || !strings.EqualFold(m.users[viewer].dir.Org, u.dir.Org) || indexOf(u.blocked, viewer) >= 0 {
		return 0, false
	}
	if shown.Availability != presence.Away && shown.Availability != presence.Offline {
		return 0, false
	}
	return u.lastInput, true
}

// Blocked reports whether viewer sees "Blockiert" (Blocked) beside target:
// the indicator a person who blocks someone sees for them, no status anyone
// is shown (T-FED-3, seed 000).
func (m *Model) Blocked(viewer, target UserID) bool {
	return indexOf(m.users[viewer].blocked, target) >= 0
}

// SetPrivacy turns privacy mode on or off (T-FED-3).
func (m *Model) SetPrivacy(id UserID, on bool) { m.users[id].privacy = on }

// Block makes the user block the viewer (T-FED-3, T-REACH-1).
func (m *Model) Block(id, viewer UserID) {
	if indexOf(m.users[id].blocked, viewer) < 0 {
		m.users[id].blocked = append(m.users[id].blocked, viewer)
	}
}

// AddPriority puts a person on the user's priority-access list (T-REACH-1).
func (m *Model) AddPriority(id, who UserID) {
	if indexOf(m.users[id].priority, who) < 0 {
		m.users[id].priority = append(m.users[id].priority, who)
	}
}

// SetFederationFails makes federated lookups of the user fail (T-UNK-1).
func (m *Model) SetFederationFails(id UserID, fails bool) { m.users[id].fedFails = fails }

// Call says what an incoming call from caller does (T-REACH-1).
func (m *Model) Call(target, caller UserID) (CallOutcome, string) {
	u := m.users[target]
	if indexOf(u.blocked, caller) >= 0 {
		return NotDelivered, "T-FED-3"
	}
	r := reach[u.cur.Availability]
	if indexOf(u.priority, caller) >= 0 {
		return r.callPriority, "T-REACH-1"
	}
	return r.call, "T-REACH-1"
}

// Chat says what a chat message from sender does (T-REACH-1).
func (m *Model) Chat(target, sender UserID) (ChatOutcome, string) {
	u := m.users[target]
	r := reach[u.cur.Availability]
	if indexOf(u.priority, sender) >= 0 {
		return r.chatPriority, "T-REACH-1"
	}
	return r.chat, "T-REACH-1"
}

// MaxHistory bounds the presence changes kept per user for PresenceAt;
// beyond it the older half is forgotten.
const MaxHistory = 4096

// historyStart is the room a new user's history has: about a working
// day's changes.
const historyStart = 64

// PresenceAt is the user's presence as it was at time t (from the history).
// Before the oldest change kept it is the oldest one known: the history
// holds the last MaxHistory changes, far more than an observer's lag.
func (m *Model) PresenceAt(id UserID, t clock.Time) presence.Presence {
	h := m.users[id].history
	i := sort.Search(len(h), func(i int) bool { return h[i].at > t })
	if i == 0 {
		if m.users[id].forgot {
			return h[0].p
		}
		return presence.Of(presence.Offline, presence.ActOffline)
	}
	return h[i-1].p
}

// ObserverKind is the kind of client a viewer watches from (T-PROP-1).
type ObserverKind uint8

// Observer client kinds.
const (
	DesktopObserver ObserverKind = iota
	WebObserver
	PhoneObserver
	numObserverKinds
)

var observerNames = [numObserverKinds]string{"desktop", "web", "phone"}

func (k ObserverKind) String() string { return observerNames[k] }

// ParseObserverKind reads desktop, web or phone (mobile).
func ParseObserverKind(s string) (ObserverKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "desktop":
		return DesktopObserver, nil
	case "web":
		return WebObserver, nil
	case "phone", "mobile", "teams phone":
		return PhoneObserver, nil
	}
	return 0, fmt.Errorf("unknown observer client %q; valid: desktop, web, phone", s)
}

// Observer is a viewer's client that refreshes presence periodically: it
// shows what the user's presence was at its last refresh. Its phase within
// the refresh period is drawn from the seeded stream (T-PROP-1).
type Observer struct {
	Viewer UserID
	Kind   ObserverKind
	Lag    time.Duration
	Phase  time.Duration
}

// NewObserver builds an observer whose phase is drawn from rnd.
func (m *Model) NewObserver(viewer UserID, k ObserverKind, rnd *rand.Rand) Observer {
	lag := m.set.ObserverLag[k]
	o := Observer{Viewer: viewer, Kind: k, Lag: lag}
	if lag > 0 {
		o.Phase = time.Duration(rnd.Int64N(int64(lag)))
	}
	return o
}

// LastRefresh is when the observer last refreshed at or before now.
func (o Observer) LastRefresh(now clock.Time) clock.Time {
	if o.Lag <= 0 {
		return now
	}
	d := time.Duration(now) - o.Phase
	if d < 0 {
		return 0
	}
	return clock.Time(o.Phase + d/o.Lag*o.Lag)
}

// Shows is what the observer shows of the target now.
func (m *Model) Shows(o Observer, target UserID) (presence.Presence, clock.Time) {
	at := o.LastRefresh(m.clk.Now())
	p := m.PresenceAt(target, at)
	if indexOf(m.users[target].blocked, o.Viewer) >= 0 {
		p = presence.Of(presence.Offline, presence.ActOffline)
	}
	return p, at
}
