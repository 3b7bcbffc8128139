package teams

import (
	"fmt"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// Via says where a preferred presence was set; the expiry rules differ.
type Via uint8

// Where preferred presence comes from.
const (
	ViaClient Via = iota // the Teams client's status menu (T-MAN-1, T-MAN-2)
	ViaGraph             // setUserPreferredPresence (G-PREF-1)
)

func (v Via) String() string { return [...]string{"by hand", "through Graph"}[v] }

// SetPreferred sets the user-configured presence (T-MAN-1, G-PREF-1). Only
// the six user-configured pairs are accepted; "In a call", "In a meeting" and
// "Presenting" cannot be set by hand. A zero duration takes the default
// expiry: set by hand, Busy/DND 1 day, Appear offline until reset, others 7
// days (T-MAN-2); through Graph, Busy/DND 1 day, all others 7 days.
func (m *Model) SetPreferred(id UserID, p presence.Presence, d time.Duration, via Via) error {
	if err := m.valid(id); err != nil {
		return err
	}
	if err := presence.PreferredPairs.Check(p); err != nil {
		if via == ViaClient {
			return fmt.Errorf("%w: %s cannot be set by hand (T-MAN-1); a user can pick Available, Busy, DoNotDisturb, BeRightBack, Away or Appear offline (Offline/OffWork)", ErrInvalid, p.Short())
		}
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if d < 0 {
		return fmt.Errorf("%w: negative duration %s", ErrInvalid, d)
	}
	u := m.users[id]
	m.clk.Cancel(u.pref.timer)
	before := u.pref.p
	if !u.pref.on {
		before = presence.Unknown
	}
	u.pref = preferred{on: true, p: p.Pair(), via: via.String()}
	timed := true
	if d == 0 {
		if via == ViaGraph {
			d = presence.PreferredExpiry(p.Availability)
		} else {
			d, timed = m.set.manualExpiry(p)
		}
	}
	if timed {
		u.pref.timed, u.pref.until = true, m.clk.Now().Add(d)
		u.pref.timer = m.after(u.pref.until, opPreferredExpire, id, 0)
	}
	m.source(id, sourceNames[SrcPreferred], before, u.pref.p, "T-MAN-2", "")
	m.update(id, sourceNames[SrcPreferred])
	return nil
}

// ClearPreferred resets the user-configured presence (the user picks "Reset
// status", or clearUserPreferredPresence).
func (m *Model) ClearPreferred(id UserID) error {
	if err := m.valid(id); err != nil {
		return err
	}
	m.clearPreferred(id, "T-AGG-1")
	return nil
}

func (m *Model) clearPreferred(id UserID, rule string) {
	u := m.users[id]
	if !u.pref.on {
		return
	}
	m.clk.Cancel(u.pref.timer)
	before := u.pref.p
	u.pref = preferred{}
	m.source(id, sourceNames[SrcPreferred], before, presence.Unknown, rule, "cleared")
	m.update(id, sourceNames[SrcPreferred])
}

func (m *Model) preferredExpired(id UserID) { m.clearPreferred(id, "T-MAN-2") }

// Preferred reports the user-configured presence and when it expires.
func (m *Model) Preferred(id UserID) (p presence.Presence, until clock.Time, timed, ok bool) {
	pr := m.users[id].pref
	return pr.p, pr.until, pr.timed, pr.on
}

// SetStatusMessage sets the user's note (G-MSG-1); with no expiry it never
// expires, an empty message clears it. A change of the note is a change of
// the presence object: the sequence number grows and watchers are told.
func (m *Model) SetStatusMessage(id UserID, msg, contentType string, expiry *clock.Time) error {
	if err := m.valid(id); err != nil {
		return err
	}
	u := m.users[id]
	before := u.detail()
	m.clk.Cancel(u.status.timer)
	note := "status message cleared"
	u.status = StatusMessage{}
	if msg != "" {
		u.status = StatusMessage{Message: msg, ContentType: contentType, Published: m.clk.Now()}
		note = "status message set"
		if before.message != "" {
			note = "status message replaced"
		}
		if expiry != nil {
			u.status.HasExpiry, u.status.Expiry = true, *expiry
			u.status.timer = m.after(*expiry, opStatusExpire, id, 0)
		}
	}
	m.objectChanged(id, before, "status message", "G-MSG-1", note)
	return nil
}

// statusExpired ends the note at its expiry (G-MSG-1).
func (m *Model) statusExpired(id UserID) {
	u := m.users[id]
	before := u.detail()
	u.status = StatusMessage{}
	m.objectChanged(id, before, "status message", "G-MSG-1", "status message expired")
}

// Status returns the user's status message (empty when none).
func (m *Model) Status(id UserID) StatusMessage { return m.users[id].status }
