package teams

import (
	"errors"
	"fmt"
	"time"

	"github.com/presencesim/presencesim/sim/presence"
)

// ErrNoSession is returned by ClearAppPresence for a session that does not
// exist (Graph answers 404, G-CLR-1).
var ErrNoSession = errors.New("no presence session of that application")

// ErrInvalid marks a request the model refuses as invalid (Graph answers 400).
var ErrInvalid = errors.New("invalid request")

// CheckExpiry validates an expirationDuration against the G-SET-1 range and
// returns the effective value (the default for zero).
func (m *Model) CheckExpiry(d time.Duration) (time.Duration, error) {
	if d == 0 {
		return m.set.AppSessionDefaultExpiry, nil
	}
	if d < m.set.AppSessionMinExpiry || d > m.set.AppSessionMaxExpiry {
		return 0, fmt.Errorf("%w: expirationDuration %s is outside %s..%s (G-SET-1)", ErrInvalid, d, m.set.AppSessionMinExpiry, m.set.AppSessionMaxExpiry)
	}
	return d, nil
}

// SetAppPresence writes the app's presence session for the user, as Graph
// setPresence does (G-SET-1): only the accepted pairs, expiry within range.
// The session fades when Available and not refreshed (G-SET-2) and ends at
// its expiry.
func (m *Model) SetAppPresence(id UserID, app AppID, p presence.Presence, expiry time.Duration) error {
	if err := m.valid(id); err != nil {
		return err
	}
	if err := presence.SetPresencePairs.Check(p); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	d, err := m.CheckExpiry(expiry)
	if err != nil {
		return err
	}
	u := m.users[id]
	i := u.app(app)
	before := presence.Of(presence.Offline, presence.ActOffline)
	if i < 0 {
		u.apps = append(u.apps, appSession{app: app})
		i = len(u.apps) - 1
	} else {
		before = u.apps[i].cur
	}
	s := &u.apps[i]
	m.clk.Cancel(s.fade)
	m.clk.Cancel(s.expire)
	now := m.clk.Now()
	s.set, s.cur, s.stage = p.Pair(), p.Pair(), 0
	s.expiresAt = now.Add(d)
	s.expire = m.after(s.expiresAt, opAppExpire, id, int32(app))
	if p.Availability == presence.Available {
		s.fade = m.after(now.Add(m.set.AppSessionFade), opAppFade, id, int32(app))
	}
	m.source(id, m.srcNames[app], before, s.cur, "G-SET-1", "")
	m.update(id, m.srcNames[app])
	return nil
}

// ClearAppPresence ends the app's session (G-CLR-1).
func (m *Model) ClearAppPresence(id UserID, app AppID) error {
	if err := m.valid(id); err != nil {
		return err
	}
	u := m.users[id]
	i := u.app(app)
	if i < 0 {
		return fmt.Errorf("%w %q for %s (G-CLR-1)", ErrNoSession, m.apps[app], u.dir.Name)
	}
	m.endApp(id, i, "G-CLR-1")
	return nil
}

func (m *Model) endApp(id UserID, i int, rule string) {
	u := m.users[id]
	s := u.apps[i]
	m.clk.Cancel(s.fade)
	m.clk.Cancel(s.expire)
	u.apps = append(u.apps[:i], u.apps[i+1:]...)
	m.source(id, m.srcNames[s.app], s.cur, presence.Of(presence.Offline, presence.ActOffline), rule, "")
	m.update(id, m.srcNames[s.app])
}

// appFade is G-SET-2: Available → Available/AvailableInactive → Away/Away,
// one stage per AppSessionFade without a refresh.
func (m *Model) appFade(id UserID, app AppID) {
	u := m.users[id]
	i := u.app(app)
	if i < 0 {
		return
	}
	s := &u.apps[i]
	before := s.cur
	switch s.stage {
	case 0:
		s.cur, s.stage = presence.Of(presence.Available, presence.AvailableInactive), 1
		s.fade = m.after(m.clk.Now().Add(m.set.AppSessionFade), opAppFade, id, int32(app))
	case 1:
		s.cur, s.stage = presence.Of(presence.Away, presence.ActAway), 2
	}
	m.source(id, m.srcNames[app], before, s.cur, ruleFaded, "")
	m.update(id, m.srcNames[app])
}

func (m *Model) appExpire(id UserID, app AppID) {
	if i := m.users[id].app(app); i >= 0 {
		m.endApp(id, i, "G-SET-1")
	}
}

// AppSession reports the app's session for the user, if any.
func (m *Model) AppSession(id UserID, app AppID) (p presence.Presence, expiresAt int64, ok bool) {
	u := m.users[id]
	if i := u.app(app); i >= 0 {
		return u.apps[i].cur, int64(u.apps[i].expiresAt), true
	}
	return presence.Unknown, 0, false
}
