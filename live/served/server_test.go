package served

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/live"
)

// start serves the demo world on a loopback port with real HTTP.
func start(t *testing.T, manual bool) (string, *Server) {
	t.Helper()
	srv, err := NewServer(Demo(), Options{Clock: live.Clock{Manual: manual}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv.URL, srv
}

// waitBound ends a wait for a condition that never comes.
const waitBound = eventually.Bound

// waitFor polls cond until it holds (see eventually.True).
func waitFor(t *testing.T, cond func() (bool, string)) { t.Helper(); eventually.True(t, cond) }

func call(t *testing.T, method, u, tok, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", method, u, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

type worldResp struct {
	Tenants []struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Users []struct {
			ID  string `json:"id"`
			UPN string `json:"userPrincipalName"`
		} `json:"users"`
		Apps []struct {
			AppID  string   `json:"appId"`
			Secret string   `json:"clientSecret"`
			Perms  []string `json:"applicationPermissions"`
		} `json:"apps"`
	} `json:"tenants"`
}

func appToken(t *testing.T, base, tenant, id, secret string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/"+tenant+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func TestServeWorldTokenPresenceAndEvents(t *testing.T) {
	base, _ := start(t, true)
	var wv worldResp
	if st := call(t, "GET", base+"/_presencesim/world", "", "", &wv); st != 200 || len(wv.Tenants) != 1 || len(wv.Tenants[0].Users) != 3 || len(wv.Tenants[0].Apps) == 0 {
		t.Fatalf("world: %d %+v", st, wv)
	}
	ten, app := wv.Tenants[0], wv.Tenants[0].Apps[0]
	tok := appToken(t, base, ten.Name, app.AppID, app.Secret)
	carol := ten.Users[2].ID
	var p struct {
		Availability string `json:"availability"`
		Sequence     string `json:"sequenceNumber"`
	}
	if st := call(t, "GET", base+"/v1.0/users/"+carol+"/presence", tok, "", &p); st != 200 || p.Availability != "Offline" {
		t.Fatalf("carol before signing in: %d %+v", st, p)
	}
	if st := call(t, "POST", base+"/_presencesim/events", "", `{"event":"signIn","user":"carol","client":"web"}`, nil); st != 200 {
		t.Fatalf("event: %d", st)
	}
	if st := call(t, "GET", base+"/v1.0/users/"+carol+"/presence", tok, "", &p); st != 200 || p.Availability != "Available" {
		t.Fatalf("carol after signing in: %d %+v", st, p)
	}
	// the manual clock moves only when told: 5 minutes idle → Away
	if st := call(t, "POST", base+"/_presencesim/clock", "", `{"advance":"5m"}`, nil); st != 200 {
		t.Fatalf("clock: %d", st)
	}
	if call(t, "GET", base+"/v1.0/users/"+carol+"/presence", tok, "", &p); p.Availability != "Away" {
		t.Fatalf("carol after 5 idle minutes: %+v", p)
	}
	var ex struct {
		Rule string `json:"rule"`
		Text string `json:"text"`
	}
	if st := call(t, "GET", base+"/_presencesim/explain/carol", "", "", &ex); st != 200 || ex.Rule == "" || ex.Text == "" {
		t.Fatalf("explain: %d %+v", st, ex)
	}
	// the journal holds Graph's requests (three reads), not the token
	var j struct {
		Total   int           `json:"total"`
		Entries []graph.Entry `json:"entries"`
	}
	if call(t, "GET", base+"/_presencesim/journal", "", "", &j); j.Total != 3 || j.Entries[len(j.Entries)-1].Target != "carol" {
		t.Fatalf("journal: %+v", j)
	}
	if st := call(t, "POST", base+"/_presencesim/events", "", `{"event":"dance","user":"carol"}`, nil); st != 400 {
		t.Fatalf("an unknown event must be 400, got %d", st)
	}
	if st := call(t, "POST", base+"/_presencesim/reset", "", "", nil); st != 200 {
		t.Fatalf("reset: %d", st)
	}
	// a token of the world before the reset is refused (G-ID-2)
	if st := call(t, "GET", base+"/v1.0/users/"+carol+"/presence", tok, "", nil); st != http.StatusUnauthorized {
		t.Fatalf("a token of the earlier world after reset: %d, want 401", st)
	}
	tok = appToken(t, base, ten.Name, app.AppID, app.Secret)
	if call(t, "GET", base+"/v1.0/users/"+carol+"/presence", tok, "", &p); p.Availability != "Offline" {
		t.Fatalf("after reset carol is Offline again; got %+v", p)
	}
}

func TestServeWallClockFollowsTime(t *testing.T) {
	base, _ := start(t, false)
	var c1, c2 struct {
		Now  time.Time `json:"now"`
		Mode string    `json:"mode"`
	}
	call(t, "GET", base+"/_presencesim/clock", "", "", &c1)
	if c1.Mode != "wall" {
		t.Fatalf("clock mode %q, want wall", c1.Mode)
	}
	waitFor(t, func() (bool, string) {
		call(t, "GET", base+"/_presencesim/clock", "", "", &c2)
		return c2.Now.After(c1.Now), fmt.Sprintf("the wall clock must move by itself: %v then %v", c1, c2)
	})
	call(t, "POST", base+"/_presencesim/clock", "", `{"advance":"1h"}`, &c2)
	if c2.Now.Sub(c1.Now) < time.Hour {
		t.Fatalf("advance moves the wall-following clock ahead: %v then %v", c1.Now, c2.Now)
	}
}

// TestServeNotificationsOverHTTP subscribes a real loopback webhook and
// sees the validation handshake and a notification arrive.
func TestServeNotificationsOverHTTP(t *testing.T) {
	base, _ := start(t, true)
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("validationToken"); tok != "" {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, tok)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer hook.Close()
	var wv worldResp
	call(t, "GET", base+"/_presencesim/world", "", "", &wv)
	ten, app := wv.Tenants[0], wv.Tenants[0].Apps[0]
	resp, err := http.PostForm(base+"/"+ten.ID+"/oauth2/v2.0/token", url.Values{"grant_type": {"password"}, "client_id": {app.AppID}, "username": {ten.Users[2].UPN}, "password": {"carol-pw"}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	alice := ten.Users[0].ID
	body := `{"changeType":"updated","notificationUrl":"` + hook.URL + `/n","resource":"communications/presences/` + alice + `","expirationDateTime":"` + "2026-01-05T09:30:00Z" + `"}`
	var sub map[string]any
	if st := call(t, "POST", base+"/v1.0/subscriptions", tok.AccessToken, body, &sub); st != 201 {
		t.Fatalf("subscription: %d %v", st, sub)
	}
	call(t, "POST", base+"/_presencesim/events", "", `{"event":"lock","user":"alice"}`, nil)
	waitFor(t, func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0, "no notification arrived"
	})
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.Contains(got[0], alice) || !strings.Contains(got[0], sub["id"].(string)) {
		t.Fatalf("want one notification about alice for the subscription; got %q", got)
	}
}

// TestServeMountsThePBX checks that /pbx/ reaches the PBX fake over the
// same world and that the Graph paths are not shadowed by it.
func TestServeMountsThePBX(t *testing.T) {
	base, _ := start(t, true)
	var states any
	if st := call(t, "GET", base+"/pbx/states", "", "", &states); st != 200 {
		t.Fatalf("GET /pbx/states through serve: %d", st)
	}
	var e graph.ErrorBody
	if st := call(t, "GET", base+"/v1.0/me/presence", "", "", &e); st != 401 || e.Error.Code != "InvalidAuthenticationToken" {
		t.Fatalf("Graph behind serve without a token: %d %+v", st, e)
	}
}

func TestWorldFile(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/world.json"
	if err := os.WriteFile(good, []byte(`{"seed": 3, "start": "08:30", "tenants": [{"name": "fabrikam",
		"users": [{"name": "dave", "password": "s3cret", "mfa": true, "signedIn": ["web"]}, {"name": "erin", "guest": true}],
		"apps": [{"displayName": "bridge", "applicationPermissions": ["Presence.ReadWrite.All"]}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	wf, err := LoadWorldFile(good)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Build(wf)
	if err != nil {
		t.Fatal(err)
	}
	dave, _ := w.Teams.User("dave")
	erin, _ := w.Teams.User("erin")
	acc := graph.IdentityOf(w).Account(dave)
	if w.Clock.Now().String() != "08:30" || !acc.MFA || acc.Password != "s3cret" || w.Teams.Presence(dave).Availability.String() != "Available" {
		t.Fatalf("dave: clock %s, account %+v, presence %s", w.Clock.Now(), acc, w.Teams.Presence(dave))
	}
	if d := w.Teams.Dir(erin); !d.Guest || !strings.Contains(d.UPN, "#EXT#@fabrikam") {
		t.Fatalf("erin is a guest with an external UPN; got %+v", d)
	}
	bad := dir + "/bad.json"
	_ = os.WriteFile(bad, []byte(`{"tenants": [{"name": "x", "members": []}]}`), 0o644)
	if _, err := LoadWorldFile(bad); err == nil || !strings.Contains(err.Error(), "fields:") {
		t.Fatalf("an unknown field must be refused naming the valid fields; got %v", err)
	}
	wf.Tenants[0].Apps[0].ApplicationPermissions = []string{"Presence.Everything"}
	if _, err := Build(wf); err == nil || !strings.Contains(err.Error(), "Presence.ReadWrite.All") {
		t.Fatalf("an unknown permission must be refused naming the valid ones; got %v", err)
	}
}
