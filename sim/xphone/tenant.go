package xphone

import (
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// Tenant is what XPhone knows of the tenant besides presence: its users'
// accounts, provisioned from the same directory as Teams, and the bounds
// Graph documents for a session's expirationDuration (G-SET-1). Presence
// itself XPhone reads and writes only through its Graph seam.
type Tenant struct {
	// Name is the account name of a Teams user; ok is false for an id
	// the tenant does not know.
	Name func(u teams.UserID) (name string, ok bool)
	// Lookup finds a Teams user by account name.
	Lookup func(name string) (teams.UserID, bool)
	// CheckExpiry refuses an expirationDuration Graph would refuse.
	CheckExpiry func(d time.Duration) error
}

// TenantOf is the world's tenant as XPhone sees it.
func TenantOf(w *sim.World) Tenant {
	tm := w.Teams
	return Tenant{
		Name: func(u teams.UserID) (string, bool) {
			if u < 0 || int(u) >= tm.NumUsers() {
				return "", false
			}
			return tm.Name(u), true
		},
		Lookup: func(name string) (teams.UserID, bool) {
			u, err := tm.User(name)
			return u, err == nil
		},
		CheckExpiry: func(d time.Duration) error {
			_, err := tm.CheckExpiry(d)
			return err
		},
	}
}

// TeamsUser is what a person does in Teams in seed 001's table: a call, and
// presenting while it lasts. It is the person's doing, not XPhone's, so it
// never goes through XPhone's seam; *teams.Model satisfies it.
type TeamsUser interface {
	StartCall(parties ...teams.UserID) (teams.CallID, error)
	StartPresenting(u teams.UserID) error
}

// PerformTeamsAction does one action of the seed 001 table in Teams: a call
// between A and B, and A presenting where the action shares the screen.
func PerformTeamsAction(people TeamsUser, act TeamsAction, a, b teams.UserID) (teams.CallID, error) {
	c, err := people.StartCall(a, b)
	if err != nil {
		return 0, err
	}
	if act.Share {
		if err := people.StartPresenting(a); err != nil {
			return 0, err
		}
	}
	return c, nil
}
