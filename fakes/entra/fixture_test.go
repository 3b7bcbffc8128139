package entra

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// testHost is the host the fixture's requests reach, port and all, so the
// documents are seen to name the request's host.
const testHost = "login.example.test:8443"

// testKeys is one key set for the whole test binary: making RSA keys is slow.
var testKeys = DefaultKeySet()

// wallClock is a wall clock a test moves by hand.
type wallClock struct{ t time.Time }

func (c *wallClock) now() time.Time { return c.t }

// fixture is a world of two tenants: contoso with alice, bob, carol (MFA)
// and a guest dave; fabrikam with erin. The app "connector" of contoso has
// application and delegated permissions and a registered certificate;
// "other" is fabrikam's.
type fixture struct {
	t     *testing.T
	w     *sim.World
	lw    *live.World
	h     *Handler
	clock *wallClock
	app   *App
	other *App
	dir   *Directory
	ids   map[string]string
	cert  *x509.Certificate
	key   *rsa.PrivateKey
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	w := sim.MustNew(7)
	f := &fixture{t: t, w: w, ids: map[string]string{}, clock: &wallClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	for _, u := range []struct{ name, org string }{{"alice", "contoso"}, {"bob", "contoso"}, {"carol", "contoso"}, {"dave", "contoso"}, {"erin", "fabrikam"}} {
		id, err := w.AddUser(u.name, u.org)
		if err != nil {
			t.Fatal(err)
		}
		f.ids[u.name] = w.Teams.Dir(id).ID
	}
	f.dir = DirectoryOf(w)
	carol, _ := w.Teams.User("carol")
	f.dir.SetAccount(carol, Account{Password: "carol-pw", MFA: true})
	var err error
	f.app, err = f.dir.AddApp("contoso", "connector", []string{PresenceReadAll, PresenceReadWriteAll}, []string{PresenceRead, PresenceReadWrite, UserRead})
	if err != nil {
		t.Fatal(err)
	}
	f.other, err = f.dir.AddApp("fabrikam", "other", []string{PresenceReadAll}, []string{PresenceRead})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.AddCertificate(f.app, readFile(t, "client-cert.pem")); err != nil {
		t.Fatal(err)
	}
	f.cert, f.key = loadPair(t, "client")
	if f.lw, err = live.New(w, live.Clock{Manual: true}); err != nil {
		t.Fatal(err)
	}
	f.h = New(f.lw, Options{Now: f.clock.now, Keys: testKeys})
	return f
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadPair(t *testing.T, name string) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	cb, _ := pem.Decode(readFile(t, name+"-cert.pem"))
	kb, _ := pem.Decode(readFile(t, name+"-key.pem"))
	c, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c, k.(*rsa.PrivateKey)
}

func (f *fixture) user(name string) teams.Directory {
	f.t.Helper()
	u, err := f.w.Teams.User(name)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.w.Teams.Dir(u)
}

func (f *fixture) tenant(name string) Tenant {
	t, ok := f.dir.FindTenant(name)
	if !ok {
		f.t.Fatalf("no tenant %s", name)
	}
	return t
}

// response is an answer of the handler.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d, body is not a JSON object: %v: %s", r.status, err, r.body)
	}
	return m
}

func (f *fixture) serve(req *http.Request) response {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return response{status: rec.Code, header: rec.Header(), body: b}
}

func (f *fixture) get(path string) response {
	return f.serve(httptest.NewRequest(http.MethodGet, "https://"+testHost+path, nil))
}

func (f *fixture) post(path string, form url.Values) response {
	req := httptest.NewRequest(http.MethodPost, "https://"+testHost+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.serve(req)
}

// token posts a token request to contoso's token endpoint.
func (f *fixture) token(form url.Values) response { return f.post("/contoso/oauth2/v2.0/token", form) }

func (f *fixture) appForm() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {f.app.AppID}, "client_secret": {f.app.Secret}, "scope": {"https://graph.microsoft.com/.default"}}
}

func (f *fixture) userForm(name, scope string) url.Values {
	return url.Values{"grant_type": {"password"}, "client_id": {f.app.AppID}, "username": {name + "@contoso.com"}, "password": {name + "-pw"}, "scope": {scope}, "client_info": {"1"}}
}

// tokens decodes a successful token response.
type tokens struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ClientInfo   string `json:"client_info"`
}

func (f *fixture) ok(r response) tokens {
	f.t.Helper()
	var tk tokens
	if r.status != http.StatusOK || json.Unmarshal(r.body, &tk) != nil || tk.AccessToken == "" {
		f.t.Fatalf("token request: %d %s", r.status, r.body)
	}
	return tk
}

// payload decodes a JWT's claims without checking anything.
func payload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// compact signs header and claims as a JWS with an RSA key.
func compact(t *testing.T, hdr, claims any, key *rsa.PrivateKey, alg string) string {
	t.Helper()
	hb, _ := json.Marshal(hdr)
	cb, _ := json.Marshal(claims)
	s := b64(hb) + "." + b64(cb)
	sum := sha256.Sum256([]byte(s))
	var sig []byte
	var err error
	switch alg {
	case "PS256":
		sig, err = rsa.SignPSS(rand.Reader, key, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	default:
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return s + "." + b64(sig)
}

func sha1Of(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func sha256Of(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
