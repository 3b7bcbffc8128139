package served

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/live"
)

// The PBX API creates people only when the world file allows it.
func TestWorldFileSaysWhatThePBXMayCreate(t *testing.T) {
	cases := []struct {
		name string
		pbx  PBXFile
		body string
		want int
	}{
		{"unknown name refused by default", PBXFile{}, `{"name":"zed"}`, http.StatusNotFound},
		{"unknown name allowed", PBXFile{AllowNewUsers: true}, `{"name":"zed"}`, http.StatusCreated},
		{"another tenant refused", PBXFile{AllowNewUsers: true}, `{"name":"zed","org":"fabrikam"}`, http.StatusBadRequest},
		{"another tenant allowed", PBXFile{AllowNewUsers: true, AllowNewTenants: true}, `{"name":"zed","org":"fabrikam"}`, http.StatusCreated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wf := Demo()
			wf.PBX = c.pbx
			srv, err := NewServer(wf, Options{Clock: live.Clock{Manual: true}})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			resp, err := srv.Client().Post(srv.URL+"/pbx/users", "application/json", strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want && !(c.want == http.StatusBadRequest && resp.StatusCode == http.StatusForbidden) {
				t.Fatalf("POST /pbx/users %s: %d, want %d", c.body, resp.StatusCode, c.want)
			}
		})
	}
}

// An app's certificates come from PEM files named in the world file,
// relative to it.
func TestWorldFileRegistersCertificates(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "connector"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "connector.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "world.json")
	body := `{"seed":1,"tenants":[{"name":"contoso","users":[{"name":"alice"}],"apps":[{"displayName":"connector","applicationPermissions":["Presence.ReadWrite.All"],"certificates":["connector.pem"],"redirectUris":["http://localhost:3000/cb"]}]}]}`
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	wf, err := LoadWorldFile(file)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Build(wf)
	if err != nil {
		t.Fatal(err)
	}
	a, err := entra.DirectoryOf(w).App("connector")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.KeyCredentials) != 1 || len(a.RedirectURIs) != 1 {
		t.Fatalf("the app has %d certificates and redirect URIs %v; want 1 and the one given", len(a.KeyCredentials), a.RedirectURIs)
	}
	wf.Tenants[0].Apps[0].Certificates = []string{"missing.pem"}
	if _, err := Build(wf); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Fatalf("a missing certificate file: %v", err)
	}
}

// A world file may give a user a mail address, checked for its shape;
// without one a user's mail is name@tenant.com. User permissions are
// granted like the presence ones.
func TestWorldFileMailAndUserPermissions(t *testing.T) {
	wf, err := ParseWorldFile([]byte(`{"tenants": [{"name": "contoso",
	  "users": [{"name": "alice", "mail": "a.smith@contoso.com"}, {"name": "bob"}, {"name": "erin", "guest": true}],
	  "apps": [{"displayName": "directory", "applicationPermissions": ["user.read.all"], "delegatedPermissions": ["User.Read", "User.ReadBasic.All"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	w, err := Build(wf)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"alice": "a.smith@contoso.com", "bob": "bob@contoso.com", "erin": "erin@contoso.com"}
	for name, mail := range want {
		u, err := w.Teams.User(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := w.Teams.Dir(u).Mail; got != mail {
			t.Errorf("%s's mail: want %q, got %q", name, mail, got)
		}
	}
	a, err := entra.DirectoryOf(w).App("directory")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.Roles, " ") != entra.UserReadAll || strings.Join(a.Scopes, " ") != entra.UserRead+" "+entra.UserReadBasicAll {
		t.Errorf("user permissions granted as written, in their canonical names: roles %v, scopes %v", a.Roles, a.Scopes)
	}
	for _, bad := range []string{"alice", "a b@contoso.com", "@contoso.com", "a@", "a@b@c", strings.Repeat("a", 250) + "@contoso.com"} {
		wf.Tenants[0].Users[0].Mail = bad
		if _, err := Build(wf); err == nil || !strings.Contains(err.Error(), "mail") {
			t.Errorf("mail %q: want an error naming the mail, got %v", bad, err)
		}
	}
}
