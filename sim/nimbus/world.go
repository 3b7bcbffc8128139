package nimbus

import (
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// People is what the people of a contact centre do in Teams: sign in and
// out, lock the computer, set Busy by hand, have meetings, and make and take
// calls — an agent picking up a call Nimbus routed is the agent answering in
// Teams. None of it is Nimbus talking to Graph, so it never goes through
// the model's seam. *teams.Model satisfies it; the world's events may drive
// it instead.
type People interface {
	SignIn(u teams.UserID, k teams.ClientKind) error
	SignOut(u teams.UserID, k teams.ClientKind) error
	Lock(u teams.UserID, k teams.ClientKind) error
	Unlock(u teams.UserID, k teams.ClientKind) error
	SetPreferred(u teams.UserID, p presence.Presence, d time.Duration, via teams.Via) error
	AddAppointment(u teams.UserID, subject string, start, end clock.Time, show teams.ShowAs) (int, error)
	StartCall(parties ...teams.UserID) (teams.CallID, error)
	EndCall(c teams.CallID) error
	// InCall is whether the person is in a Teams call: what they know,
	// and what the day's statistics count against (NB-3), never what
	// Nimbus decides by.
	InCall(u teams.UserID) bool
}

// FederationView is Teams federation as Nimbus reads it without presence
// accounts: the presence a user of another organisation sees (T-FED-1). It
// is no Graph operation. *teams.Model satisfies it.
type FederationView interface {
	Federated(u teams.UserID) (presence.Presence, string)
}

// Tenant is what the tenant's administrator does for Nimbus: resource
// accounts for the services' lines and the PSTN, guest users for the
// presence accounts, and directory changes that invite or drop them.
type Tenant struct {
	AddUser func(name, org string) (teams.UserID, error)
	// Name is a user's account name, for explanations.
	Name func(u teams.UserID) string
	// SetMembership moves a guest to an organisation: the tenant when
	// invited, their own when dropped.
	SetMembership func(u teams.UserID, org string, guest bool)
}

// TenantOf is the world's tenant as Nimbus's administrator sees it.
func TenantOf(w *sim.World) Tenant {
	tm := w.Teams
	return Tenant{
		AddUser: w.AddUser,
		Name:    tm.Name,
		SetMembership: func(u teams.UserID, org string, guest bool) {
			d := tm.Dir(u)
			d.Org, d.Guest = org, guest
			tm.SetDir(u, d)
		},
	}
}
