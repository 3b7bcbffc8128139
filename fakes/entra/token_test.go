package entra

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// with returns a copy of the form with some values changed ("" deletes).
func with(f url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

func TestClientCredentials(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, scope string
	}{
		{"Graph's .default", "https://graph.microsoft.com/.default"},
		{"with the OpenID scopes MSAL Go adds", "https://graph.microsoft.com/.default openid offline_access profile"},
		{"Graph by app id", "00000003-0000-0000-c000-000000000000/.default"},
		{"the double slash the portal shows", "https://graph.microsoft.com//.default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := f.ok(f.token(with(f.appForm(), "scope", c.scope)))
			if tk.TokenType != "Bearer" || tk.ExpiresIn != 3599 || tk.ExtExpiresIn != 3599 || tk.RefreshToken != "" || tk.IDToken != "" || !strings.HasSuffix(tk.Scope, "/.default") {
				t.Fatalf("client credentials answer: %+v", tk)
			}
			m := payload(t, tk.AccessToken)
			tid := f.tenant("contoso").ID
			now := float64(f.clock.t.Unix())
			want := map[string]any{"aud": "https://graph.microsoft.com", "iss": "https://sts.windows.net/" + tid + "/", "tid": tid, "appid": f.app.AppID,
				"oid": f.app.ServicePrincipalID, "idtyp": "app", "appidacr": "1", "ver": "1.0", "iat": now, "nbf": now, "exp": now + 3599, "presencesim_world": f.lw.Instance()}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("%s = %v, want %v", k, m[k], v)
				}
			}
			if r, _ := m["roles"].([]any); len(r) != 2 || r[0] != PresenceReadAll {
				t.Errorf("roles = %v", m["roles"])
			}
			if _, ok := m["scp"]; ok {
				t.Errorf("an application token carries scp: %v", m)
			}
		})
	}
}

func TestClientSecretBasic(t *testing.T) {
	f := newFixture(t)
	form := with(f.appForm(), "client_id", "", "client_secret", "")
	req := httptest.NewRequest(http.MethodPost, "https://"+testHost+"/contoso/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(f.app.AppID), url.QueryEscape(f.app.Secret))
	f.ok(f.serve(req))
}

// TestTokenErrors answers each refusal with its AADSTS code, as Entra ID
// does (G-ID-2).
func TestTokenErrors(t *testing.T) {
	f := newFixture(t)
	dave, _ := f.w.Teams.User("dave")
	d := f.w.Teams.Dir(dave)
	d.Org, d.Guest = "fabrikam", true // a guest who left the tenant
	f.w.Teams.SetDir(dave, d)
	app, user := f.appForm(), f.userForm("alice", "Presence.Read openid")
	cases := []struct {
		name   string
		path   string
		form   url.Values
		status int
		code   string
		aadsts int
	}{
		{"wrong secret", "", with(app, "client_secret", "nope"), 401, "invalid_client", 7000215},
		{"no secret", "", with(app, "client_secret", ""), 401, "invalid_client", 7000216},
		{"not .default", "", with(app, "scope", "https://graph.microsoft.com/Presence.Read.All"), 400, "invalid_scope", 1002012},
		{"two resources", "", with(app, "scope", "https://graph.microsoft.com/.default https://vault.azure.net/.default"), 400, "invalid_scope", 70011},
		{"unknown resource", "", with(app, "scope", "https://vault.azure.net/.default"), 400, "invalid_resource", 500011},
		{"no scope", "", with(app, "scope", ""), 400, "invalid_request", 900144},
		{"no client id", "", with(app, "client_id", ""), 400, "invalid_request", 900144},
		{"unknown app", "", with(app, "client_id", "11111111-1111-4111-8111-111111111111"), 400, "unauthorized_client", 700016},
		{"another tenant's app", "", with(app, "client_id", f.other.AppID, "client_secret", f.other.Secret), 400, "unauthorized_client", 700016},
		{"unknown tenant", "/nowhere/oauth2/v2.0/token", app, 400, "invalid_tenant", 90002},
		{"common for a single-tenant app", "/common/oauth2/v2.0/token", app, 400, "invalid_request", 50194},
		{"no grant type", "", with(app, "grant_type", ""), 400, "invalid_request", 900144},
		{"unsupported grant", "", with(app, "grant_type", "urn:ietf:params:oauth:grant-type:saml2-bearer"), 400, "unsupported_grant_type", 70003},
		{"duplicated parameter", "", func() url.Values { v := with(app); v.Add("client_secret", "x"); return v }(), 400, "invalid_request", 9000411},
		{"bad password", "", with(user, "password", "x"), 400, "invalid_grant", 50126},
		{"unknown user", "", with(user, "username", "zed@contoso.com"), 400, "invalid_grant", 50034},
		{"no username", "", with(user, "username", ""), 400, "invalid_request", 900144},
		{"MFA", "", f.userForm("carol", "Presence.Read"), 400, "invalid_grant", 50076},
		{"guest no longer in the tenant", "", f.userForm("dave", "Presence.Read"), 400, "invalid_grant", 50020},
		{"user of another tenant", "", with(user, "username", "erin@fabrikam.com", "password", "erin-pw"), 400, "invalid_grant", 50020},
		{"scope not consented", "", with(user, "scope", "Presence.ReadWrite.All"), 400, "invalid_grant", 65001},
		{"no such scope", "", with(user, "scope", "https://graph.microsoft.com/Files.Fly"), 400, "invalid_scope", 70011},
		{"delegated scope of another resource", "", with(user, "scope", "api://other/Thing.Do"), 400, "invalid_resource", 500011},
		{"password with a wrong secret", "", with(user, "client_secret", "nope"), 401, "invalid_client", 7000215},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.path
			if path == "" {
				path = "/contoso/oauth2/v2.0/token"
			}
			e := checkOAuthError(t, f.post(path, c.form), c.status, c.code, c.aadsts)
			if c.aadsts == 50076 && e.SubError != "basic_action" {
				t.Errorf("MFA answers suberror basic_action; got %q", e.SubError)
			}
		})
	}
}

func TestTokenEndpointReadsABoundedForm(t *testing.T) {
	f := newFixture(t)
	body := "grant_type=client_credentials&x=" + strings.Repeat("a", DefaultMaxBody)
	req := httptest.NewRequest(http.MethodPost, "https://"+testHost+"/contoso/oauth2/v2.0/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	checkOAuthError(t, f.serve(req), http.StatusRequestEntityTooLarge, "invalid_request", 9002313)
	req = httptest.NewRequest(http.MethodGet, "https://"+testHost+"/contoso/oauth2/v2.0/token", nil)
	checkOAuthError(t, f.serve(req), http.StatusMethodNotAllowed, "invalid_request", 900561)
}

func TestErrorsEchoTheCorrelationID(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodPost, "https://"+testHost+"/contoso/oauth2/v2.0/token", strings.NewReader(with(f.appForm(), "client_secret", "x").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("client-request-id", "5d0f6e0c-1111-4222-8333-444455556666")
	e := checkOAuthError(t, f.serve(req), 401, "invalid_client", 7000215)
	if e.CorrelationID != "5d0f6e0c-1111-4222-8333-444455556666" || !strings.Contains(e.Description, "Correlation ID: 5d0f6e0c-1111-4222-8333-444455556666") {
		t.Fatalf("the client's request id is not the correlation id: %+v", e)
	}
	if e.Timestamp != "2026-03-02 09:00:00Z" {
		t.Fatalf("timestamp %q is not the wall clock's", e.Timestamp)
	}
	// msal-node sends its request id in the query.
	req = httptest.NewRequest(http.MethodPost, "https://"+testHost+"/contoso/oauth2/v2.0/token?client-request-id=0d1e2f3a-1111-4222-8333-444455556666", strings.NewReader(with(f.appForm(), "client_secret", "x").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if e := checkOAuthError(t, f.serve(req), 401, "invalid_client", 7000215); e.CorrelationID != "0d1e2f3a-1111-4222-8333-444455556666" {
		t.Fatalf("the query's request id is not the correlation id: %+v", e)
	}
}

func TestPasswordGrant(t *testing.T) {
	f := newFixture(t)
	alice := f.user("alice")
	tid := f.tenant("contoso").ID
	cases := []struct {
		name, scope              string
		scp                      string
		answered                 string
		idToken, refresh, noInfo bool
	}{
		{"MSAL's request", "https://graph.microsoft.com/.default openid offline_access profile", "Presence.Read Presence.ReadWrite User.Read",
			"https://graph.microsoft.com/Presence.Read https://graph.microsoft.com/Presence.ReadWrite https://graph.microsoft.com/User.Read https://graph.microsoft.com/.default profile openid", true, true, false},
		{"named scopes in any case, answered as asked", "presence.read https://graph.microsoft.com/User.Read Presence.Read", "Presence.Read User.Read",
			"presence.read https://graph.microsoft.com/User.Read", false, false, false},
		{"no resource scope gives the consented ones", "openid email", "Presence.Read Presence.ReadWrite User.Read",
			"https://graph.microsoft.com/Presence.Read https://graph.microsoft.com/Presence.ReadWrite https://graph.microsoft.com/User.Read openid email", true, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := f.userForm("alice", c.scope)
			if c.noInfo {
				form.Del("client_info")
			}
			tk := f.ok(f.token(form))
			if tk.Scope != c.answered || (tk.IDToken != "") != c.idToken || (tk.RefreshToken != "") != c.refresh || (tk.ClientInfo == "") != c.noInfo {
				t.Fatalf("answer: %+v", tk)
			}
			m := payload(t, tk.AccessToken)
			want := map[string]any{"aud": "https://graph.microsoft.com", "iss": "https://sts.windows.net/" + tid + "/", "tid": tid, "oid": alice.ID, "appid": f.app.AppID,
				"scp": c.scp, "idtyp": "user", "upn": "alice@contoso.com", "name": "Alice", "appidacr": "0"}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("access token %s = %v, want %v", k, m[k], v)
				}
			}
			if _, ok := m["roles"]; ok {
				t.Errorf("a delegated token carries roles")
			}
			if c.idToken {
				id := payload(t, tk.IDToken)
				now := float64(f.clock.t.Unix())
				want := map[string]any{"aud": f.app.AppID, "iss": "https://" + testHost + "/" + tid + "/v2.0", "tid": tid, "oid": alice.ID, "ver": "2.0",
					"preferred_username": "alice@contoso.com", "name": "Alice", "iat": now, "nbf": now, "exp": now + 3599}
				for k, v := range want {
					if id[k] != v {
						t.Errorf("id token %s = %v, want %v", k, id[k], v)
					}
				}
				if s, _ := id["sub"].(string); len(s) != 43 {
					t.Errorf("sub %v is not a pairwise id", id["sub"])
				}
			}
			if !c.noInfo {
				b, err := base64.RawURLEncoding.DecodeString(tk.ClientInfo)
				var ci map[string]string
				if err != nil || json.Unmarshal(b, &ci) != nil || ci["uid"] != alice.ID || ci["utid"] != tid {
					t.Fatalf("client_info %q: %s", tk.ClientInfo, b)
				}
			}
		})
	}
}

func TestRefreshGrant(t *testing.T) {
	f := newFixture(t)
	first := f.ok(f.token(f.userForm("bob", "Presence.Read offline_access openid")))
	rt := url.Values{"grant_type": {"refresh_token"}, "client_id": {f.app.AppID}, "refresh_token": {first.RefreshToken}, "scope": {"Presence.Read offline_access"}}
	f.clock.t = f.clock.t.Add(2 * time.Hour)
	next := f.ok(f.token(rt))
	if next.RefreshToken == "" || next.RefreshToken == first.RefreshToken || next.AccessToken == first.AccessToken {
		t.Fatalf("a refresh answers new tokens and a new refresh token: %+v", next)
	}
	if m := payload(t, next.AccessToken); m["oid"] != f.ids["bob"] || m["scp"] != "Presence.Read" || m["iat"] != float64(f.clock.t.Unix()) {
		t.Fatalf("refreshed claims: %v", m)
	}
	if _, err := f.h.Verify(next.AccessToken); err != nil {
		t.Fatalf("the refreshed token does not verify: %v", err)
	}

	other := newFixture(t) // another world instance under the same keys
	tampered := first.RefreshToken[:len(first.RefreshToken)-2] + "AA"
	cases := []struct {
		name   string
		setup  func()
		form   url.Values
		aadsts int
		code   string
	}{
		{"a wrong secret", nil, with(rt, "client_secret", "x"), 7000215, "invalid_client"},
		{"tampered", nil, with(rt, "refresh_token", tampered), 9002313, "invalid_grant"},
		{"not a refresh token", nil, with(rt, "refresh_token", first.AccessToken), 9002313, "invalid_grant"},
		{"none", nil, with(rt, "refresh_token", ""), 900144, "invalid_request"},
		{"scope no longer consented", nil, with(rt, "scope", "Presence.ReadWrite.All"), 65001, "invalid_grant"},
		{"from an earlier world", func() { f.h = other.h }, rt, 70008, "invalid_grant"},
		{"MFA turned on", func() {
			bob, _ := f.w.Teams.User("bob")
			f.dir.SetAccount(bob, Account{Password: "bob-pw", MFA: true})
		}, rt, 50076, "invalid_grant"},
		{"password changed", func() {
			bob, _ := f.w.Teams.User("bob")
			f.dir.SetAccount(bob, Account{Password: "new-pw"})
		}, rt, 50173, "invalid_grant"},
		{"unused for 90 days", func() { f.clock.t = f.clock.t.Add(RefreshLifetime) }, rt, 700082, "invalid_grant"},
	}
	h0 := f.h
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.h = h0
			if c.setup != nil {
				c.setup()
			}
			status := 400
			if c.code == "invalid_client" {
				status = 401
			}
			checkOAuthError(t, f.token(c.form), status, c.code, c.aadsts)
		})
	}
}

func TestRefreshTokenIsBoundToItsApp(t *testing.T) {
	f := newFixture(t)
	second, err := f.dir.AddApp("contoso", "second", nil, []string{PresenceRead})
	if err != nil {
		t.Fatal(err)
	}
	rt := f.ok(f.token(f.userForm("alice", "Presence.Read offline_access"))).RefreshToken
	checkOAuthError(t, f.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {second.AppID}, "refresh_token": {rt}}), 400, "invalid_grant", 70000)
}

func TestRotatedSecretIsRefused(t *testing.T) {
	f := newFixture(t)
	old := f.app.Secret
	f.dir.RotateSecret(f.app)
	checkOAuthError(t, f.token(with(f.appForm(), "client_secret", old)), 401, "invalid_client", 7000215)
	f.ok(f.token(f.appForm()))
}
