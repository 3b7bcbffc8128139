package graph

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// Permission names Graph uses for presence (G-AUTH-1).
const (
	PresenceRead          = "Presence.Read"
	PresenceReadAll       = "Presence.Read.All"
	PresenceReadWrite     = "Presence.ReadWrite"
	PresenceReadWriteAll  = "Presence.ReadWrite.All"
	graphResource         = "https://graph.microsoft.com"
	graphResourceAppID    = "00000003-0000-0000-c000-000000000000"
	notificationPublisher = "0bf30f3b-4a52-48df-9a82-234910c4a086"
)

// knownPermissions are the permissions an app registration may be granted.
var knownPermissions = []string{PresenceRead, PresenceReadAll, PresenceReadWrite, PresenceReadWriteAll}

// Tenant is an organisation of the world with its directory id.
type Tenant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// App is an app registration: client id and secret, the application
// permissions an admin granted and the delegated scopes consented.
type App struct {
	AppID       string   `json:"appId"`
	DisplayName string   `json:"displayName"`
	Secret      string   `json:"clientSecret"`
	Tenant      string   `json:"tenantId"`
	Roles       []string `json:"applicationPermissions"`
	Scopes      []string `json:"delegatedPermissions"`
}

// Account is how a user signs in with the password grant.
type Account struct {
	Password string `json:"password"`
	MFA      bool   `json:"mfa"`
}

// Identity is the identity directory of a world: tenants, app registrations
// and user passwords. It attaches itself to the world (sim.Attach), so the
// handler, the steps and the control API share one.
type Identity struct {
	w        *sim.World
	rnd      *rand.Rand
	key      []byte
	tenants  []Tenant
	apps     []*App
	accounts map[teams.UserID]Account
}

// ComponentName names the component in the world.
func (*Identity) ComponentName() string { return "graph identity" }

// IdentityOf returns the world's identity directory, creating it.
func IdentityOf(w *sim.World) *Identity {
	return sim.Attach(w, func(w *sim.World) *Identity {
		id := &Identity{w: w, rnd: w.Stream("graph identity"), accounts: map[teams.UserID]Account{}}
		id.key = make([]byte, 32)
		for i := range id.key {
			id.key[i] = byte(id.rnd.Uint32())
		}
		return id
	})
}

func (id *Identity) guid() string {
	a, b := id.rnd.Uint64(), id.rnd.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, (uint16(b>>48)&0x3fff)|0x8000, b&0xffffffffffff)
}

// Tenant returns the tenant of an organisation, creating its id on first use.
func (id *Identity) Tenant(org string) Tenant {
	org = strings.ToLower(strings.TrimSpace(org))
	if org == "" {
		org = sim.DefaultOrg
	}
	for _, t := range id.tenants {
		if t.Name == org {
			return t
		}
	}
	t := Tenant{ID: id.guid(), Name: org}
	id.tenants = append(id.tenants, t)
	return t
}

// Tenants lists the tenants: every organisation with a user or an app.
func (id *Identity) Tenants() []Tenant {
	for _, u := range id.w.Teams.Users() {
		id.Tenant(id.w.Teams.Dir(u).Org)
	}
	out := append([]Tenant(nil), id.tenants...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// findTenant resolves a tenant by id or name, as the token endpoint's path
// segment gives it ("contoso", "contoso.onmicrosoft.com" or the GUID).
func (id *Identity) findTenant(s string) (Tenant, bool) {
	s = strings.ToLower(s)
	s = strings.TrimSuffix(s, ".onmicrosoft.com")
	s = strings.TrimSuffix(s, ".com")
	id.Tenants()
	for _, t := range id.tenants {
		if t.ID == s || t.Name == s {
			return t, true
		}
	}
	return Tenant{}, false
}

// AddApp registers an application in the organisation's tenant with the
// given application permissions (roles) and consented delegated scopes.
func (id *Identity) AddApp(org, displayName string, roles, scopes []string) (*App, error) {
	if strings.TrimSpace(displayName) == "" {
		return nil, fmt.Errorf("an app registration needs a display name")
	}
	for _, a := range id.apps {
		if strings.EqualFold(a.DisplayName, displayName) {
			return nil, fmt.Errorf("an app named %q is registered already", displayName)
		}
	}
	for _, p := range append(append([]string(nil), roles...), scopes...) {
		if !validPermission(p) {
			return nil, fmt.Errorf("unknown permission %q; valid: %s", p, strings.Join(knownPermissions, ", "))
		}
	}
	t := id.Tenant(org)
	a := &App{AppID: id.guid(), DisplayName: displayName, Tenant: t.ID, Roles: append([]string(nil), roles...), Scopes: append([]string(nil), scopes...)}
	a.Secret = fmt.Sprintf("%s~%016x", strings.ToLower(displayName[:1]), id.rnd.Uint64())
	id.apps = append(id.apps, a)
	return a, nil
}

func validPermission(p string) bool {
	for _, k := range knownPermissions {
		if k == p {
			return true
		}
	}
	return false
}

// SetPermissions replaces an app's application permissions and scopes.
func (id *Identity) SetPermissions(a *App, roles, scopes []string) error {
	for _, p := range append(append([]string(nil), roles...), scopes...) {
		if !validPermission(p) {
			return fmt.Errorf("unknown permission %q; valid: %s", p, strings.Join(knownPermissions, ", "))
		}
	}
	a.Roles, a.Scopes = append([]string(nil), roles...), append([]string(nil), scopes...)
	return nil
}

// Apps lists the app registrations in order of registration.
func (id *Identity) Apps() []*App { return append([]*App(nil), id.apps...) }

// App finds an app registration by display name or app id.
func (id *Identity) App(name string) (*App, error) {
	for _, a := range id.apps {
		if strings.EqualFold(a.DisplayName, name) || strings.EqualFold(a.AppID, name) {
			return a, nil
		}
	}
	names := make([]string, len(id.apps))
	for i, a := range id.apps {
		names[i] = a.DisplayName
	}
	return nil, fmt.Errorf("no app registration %q; registered: %s", name, strings.Join(names, ", "))
}

// SetAccount gives a user a password and an MFA requirement.
func (id *Identity) SetAccount(u teams.UserID, a Account) { id.accounts[u] = a }

// Account returns the user's sign-in account; every user has one, with the
// password "<name>-pw" unless set.
func (id *Identity) Account(u teams.UserID) Account {
	if a, ok := id.accounts[u]; ok {
		return a
	}
	return Account{Password: id.w.Teams.Dir(u).Name + "-pw"}
}

// userByUPN finds a user of the tenant by user principal name.
func (id *Identity) userByUPN(tenantID, upn string) (teams.UserID, bool) {
	for _, u := range id.w.Teams.Users() {
		d := id.w.Teams.Dir(u)
		if strings.EqualFold(d.UPN, upn) && id.Tenant(d.Org).ID == tenantID {
			return u, true
		}
	}
	return 0, false
}
