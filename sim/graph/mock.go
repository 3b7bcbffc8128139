package graph

import (
	"time"

	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Mock is a Seam of func fields for unit tests of an integration model; a
// nil field answers 501, so a test sees an operation it did not expect.
type Mock struct {
	SetPresenceFunc                func(u teams.UserID, p presence.Presence, expiry time.Duration) error
	ClearPresenceFunc              func(u teams.UserID) error
	SetUserPreferredPresenceFunc   func(u teams.UserID, p presence.Presence, expiry time.Duration) error
	ClearUserPreferredPresenceFunc func(u teams.UserID) error
	ReadFunc                       func(u teams.UserID) (Presence, error)
	ReadManyFunc                   func(ids []teams.UserID, dst []Presence) ([]Presence, error)
	SubscribeFunc                  func(ids []teams.UserID, s Subscriber) (SubscriptionID, error)
	UnsubscribeFunc                func(id SubscriptionID) error
	DirectoryFunc                  func(dst []teams.Directory) ([]teams.Directory, error)
}

func unexpected(op string) error {
	return &Error{Status: 501, Code: "NotImplemented", Message: "the mock seam has no " + op}
}

func (m *Mock) SetPresence(u teams.UserID, p presence.Presence, expiry time.Duration) error {
	if m.SetPresenceFunc == nil {
		return unexpected("SetPresence")
	}
	return m.SetPresenceFunc(u, p, expiry)
}

func (m *Mock) ClearPresence(u teams.UserID) error {
	if m.ClearPresenceFunc == nil {
		return unexpected("ClearPresence")
	}
	return m.ClearPresenceFunc(u)
}

func (m *Mock) SetUserPreferredPresence(u teams.UserID, p presence.Presence, expiry time.Duration) error {
	if m.SetUserPreferredPresenceFunc == nil {
		return unexpected("SetUserPreferredPresence")
	}
	return m.SetUserPreferredPresenceFunc(u, p, expiry)
}

func (m *Mock) ClearUserPreferredPresence(u teams.UserID) error {
	if m.ClearUserPreferredPresenceFunc == nil {
		return unexpected("ClearUserPreferredPresence")
	}
	return m.ClearUserPreferredPresenceFunc(u)
}

func (m *Mock) Read(u teams.UserID) (Presence, error) {
	if m.ReadFunc == nil {
		return Presence{}, unexpected("Read")
	}
	return m.ReadFunc(u)
}

func (m *Mock) ReadMany(ids []teams.UserID, dst []Presence) ([]Presence, error) {
	if m.ReadManyFunc == nil {
		return dst, unexpected("ReadMany")
	}
	return m.ReadManyFunc(ids, dst)
}

func (m *Mock) Subscribe(ids []teams.UserID, s Subscriber) (SubscriptionID, error) {
	if m.SubscribeFunc == nil {
		return 0, unexpected("Subscribe")
	}
	return m.SubscribeFunc(ids, s)
}

func (m *Mock) Unsubscribe(id SubscriptionID) error {
	if m.UnsubscribeFunc == nil {
		return unexpected("Unsubscribe")
	}
	return m.UnsubscribeFunc(id)
}

func (m *Mock) Directory(dst []teams.Directory) ([]teams.Directory, error) {
	if m.DirectoryFunc == nil {
		return dst, unexpected("Directory")
	}
	return m.DirectoryFunc(dst)
}

var _ Seam = (*Mock)(nil)
