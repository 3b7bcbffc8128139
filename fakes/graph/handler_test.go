package graph

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
)

// fixture is a world with alice and bob, an app with application
// permissions and delegated scopes, and an in-process client.
type fixture struct {
	t      *testing.T
	w      *sim.World // reached directly only while no request runs
	lw     *live.World
	h      *Handler
	c      *http.Client
	app    *App
	ids    map[string]string
	mu     sync.Mutex // rx: deliveries to different URLs run concurrently
	rx     []Delivery
	answer func(Delivery) Reply
}

func newFixture(t *testing.T, opt Options) *fixture {
	t.Helper()
	w := sim.MustNew(7)
	f := &fixture{t: t, w: w, ids: map[string]string{}}
	for _, n := range []string{"alice", "bob", "carol"} {
		u, err := w.AddUser(n, "")
		if err != nil {
			t.Fatal(err)
		}
		f.ids[n] = w.Teams.Dir(u).ID
	}
	if opt.Deliverer == nil {
		opt.Deliverer = DeliverFunc(func(_ context.Context, d Delivery) (Reply, error) {
			f.mu.Lock()
			f.rx = append(f.rx, d)
			f.mu.Unlock()
			if f.answer != nil {
				return f.answer(d), nil
			}
			if d.Validation {
				u, _ := url.Parse(d.URL)
				return Reply{Status: 200, ContentType: "text/plain", Body: []byte(u.Query().Get("validationToken"))}, nil
			}
			return Reply{Status: 202}, nil
		})
	}
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	f.lw = lw
	f.h = NewHandler(lw, opt)
	a, err := f.h.Identity().AddApp("contoso", "connector", []string{PresenceReadAll, PresenceReadWriteAll}, []string{PresenceRead, PresenceReadAll, PresenceReadWrite})
	if err != nil {
		t.Fatal(err)
	}
	f.app = a
	f.c, _ = NewClient(f.h)
	return f
}

func (f *fixture) appToken() string {
	f.t.Helper()
	return f.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {f.app.AppID}, "client_secret": {f.app.Secret}, "scope": {"https://graph.microsoft.com/.default"}})
}

func (f *fixture) userToken(name string) string {
	f.t.Helper()
	return f.token(url.Values{"grant_type": {"password"}, "client_id": {f.app.AppID}, "username": {name + "@contoso.com"}, "password": {name + "-pw"}, "scope": {"https://graph.microsoft.com/.default"}})
}

func (f *fixture) token(form url.Values) string {
	f.t.Helper()
	resp, err := f.c.PostForm("https://login.microsoftonline.com/contoso/oauth2/v2.0/token", form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, &out) != nil {
		f.t.Fatalf("token: %d %s", resp.StatusCode, b)
	}
	return out.AccessToken
}

func (f *fixture) do(method, path, tok, body string) (int, []byte, http.Header) {
	f.t.Helper()
	req, _ := http.NewRequest(method, "https://graph.microsoft.com"+path, strings.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func TestReadWriteRoundTrip(t *testing.T) {
	f := newFixture(t, Options{})
	tok := f.appToken()
	alice := f.ids["alice"]
	st, b, _ := f.do("GET", "/v1.0/users/"+alice+"/presence", tok, "")
	if st != 200 {
		t.Fatalf("GET: %d %s", st, b)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("GET body is not JSON: %v: %s", err, b)
	}
	if p["availability"] != "Offline" || p["activity"] != "Offline" || p["@odata.context"] == nil {
		t.Fatalf("a user with no session reads Offline/Offline with @odata.context; got %s", b)
	}
	seq0 := p["sequenceNumber"].(string)
	st, b, _ = f.do("POST", "/v1.0/users/"+alice+"/presence/setPresence", tok, `{"sessionId":"`+f.app.AppID+`","availability":"Busy","activity":"InACall","expirationDuration":"PT1H"}`)
	if st != 200 {
		t.Fatalf("setPresence: %d %s", st, b)
	}
	_, b, _ = f.do("GET", "/v1.0/communications/presences/"+alice, tok, "")
	_ = json.Unmarshal(b, &p)
	if p["availability"] != "Busy" || p["activity"] != "InACall" {
		t.Fatalf("after setPresence Busy/InACall the read shows %s", b)
	}
	if s := p["sequenceNumber"].(string); s <= seq0 {
		t.Fatalf("sequenceNumber %q did not grow past %q", s, seq0)
	}
	if !strings.Contains(string(b), `communications/presences/$entity`) {
		t.Fatalf("context of /communications/presences/{id}: %s", b)
	}
	if err := f.w.Clock.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	st, b, _ = f.do("GET", "/v1.0/users/"+alice+"/presence", tok, "")
	if st != 401 {
		t.Fatalf("a token older than its lifetime must be refused; got %d %s", st, b)
	}
	_, b, _ = f.do("GET", "/v1.0/users/"+alice+"/presence", f.appToken(), "")
	_ = json.Unmarshal(b, &p)
	if p["availability"] != "Offline" {
		t.Fatalf("after the session's expiry the read shows %s", b)
	}
}

func TestErrorsAreGraphShaped(t *testing.T) {
	f := newFixture(t, Options{})
	tok := f.appToken()
	alice := f.ids["alice"]
	cases := []struct {
		name, method, path, tok, body string
		status                        int
		code                          string
	}{
		{"no token", "GET", "/v1.0/users/" + alice + "/presence", "", "", 401, "InvalidAuthenticationToken"},
		{"forged token", "GET", "/v1.0/users/" + alice + "/presence", tok + "x", "", 401, "InvalidAuthenticationToken"},
		{"me with app token", "GET", "/v1.0/me/presence", tok, "", 400, "BadRequest"},
		{"unknown user", "GET", "/v1.0/users/00000000-0000-4000-8000-000000000000/presence", tok, "", 404, "Request_ResourceNotFound"},
		{"upn instead of id", "GET", "/v1.0/users/alice@contoso.com/presence", tok, "", 400, "BadRequest"},
		{"pair not accepted", "POST", "/v1.0/users/" + alice + "/presence/setPresence", tok, `{"sessionId":"` + f.app.AppID + `","availability":"Busy","activity":"Busy"}`, 400, "BadRequest"},
		{"expiry too long", "POST", "/v1.0/users/" + alice + "/presence/setPresence", tok, `{"sessionId":"` + f.app.AppID + `","availability":"Busy","activity":"InACall","expirationDuration":"PT5H"}`, 400, "BadRequest"},
		{"other app's session id", "POST", "/v1.0/users/" + alice + "/presence/setPresence", tok, `{"sessionId":"` + alice + `","availability":"Away","activity":"Away"}`, 400, "BadRequest"},
		{"clear missing session", "POST", "/v1.0/users/" + alice + "/presence/clearPresence", tok, `{"sessionId":"` + f.app.AppID + `"}`, 404, "NotFound"},
		{"status message by app", "POST", "/v1.0/users/" + alice + "/presence/setStatusMessage", tok, `{"statusMessage":{"message":{"content":"hi","contentType":"text"}}}`, 403, "Forbidden"},
		{"subscription by app", "POST", "/v1.0/subscriptions", tok, `{}`, 403, "Forbidden"},
		{"unknown segment", "GET", "/v1.0/users/" + alice + "/calendar", tok, "", 400, "BadRequest"},
		{"wrong method", "DELETE", "/v1.0/users/" + alice + "/presence", tok, "", 405, "Request_BadRequest"},
		{"malformed json", "POST", "/v1.0/communications/getPresencesByUserId", tok, `{"ids":`, 400, "BadRequest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, b, h := f.do(c.method, c.path, c.tok, c.body)
			var eb ErrorBody
			if err := json.Unmarshal(b, &eb); err != nil {
				t.Fatalf("status %d, body is not a Graph error: %s", st, b)
			}
			if st != c.status || eb.Error.Code != c.code || eb.Error.Message == "" || eb.Error.InnerError.RequestID == "" || eb.Error.InnerError.Date == "" {
				t.Fatalf("want %d %s with message and innerError; got %d %s", c.status, c.code, st, b)
			}
			if h.Get("request-id") != eb.Error.InnerError.RequestID {
				t.Fatalf("request-id header %q differs from the body's %q", h.Get("request-id"), eb.Error.InnerError.RequestID)
			}
		})
	}
}
