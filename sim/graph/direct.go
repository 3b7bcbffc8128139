package graph

import (
	"errors"
	"net/http"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Direct is the seam straight onto the Teams model for one app: no limits,
// no faults, notifications delivered synchronously at the change.
type Direct struct {
	tm   *teams.Model
	app  teams.AppID
	subs []directSub
	next SubscriptionID
}

type directSub struct {
	id  SubscriptionID
	ids map[teams.UserID]bool
	s   Subscriber
}

// NewDirect returns the seam of the named app over the Teams model.
func NewDirect(tm *teams.Model, app string) *Direct {
	d := &Direct{tm: tm, app: tm.App(app)}
	tm.Listen(d)
	return d
}

// App is the seam's application.
func (d *Direct) App() teams.AppID { return d.app }

func (d *Direct) check(u teams.UserID) error {
	if int(u) < 0 || int(u) >= d.tm.NumUsers() {
		return &Error{Status: http.StatusNotFound, Code: "NotFound", Message: "user not found"}
	}
	return nil
}

func badRequest(err error) error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: err.Error()}
}

// SetPresence implements Seam.
func (d *Direct) SetPresence(u teams.UserID, p presence.Presence, expiry time.Duration) error {
	if err := d.check(u); err != nil {
		return err
	}
	if err := d.tm.SetAppPresence(u, d.app, p, expiry); err != nil {
		return badRequest(err)
	}
	return nil
}

// ClearPresence implements Seam.
func (d *Direct) ClearPresence(u teams.UserID) error {
	if err := d.check(u); err != nil {
		return err
	}
	if err := d.tm.ClearAppPresence(u, d.app); err != nil {
		if errors.Is(err, teams.ErrNoSession) {
			return &Error{Status: http.StatusNotFound, Code: "NotFound", Message: err.Error()} // G-CLR-1
		}
		return badRequest(err)
	}
	return nil
}

// SetUserPreferredPresence implements Seam.
func (d *Direct) SetUserPreferredPresence(u teams.UserID, p presence.Presence, expiry time.Duration) error {
	if err := d.check(u); err != nil {
		return err
	}
	if err := d.tm.SetPreferred(u, p, expiry, teams.ViaGraph); err != nil {
		return badRequest(err)
	}
	return nil
}

// ClearUserPreferredPresence implements Seam.
func (d *Direct) ClearUserPreferredPresence(u teams.UserID) error {
	if err := d.check(u); err != nil {
		return err
	}
	if err := d.tm.ClearPreferred(u); err != nil {
		return badRequest(err)
	}
	return nil
}

func (d *Direct) read(u teams.UserID) Presence {
	return Presence{User: u, Presence: d.tm.Presence(u), OutOfOffice: d.tm.OutOfOffice(u), Sequence: d.tm.Sequence(u)}
}

// Read implements Seam.
func (d *Direct) Read(u teams.UserID) (Presence, error) {
	if err := d.check(u); err != nil {
		return Presence{}, err
	}
	return d.read(u), nil
}

// ReadMany implements Seam.
func (d *Direct) ReadMany(ids []teams.UserID, dst []Presence) ([]Presence, error) {
	if len(ids) == 0 || len(ids) > MaxBulkIDs {
		return dst, &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "getPresencesByUserId takes 1 to 650 ids (G-GET-2)"}
	}
	for _, u := range ids {
		if d.check(u) == nil {
			dst = append(dst, d.read(u))
		}
	}
	return dst, nil
}

// Subscribe implements Seam.
func (d *Direct) Subscribe(ids []teams.UserID, s Subscriber) (SubscriptionID, error) {
	if len(ids) == 0 || len(ids) > MaxBulkIDs {
		return 0, &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "a presence subscription takes 1 to 650 ids (G-SUB-1)"}
	}
	set := make(map[teams.UserID]bool, len(ids))
	for _, u := range ids {
		if err := d.check(u); err != nil {
			return 0, err
		}
		set[u] = true
	}
	d.next++
	d.subs = append(d.subs, directSub{id: d.next, ids: set, s: s})
	return d.next, nil
}

// Unsubscribe implements Seam.
func (d *Direct) Unsubscribe(id SubscriptionID) error {
	for i, s := range d.subs {
		if s.id == id {
			d.subs = append(d.subs[:i], d.subs[i+1:]...)
			return nil
		}
	}
	return &Error{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: "no such subscription"}
}

// Directory implements Seam.
func (d *Direct) Directory(dst []teams.Directory) ([]teams.Directory, error) {
	for i, n := 0, d.tm.NumUsers(); i < n; i++ {
		dst = append(dst, d.tm.Dir(teams.UserID(i)))
	}
	return dst, nil
}

// PresenceChanged delivers the change to the subscriptions holding u.
func (d *Direct) PresenceChanged(now clock.Time, u teams.UserID, _, _ presence.Presence) {
	d.deliver(now, u)
}

// PresenceDetailChanged delivers a change of the status message or work
// location, which grows sequenceNumber too.
func (d *Direct) PresenceDetailChanged(now clock.Time, u teams.UserID) { d.deliver(now, u) }

func (d *Direct) deliver(now clock.Time, u teams.UserID) {
	for _, s := range d.subs {
		if s.ids[u] {
			s.s.Notified(now, Notification{Subscription: s.id, Changed: now, Presence: d.read(u)})
		}
	}
}

var _ Seam = (*Direct)(nil)
var _ teams.DetailListener = (*Direct)(nil)

// DirectoryVersion implements DirectoryDelta.
func (d *Direct) DirectoryVersion() (uint64, bool) { return d.tm.DirVersion(), true }

var _ DirectoryDelta = (*Direct)(nil)
