package served

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/teams"
)

// WorldFile is the JSON a served world is built from.
type WorldFile struct {
	// Dir is the folder relative paths in the file are read from.
	Dir     string   `json:"-"`
	Seed    uint64   `json:"seed"`
	Start   string   `json:"start"` // virtual time to start at: "09:00", "day 2 09:00", or "now"
	Tenants []Tenant `json:"tenants"`
	// PBX says what the PBX API may do to the world.
	PBX PBXFile `json:"pbx,omitzero"`
}

// PBXFile is what the PBX API may change in the world: by default it
// acts on the people the world file declares and creates no one.
type PBXFile struct {
	AllowNewUsers   bool `json:"allowNewUsers,omitempty"`
	AllowNewTenants bool `json:"allowNewTenants,omitempty"`
}

// Tenant is one organisation of a world file; the first is the home
// organisation, whose users get a desk phone on the PBX.
type Tenant struct {
	Name  string `json:"name"`
	Users []User `json:"users"`
	Apps  []App  `json:"apps"`
}

// User is a person of a tenant.
type User struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	// Mail is the user's e-mail address (name@tenant.com when empty).
	Mail     string   `json:"mail,omitempty"`
	Password string   `json:"password,omitempty"`
	MFA      bool     `json:"mfa,omitempty"`
	Guest    bool     `json:"guest,omitempty"`
	SignedIn []string `json:"signedIn,omitempty"` // Teams clients: desktop, web, mobile
	// Extension and SIPPassword are a home user's desk phone on the PBX:
	// its number (the next free one from 201 when empty) and the secret
	// it registers and subscribes with over SIP.
	Extension   string `json:"extension,omitempty"`
	SIPPassword string `json:"sipPassword,omitempty"`
}

// App is an app registration of a tenant.
type App struct {
	DisplayName            string   `json:"displayName"`
	ApplicationPermissions []string `json:"applicationPermissions"`
	DelegatedPermissions   []string `json:"delegatedPermissions"`
	// Certificates are PEM files (paths relative to the world file) whose
	// certificates the app may sign client assertions with (G-ID-2).
	Certificates []string `json:"certificates,omitempty"`
	// RedirectURIs are where interactive sign-in may send the code.
	RedirectURIs []string `json:"redirectUris,omitempty"`
}

// fieldsHelp lists the world file's fields for error messages.
const fieldsHelp = "fields: seed, start, pbx[allowNewUsers, allowNewTenants], tenants[name, users[name, displayName, mail, password, mfa, guest, signedIn, extension, sipPassword], apps[displayName, applicationPermissions, delegatedPermissions, certificates, redirectUris]]"

// Demo is the built-in world: contoso with alice, bob and carol (desk
// phones 201 to 203, SIP passwords alice-201 and so on), an app
// with read and write permissions and one that only reads.
func Demo() WorldFile {
	return WorldFile{
		Seed:  1,
		Start: "09:00",
		Tenants: []Tenant{{
			Name: "contoso",
			Users: []User{
				{Name: "alice", SignedIn: []string{"desktop"}, Extension: "201", SIPPassword: "alice-201"},
				{Name: "bob", SignedIn: []string{"mobile"}, Extension: "202", SIPPassword: "bob-202"},
				{Name: "carol", Extension: "203", SIPPassword: "carol-203"},
			},
			Apps: []App{
				{DisplayName: "presencesim demo", ApplicationPermissions: []string{graph.PresenceReadAll, graph.PresenceReadWriteAll, graph.UserReadAll},
					DelegatedPermissions: []string{graph.PresenceRead, graph.PresenceReadAll, graph.PresenceReadWrite, graph.UserRead, graph.UserReadBasicAll}},
				{DisplayName: "presence reader", ApplicationPermissions: []string{graph.PresenceReadAll}},
			},
		}},
	}
}

// MaxWorldFile bounds the world file read: it is a description, not data.
const MaxWorldFile = 16 << 20

// LoadWorldFile reads a world file; the demo world when path is empty.
func LoadWorldFile(path string) (WorldFile, error) {
	if path == "" {
		return Demo(), nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return WorldFile{}, err
	}
	if fi.Size() > MaxWorldFile {
		return WorldFile{}, fmt.Errorf("world file %s: %d bytes; at most %d", path, fi.Size(), MaxWorldFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return WorldFile{}, err
	}
	wf, err := ParseWorldFile(b)
	if err != nil {
		return WorldFile{}, fmt.Errorf("world file %s: %w", path, err)
	}
	wf.Dir = filepath.Dir(path)
	return wf, nil
}

// ParseWorldFile reads a world file's JSON; unknown fields are errors.
func ParseWorldFile(b []byte) (WorldFile, error) {
	var wf WorldFile
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wf); err != nil {
		return WorldFile{}, fmt.Errorf("%v (%s)", err, fieldsHelp)
	}
	if dec.More() {
		return WorldFile{}, errors.New("more than one JSON value; a world file is one object")
	}
	return wf, nil
}

// Build creates the world a file describes: its users, their identities
// and clients, the apps, and a desk phone for every home user.
func Build(wf WorldFile) (*sim.World, error) {
	w := sim.MustNew(wf.Seed)
	id := graph.IdentityOf(w)
	if wf.Start != "" {
		t, err := StartTime(wf.Start, time.Now)
		if err != nil {
			return nil, err
		}
		if err := w.Clock.RunUntil(t); err != nil {
			return nil, err
		}
	}
	if len(wf.Tenants) == 0 {
		return nil, errors.New("the world has no tenant")
	}
	for _, t := range wf.Tenants {
		id.Tenant(t.Name)
		for _, u := range t.Users {
			if err := addUser(w, id, t.Name, u); err != nil {
				return nil, err
			}
		}
		for _, a := range t.Apps {
			app, err := id.AddApp(t.Name, a.DisplayName, a.ApplicationPermissions, a.DelegatedPermissions)
			if err != nil {
				return nil, fmt.Errorf("tenant %s: %v", t.Name, err)
			}
			for _, c := range a.Certificates {
				p := c
				if !filepath.IsAbs(p) {
					p = filepath.Join(wf.Dir, p)
				}
				pem, err := os.ReadFile(p)
				if err != nil {
					return nil, fmt.Errorf("app %s: certificate: %v", a.DisplayName, err)
				}
				if _, err := id.AddCertificate(app, pem); err != nil {
					return nil, fmt.Errorf("app %s: certificate %s: %v", a.DisplayName, c, err)
				}
			}
			if len(a.RedirectURIs) > 0 {
				id.SetRedirectURIs(app, a.RedirectURIs)
			}
		}
	}
	if err := pbx.Of(w).EnsureOrg(sim.DefaultOrg); err != nil {
		return nil, err
	}
	if err := setSIP(w, wf); err != nil {
		return nil, err
	}
	return w, w.Clock.RunUntil(w.Clock.Now())
}

// setSIP gives home users the extensions and SIP passwords the file names.
func setSIP(w *sim.World, wf WorldFile) error {
	p := pbx.Of(w)
	for _, t := range wf.Tenants {
		for _, u := range t.Users {
			if u.Extension == "" && u.SIPPassword == "" {
				continue
			}
			id, err := w.Teams.User(u.Name)
			if err != nil {
				return err
			}
			i, ok := p.Find(id)
			if !ok {
				return fmt.Errorf("user %s: only users of the home tenant %s have a desk phone, so only they take an extension or a SIP password", u.Name, sim.DefaultOrg)
			}
			if err := p.SetSIP(i, u.Extension, u.SIPPassword); err != nil {
				return fmt.Errorf("user %s: %v", u.Name, err)
			}
		}
	}
	return nil
}

func addUser(w *sim.World, id *graph.Identity, tenant string, u User) error {
	uid, err := w.AddUser(u.Name, tenant)
	if err != nil {
		return err
	}
	d := w.Teams.Dir(uid)
	if u.DisplayName != "" {
		d.DisplayName = u.DisplayName
	}
	if u.Mail != "" {
		if err := validMail(u.Mail); err != nil {
			return fmt.Errorf("user %s: %v", u.Name, err)
		}
		d.Mail = u.Mail
	}
	if u.Guest {
		d.Guest = true
		d.UPN = strings.ReplaceAll(d.UPN, "@", "_") + "#EXT#@" + strings.ToLower(tenant) + ".onmicrosoft.com"
	}
	w.Teams.SetDir(uid, d)
	acc := id.Account(uid)
	if u.Password != "" {
		acc.Password = u.Password
	}
	acc.MFA = u.MFA
	id.SetAccount(uid, acc)
	for _, c := range u.SignedIn {
		k, err := teams.ParseClientKind(c)
		if err != nil {
			return fmt.Errorf("user %s: %v", u.Name, err)
		}
		if err := w.Teams.SignIn(uid, k); err != nil {
			return err
		}
	}
	return nil
}

// validMail checks the shape of an e-mail address: one @ between a local
// part and a domain, no spaces, at most 256 bytes as Entra ID stores it.
func validMail(m string) error {
	local, domain, ok := strings.Cut(m, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(m, " \t\r\n\"'<>,;") || strings.Contains(domain, "@") || len(m) > 256 {
		return fmt.Errorf("mail %q is not an e-mail address: write name@domain (at most 256 bytes)", m)
	}
	return nil
}

// StartTime reads a world's start: a clock time, or "now", the wall
// clock's present as virtual time, so that a connector's own clock and
// the world's agree (a subscription's expiry, a token's age).
func StartTime(s string, wall func() time.Time) (clock.Time, error) {
	if s != "now" {
		return clock.Parse(s, 0)
	}
	d := wall().Sub(clock.Epoch)
	if d < 0 {
		return 0, fmt.Errorf("the wall clock (%s) is before the simulation's first day (%s)", wall().Format(time.RFC3339), clock.Epoch.Format("2006-01-02"))
	}
	return clock.Time(d), nil
}
