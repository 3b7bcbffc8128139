package graph

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/live"
)

// TestAuthenticate is G-AUTH-1 and G-TLS-1 at Graph's door: a bearer token
// of the identity platform, in any case of the scheme, of this world
// instance and within its lifetime on the token clock.
func TestAuthenticate(t *testing.T) {
	f := newFixture(t, Options{})
	tok := f.appToken()
	path := "/v1.0/users/" + f.ids["alice"] + "/presence"
	now := f.w.Clock.Now().Wall()
	b64 := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	tid := f.h.Identity().Tenant("contoso").ID
	forged := b64(map[string]string{"typ": "JWT", "alg": "HS256", "kid": "presencesim"}) + "." +
		b64(map[string]any{"aud": graphResource, "iss": "https://sts.windows.net/" + tid + "/", "tid": tid, "appid": f.app.AppID, "roles": []string{PresenceReadAll}, "exp": now.Add(time.Hour).Unix()}) + ".c2lnbmF0dXJl"
	none := b64(map[string]string{"typ": "JWT", "alg": "none"}) + "." + strings.Split(tok, ".")[1] + "."
	lw2, err := live.New(f.w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	earlier := entra.New(lw2, entra.Options{WorldTime: true}).IssueAppToken(f.app, now)
	cases := []struct {
		name, auth string
		status     int
		message    string
	}{
		{"Bearer", "Bearer " + tok, 200, ""},
		{"bearer in lower case", "bearer " + tok, 200, ""},
		{"BEARER with spaces", "  BEARER   " + tok + " ", 200, ""},
		{"no header", "", 401, "Access token is empty."},
		{"the scheme alone", "Bearer", 401, "Access token is empty."},
		{"Basic", "Basic " + tok, 401, "must be 'Bearer <token>'"},
		{"HS256 signed with a guessed key", "Bearer " + forged, 401, "RS256"},
		{"alg none", "Bearer " + none, 401, "RS256"},
		{"expired on the token clock", "Bearer " + f.h.Entra().IssueAppToken(f.app, now.Add(-2*time.Hour)), 401, "expired"},
		{"not yet valid", "Bearer " + f.h.Entra().IssueAppToken(f.app, now.Add(time.Hour)), 401, "not yet valid"},
		{"an earlier world instance", "Bearer " + earlier, 401, "another world instance"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "https://graph.microsoft.com"+path, nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := f.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var eb ErrorBody
			_ = json.NewDecoder(resp.Body).Decode(&eb)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %+v", resp.StatusCode, c.status, eb)
			}
			if c.status == 401 && (eb.Error.Code != "InvalidAuthenticationToken" || !strings.Contains(eb.Error.Message, c.message)) {
				t.Fatalf("want InvalidAuthenticationToken naming %q; got %+v", c.message, eb.Error)
			}
		})
	}
}

// TestTokenEndpointIsEntraID checks Graph's host answers token requests
// with the identity platform's tokens and errors, journalled like any
// request.
func TestTokenEndpointIsEntraID(t *testing.T) {
	f := newFixture(t, Options{})
	tok := f.appToken()
	parts := strings.Split(tok, ".")
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var hdr map[string]string
	if json.Unmarshal(hb, &hdr) != nil || hdr["alg"] != "RS256" || hdr["kid"] == "" {
		t.Fatalf("the token's JOSE header: %s", hb)
	}
	if _, err := f.h.Entra().Verify(tok); err != nil {
		t.Fatal(err)
	}
	es := f.h.Journal.Entries()
	last := es[len(es)-1]
	if !strings.HasSuffix(last.Path, "/oauth2/v2.0/token") || last.App != "connector" || last.Status != 200 || last.Time.IsZero() {
		t.Fatalf("the journal's token request: %+v", last)
	}
}
