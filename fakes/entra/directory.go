package entra

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1" // x5t is a SHA-1 thumbprint by definition (RFC 7515 §4.1.7)
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/guid"
	"github.com/presencesim/presencesim/sim/teams"
)

// Permission names of Microsoft Graph an app registration may be granted
// (G-AUTH-1, G-USR-1).
const (
	PresenceRead         = "Presence.Read"
	PresenceReadAll      = "Presence.Read.All"
	PresenceReadWrite    = "Presence.ReadWrite"
	PresenceReadWriteAll = "Presence.ReadWrite.All"
	UserRead             = "User.Read"
	UserReadBasicAll     = "User.ReadBasic.All"
	UserReadAll          = "User.Read.All"
)

// Graph as a resource: its application id URI and its application id.
const (
	GraphResource = "https://graph.microsoft.com"
	GraphAppID    = "00000003-0000-0000-c000-000000000000"
)

// Permissions are the permissions an app registration may be granted.
var Permissions = []string{PresenceRead, PresenceReadAll, PresenceReadWrite, PresenceReadWriteAll, UserRead, UserReadBasicAll, UserReadAll}

// canonicalPermission finds a permission by name, case-insensitively as
// Entra ID compares scopes.
func canonicalPermission(p string) (string, bool) {
	for _, k := range Permissions {
		if strings.EqualFold(k, p) {
			return k, true
		}
	}
	return "", false
}

// Tenant is an organisation of the world with its directory id.
type Tenant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Domains are the tenant's verified domain names: the initial
// {name}.onmicrosoft.com and the custom {name}.com its users sign in with.
func (t Tenant) Domains() []string {
	return []string{t.Name + ".onmicrosoft.com", t.Name + ".com"}
}

// App is an app registration: client id and secret, the application
// permissions an admin granted, the delegated scopes consented, the
// certificates it may sign client assertions with and its redirect URIs.
type App struct {
	AppID       string   `json:"appId"`
	DisplayName string   `json:"displayName"`
	Secret      string   `json:"clientSecret"`
	Tenant      string   `json:"tenantId"`
	Roles       []string `json:"applicationPermissions"`
	Scopes      []string `json:"delegatedPermissions"`
	// ServicePrincipalID is the object id of the app in its tenant: the
	// oid of its application tokens.
	ServicePrincipalID string          `json:"servicePrincipalId"`
	RedirectURIs       []string        `json:"redirectUris,omitempty"`
	KeyCredentials     []KeyCredential `json:"keyCredentials,omitempty"`
}

// KeyCredential is a certificate registered for an app, shaped like
// Graph's keyCredential resource.
type KeyCredential struct {
	// Thumbprint is the certificate's SHA-1 thumbprint in upper-case hex,
	// as the portal shows it.
	Thumbprint string    `json:"customKeyIdentifier"`
	Type       string    `json:"type"`
	Usage      string    `json:"usage"`
	Key        []byte    `json:"key"`
	Start      time.Time `json:"startDateTime"`
	End        time.Time `json:"endDateTime"`

	cert   *x509.Certificate
	sha1   [sha1.Size]byte
	sha256 [sha256.Size]byte
}

// Certificate is the parsed certificate.
func (k KeyCredential) Certificate() *x509.Certificate { return k.cert }

// Account is how a user signs in with a password.
type Account struct {
	Password string `json:"password"`
	MFA      bool   `json:"mfa"`
}

// Directory is the Entra ID directory of a world: tenants, app
// registrations and the users' sign-in accounts. It attaches itself to the
// world (sim.Attach), so the fakes, the steps and the control API share one;
// it is reached only with the world held.
type Directory struct {
	w        *sim.World
	rnd      *rand.Rand
	tenants  []Tenant
	byName   map[string]int // tenant index by name
	apps     []*App
	accounts map[teams.UserID]Account
}

// ComponentName names the component in the world.
func (*Directory) ComponentName() string { return "entra directory" }

// DirectoryOf returns the world's directory, creating it.
func DirectoryOf(w *sim.World) *Directory {
	return sim.Attach(w, func(w *sim.World) *Directory {
		return &Directory{w: w, rnd: w.Stream("entra directory"), byName: map[string]int{}, accounts: map[teams.UserID]Account{}}
	})
}

func (d *Directory) guid() string {
	return guid.New(d.rnd)
}

// Tenant returns the tenant of an organisation, creating its id on first use.
func (d *Directory) Tenant(org string) Tenant {
	org = strings.ToLower(strings.TrimSpace(org))
	if org == "" {
		org = sim.DefaultOrg
	}
	if i, ok := d.byName[org]; ok {
		return d.tenants[i]
	}
	t := Tenant{ID: d.guid(), Name: org}
	d.byName[org] = len(d.tenants)
	d.tenants = append(d.tenants, t)
	return t
}

// Tenants lists the tenants, by name: every organisation with a user or an app.
func (d *Directory) Tenants() []Tenant {
	d.sync()
	out := append([]Tenant(nil), d.tenants...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sync gives every organisation with a user its tenant.
func (d *Directory) sync() {
	for _, u := range d.w.Teams.Users() {
		d.Tenant(d.w.Teams.Dir(u).Org)
	}
}

// FindTenant resolves a tenant as an authority's path segment names it: by
// id or by one of its domains ("contoso.onmicrosoft.com", "contoso.com"),
// or by its bare name, case-insensitively.
func (d *Directory) FindTenant(s string) (Tenant, bool) {
	d.sync()
	for _, t := range d.tenants {
		if strings.EqualFold(t.ID, s) || strings.EqualFold(t.Name, s) {
			return t, true
		}
		for _, dom := range t.Domains() {
			if strings.EqualFold(dom, s) {
				return t, true
			}
		}
	}
	return Tenant{}, false
}

// TenantByID finds a tenant by its id.
func (d *Directory) TenantByID(id string) (Tenant, bool) {
	for _, t := range d.tenants {
		if strings.EqualFold(t.ID, id) {
			return t, true
		}
	}
	return Tenant{}, false
}

// AddApp registers an application in the organisation's tenant with the
// given application permissions (roles) and consented delegated scopes.
func (d *Directory) AddApp(org, displayName string, roles, scopes []string) (*App, error) {
	if strings.TrimSpace(displayName) == "" {
		return nil, errors.New("an app registration needs a display name")
	}
	for _, a := range d.apps {
		if strings.EqualFold(a.DisplayName, displayName) {
			return nil, fmt.Errorf("an app named %q is registered already", displayName)
		}
	}
	roles, scopes, err := canonicalPermissions(roles, scopes)
	if err != nil {
		return nil, err
	}
	t := d.Tenant(org)
	a := &App{AppID: d.guid(), DisplayName: displayName, Tenant: t.ID, Roles: roles, Scopes: scopes}
	a.Secret = d.secret(displayName)
	a.ServicePrincipalID = d.guid()
	d.apps = append(d.apps, a)
	return a, nil
}

func (d *Directory) secret(displayName string) string {
	return fmt.Sprintf("%s~%016x", strings.ToLower(displayName[:1]), d.rnd.Uint64())
}

func canonicalPermissions(roles, scopes []string) ([]string, []string, error) {
	canon := func(in []string) ([]string, error) {
		out := make([]string, 0, len(in))
		for _, p := range in {
			c, ok := canonicalPermission(p)
			if !ok {
				return nil, fmt.Errorf("unknown permission %q; valid: %s", p, strings.Join(Permissions, ", "))
			}
			out = append(out, c)
		}
		return out, nil
	}
	r, err := canon(roles)
	if err != nil {
		return nil, nil, err
	}
	s, err := canon(scopes)
	return r, s, err
}

// SetPermissions replaces an app's application permissions and scopes.
func (d *Directory) SetPermissions(a *App, roles, scopes []string) error {
	roles, scopes, err := canonicalPermissions(roles, scopes)
	if err != nil {
		return err
	}
	a.Roles, a.Scopes = roles, scopes
	return nil
}

// RotateSecret gives the app a new client secret; the old one is refused
// from now on (AADSTS7000215), as after a secret is deleted in the portal.
func (d *Directory) RotateSecret(a *App) string {
	a.Secret = d.secret(a.DisplayName)
	return a.Secret
}

// SetRedirectURIs replaces the app's redirect URIs (sign-in in a browser).
func (d *Directory) SetRedirectURIs(a *App, uris []string) {
	a.RedirectURIs = append([]string(nil), uris...)
}

// AddCertificate registers a certificate (PEM or DER) the app signs client
// assertions with. Entra ID takes RSA certificates only.
func (d *Directory) AddCertificate(a *App, certificate []byte) (KeyCredential, error) {
	der := certificate
	if b, _ := pem.Decode(certificate); b != nil {
		if b.Type != "CERTIFICATE" {
			return KeyCredential{}, fmt.Errorf("the PEM block is a %q, not a CERTIFICATE", b.Type)
		}
		der = b.Bytes
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return KeyCredential{}, fmt.Errorf("the certificate does not parse: %w", err)
	}
	pub, ok := c.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() < 2048 {
		return KeyCredential{}, errors.New("a client certificate must hold an RSA key of at least 2048 bits")
	}
	k := KeyCredential{Type: "AsymmetricX509Cert", Usage: "Verify", Key: c.Raw, Start: c.NotBefore, End: c.NotAfter, cert: c,
		sha1: sha1.Sum(c.Raw), sha256: sha256.Sum256(c.Raw)}
	k.Thumbprint = strings.ToUpper(hex.EncodeToString(k.sha1[:]))
	for _, o := range a.KeyCredentials {
		if o.Thumbprint == k.Thumbprint {
			return o, nil
		}
	}
	a.KeyCredentials = append(a.KeyCredentials, k)
	return k, nil
}

// certificate finds the app's certificate by SHA-1 or SHA-256 thumbprint.
func (a *App) certificate(x5t, x5tS256 []byte) (KeyCredential, bool) {
	for _, k := range a.KeyCredentials {
		if k.cert == nil {
			continue
		}
		if (len(x5t) > 0 && bytes.Equal(x5t, k.sha1[:])) || (len(x5tS256) > 0 && bytes.Equal(x5tS256, k.sha256[:])) {
			return k, true
		}
	}
	return KeyCredential{}, false
}

// Apps lists the app registrations in order of registration.
func (d *Directory) Apps() []*App { return append([]*App(nil), d.apps...) }

// App finds an app registration by display name or app id.
func (d *Directory) App(name string) (*App, error) {
	for _, a := range d.apps {
		if strings.EqualFold(a.DisplayName, name) || strings.EqualFold(a.AppID, name) {
			return a, nil
		}
	}
	names := make([]string, len(d.apps))
	for i, a := range d.apps {
		names[i] = a.DisplayName
	}
	return nil, fmt.Errorf("no app registration %q; registered: %s", name, strings.Join(names, ", "))
}

// AppByID finds an app registration by its app (client) id.
func (d *Directory) AppByID(id string) *App {
	for _, a := range d.apps {
		if strings.EqualFold(a.AppID, id) {
			return a
		}
	}
	return nil
}

// SetAccount gives a user a password and an MFA requirement.
func (d *Directory) SetAccount(u teams.UserID, a Account) { d.accounts[u] = a }

// Account returns the user's sign-in account; every user has one, with the
// password "<name>-pw" unless set.
func (d *Directory) Account(u teams.UserID) Account {
	if a, ok := d.accounts[u]; ok {
		return a
	}
	return Account{Password: d.w.Teams.Dir(u).Name + "-pw"}
}

// UserByUPN finds a user of any tenant by user principal name.
func (d *Directory) UserByUPN(upn string) (teams.UserID, bool) {
	for _, u := range d.w.Teams.Users() {
		if strings.EqualFold(d.w.Teams.Dir(u).UPN, upn) {
			return u, true
		}
	}
	return 0, false
}

// UserByID finds a user by object id.
func (d *Directory) UserByID(oid string) (teams.UserID, bool) {
	for _, u := range d.w.Teams.Users() {
		if strings.EqualFold(d.w.Teams.Dir(u).ID, oid) {
			return u, true
		}
	}
	return 0, false
}

// TenantOf is the tenant a user belongs to now.
func (d *Directory) TenantOf(u teams.UserID) Tenant { return d.Tenant(d.w.Teams.Dir(u).Org) }

// tenantOfDomain finds the tenant that has verified a domain name.
func (d *Directory) tenantOfDomain(domain string) (Tenant, bool) {
	d.sync()
	for _, t := range d.tenants {
		for _, dom := range t.Domains() {
			if strings.EqualFold(dom, domain) {
				return t, true
			}
		}
	}
	return Tenant{}, false
}
