package nimbus

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim/teams"
)

// PermissionType is how a permission is granted in Azure AD.
type PermissionType uint8

// Permission types.
const (
	Delegated PermissionType = iota
	Application
)

func (t PermissionType) String() string { return [...]string{"Delegated", "Application"}[t] }

// Permission is one Azure AD permission grant.
type Permission struct {
	Name string
	Type PermissionType
}

func (p Permission) String() string { return p.Name + " (" + p.Type.String() + ")" }

// Requirement is one permission a presence account needs and the Graph
// request that fails without it.
type Requirement struct {
	Permission Permission
	Request    string
	Rule       string
}

// Requirements are the delegated permissions of seed 003's table (NB-5), in
// the order the account uses them: its own profile after sign-in, the
// agents in the directory, then their presence.
var Requirements = []Requirement{
	{Permission{"User.Read", Delegated}, "GET /me", "NB-5"},
	{Permission{"User.ReadBasic.All", Delegated}, "GET /users/{id}", "NB-5"},
	{Permission{"Presence.Read.All", Delegated}, "GET /users/{id}/presence", "NB-5"},
}

// MaxAccounts is how many presence accounts Nimbus holds (NB-5).
const MaxAccounts = 2

// ParsePermission reads a permission name of the required table, any case.
func ParsePermission(s string) (Permission, error) {
	for _, r := range Requirements {
		if strings.EqualFold(strings.TrimSpace(s), r.Permission.Name) {
			return r.Permission, nil
		}
	}
	names := make([]string, len(Requirements))
	for i, r := range Requirements {
		names[i] = r.Permission.Name
	}
	return Permission{}, fmt.Errorf("unknown permission %q; a presence account needs: %s", s, strings.Join(names, ", "))
}

// GraphError is a failure as Graph or Azure AD reports it: a failed sign-in
// (400 invalid_grant with an AADSTS code) or a refused request (403).
type GraphError struct {
	Account string
	Request string
	Status  int
	Code    string
	Message string
	Rule    string
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("presence account %q: %s → %d %s: %s (%s)", e.Account, e.Request, e.Status, e.Code, e.Message, e.Rule)
}

// Account is a presence account: a guest user invited to the agents'
// tenant, with its permission grants and MFA state (NB-5).
type Account struct {
	Name   string
	Guest  teams.UserID
	Grants []Permission
	MFA    bool
	// Invited is false once the guest is no longer a member of the tenant
	// (a tenant change, the invitation revoked).
	Invited bool
	// From is where the account signs in from, once set (Model.SignInFrom);
	// until then Settings.SignInFrom.
	From    Location
	hasFrom bool
}

// Location is where a sign-in comes from, as conditional access sees it.
type Location uint8

// Locations.
const (
	// AzureDataCentre is an address in the Microsoft Azure data-centre
	// ranges, the trusted location seed 003 names.
	AzureDataCentre Location = iota
	// Elsewhere is any address outside the trusted locations.
	Elsewhere
)

func (l Location) String() string {
	switch l {
	case AzureDataCentre:
		return "a Microsoft Azure data centre (trusted location)"
	case Elsewhere:
		return "an address outside the trusted locations"
	}
	return fmt.Sprintf("Location(%d)", uint8(l))
}

// Has reports whether the account holds the permission.
func (a *Account) Has(p Permission) bool {
	for _, g := range a.Grants {
		if g == p {
			return true
		}
	}
	return false
}

// Revoke removes a grant.
func (a *Account) Revoke(p Permission) {
	out := a.Grants[:0]
	for _, g := range a.Grants {
		if g != p {
			out = append(out, g)
		}
	}
	a.Grants = out
}

// Grant adds a grant.
func (a *Account) Grant(p Permission) {
	if !a.Has(p) {
		a.Grants = append(a.Grants, p)
	}
}

// check signs the account in and walks the requests a presence read needs,
// failing the way Azure AD and Graph fail. trustedOnly is the tenant's
// policy requiring MFA except from trusted locations; from is where the
// sign-in comes from.
func (a *Account) check(trustedOnly bool, from Location) *GraphError {
	if !a.Invited {
		return &GraphError{Account: a.Name, Request: "sign-in", Status: 400, Code: "invalid_grant",
			Message: "AADSTS50020: user account from the identity provider does not exist in the tenant", Rule: "NB-6"}
	}
	if a.MFA {
		return &GraphError{Account: a.Name, Request: "sign-in", Status: 400, Code: "invalid_grant",
			Message: "AADSTS50076: you must use multi-factor authentication to access this resource", Rule: "NB-5"}
	}
	if trustedOnly && from != AzureDataCentre {
		return &GraphError{Account: a.Name, Request: "sign-in", Status: 400, Code: "invalid_grant",
			Message: "AADSTS50076: due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication (conditional access: MFA except from trusted locations; signed in from " + from.String() + ")", Rule: "NB-5"}
	}
	for _, r := range Requirements {
		if !a.Has(r.Permission) {
			return &GraphError{Account: a.Name, Request: r.Request, Status: 403, Code: "Forbidden",
				Message: "missing scope " + r.Permission.String(), Rule: r.Rule}
		}
	}
	return nil
}
