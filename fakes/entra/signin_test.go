package entra

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	verifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	loopback0 = "http://localhost"
)

func challenge(v string) string { s := sha256.Sum256([]byte(v)); return b64(s[:]) }

func (f *fixture) authorizeQuery(kv ...string) url.Values {
	q := url.Values{"client_id": {f.app.AppID}, "response_type": {"code"}, "redirect_uri": {"http://localhost:53117"}, "scope": {"Presence.Read openid profile offline_access"},
		"state": {"st-1"}, "nonce": {"n-1"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
	return with(q, kv...)
}

// signIn posts the sign-in page as a browser would and answers the redirect.
func (f *fixture) signIn(q url.Values, login, password string) response {
	form := with(q, "login", login, "passwd", password)
	return f.post("/contoso/oauth2/v2.0/authorize", form)
}

func (f *fixture) codeFrom(r response) string {
	f.t.Helper()
	u, err := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || err != nil || u.Query().Get("code") == "" || u.Query().Get("state") != "st-1" {
		f.t.Fatalf("sign-in: %d Location %q %s", r.status, r.header.Get("Location"), r.body)
	}
	return u.Query().Get("code")
}

func (f *fixture) redeem(code string, kv ...string) response {
	return f.token(with(url.Values{"grant_type": {"authorization_code"}, "client_id": {f.app.AppID}, "code": {code}, "redirect_uri": {"http://localhost:53117"},
		"code_verifier": {verifier}, "scope": {"Presence.Read openid profile offline_access"}, "client_info": {"1"}}, kv...))
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	f := newFixture(t)
	f.dir.SetRedirectURIs(f.app, []string{loopback0, "https://app.example.test/callback"})
	q := f.authorizeQuery()
	pg := f.get("/contoso/oauth2/v2.0/authorize?" + q.Encode())
	if pg.status != 200 || !strings.Contains(string(pg.body), `name="passwd"`) || !strings.Contains(string(pg.body), `value="`+challenge(verifier)+`"`) || !strings.Contains(string(pg.body), "connector") {
		t.Fatalf("the sign-in page: %d %s", pg.status, pg.body)
	}
	tk := f.ok(f.redeem(f.codeFrom(f.signIn(q, "alice@contoso.com", "alice-pw"))))
	id := payload(t, tk.IDToken)
	if id["nonce"] != "n-1" || id["oid"] != f.ids["alice"] || tk.RefreshToken == "" || payload(t, tk.AccessToken)["scp"] != "Presence.Read" {
		t.Fatalf("tokens of the code: %+v %v", tk, id)
	}

	code := f.codeFrom(f.signIn(q, "alice@contoso.com", "alice-pw"))
	cases := []struct {
		name   string
		kv     []string
		aadsts int
	}{
		{"wrong verifier", []string{"code_verifier", "not-the-verifier"}, 501481},
		{"no verifier", []string{"code_verifier", ""}, 501481},
		{"another redirect URI", []string{"redirect_uri", "https://app.example.test/callback"}, 70000},
		{"not a code", []string{"code", "0.e30.AAAA"}, 9002313},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkOAuthError(t, f.redeem(code, c.kv...), 400, "invalid_grant", c.aadsts)
		})
	}
	f.ok(f.redeem(code))
	checkOAuthError(t, f.redeem(code), 400, "invalid_grant", 54005)

	late := f.codeFrom(f.signIn(q, "alice@contoso.com", "alice-pw"))
	f.clock.t = f.clock.t.Add(CodeLifetime)
	checkOAuthError(t, f.redeem(late), 400, "invalid_grant", 70008)
}

// TestInteractiveSignInDoesMFA: where ROPC is refused for an account with
// MFA, the browser's sign-in gets through, and its refresh token keeps
// working because it carries mfa.
func TestInteractiveSignInDoesMFA(t *testing.T) {
	f := newFixture(t)
	f.dir.SetRedirectURIs(f.app, []string{loopback0})
	checkOAuthError(t, f.token(f.userForm("carol", "Presence.Read")), 400, "invalid_grant", 50076)
	tk := f.ok(f.redeem(f.codeFrom(f.signIn(f.authorizeQuery(), "carol@contoso.com", "carol-pw"))))
	f.ok(f.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {f.app.AppID}, "refresh_token": {tk.RefreshToken}, "scope": {"Presence.Read offline_access"}}))
}

func TestAuthorizeRefusals(t *testing.T) {
	f := newFixture(t)
	f.dir.SetRedirectURIs(f.app, []string{loopback0, "https://app.example.test/callback"})
	bare, err := f.dir.AddApp("contoso", "bare", nil, []string{PresenceRead})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		query    url.Values
		post     bool
		status   int
		inPage   string // the page names this
		redirect string // the redirect carries this error
	}{
		{"unknown client", f.authorizeQuery("client_id", "11111111-1111-4111-8111-111111111111"), false, 400, "AADSTS700016", ""},
		{"unregistered redirect URI", f.authorizeQuery("redirect_uri", "https://evil.example/cb"), false, 400, "AADSTS50011", ""},
		{"loopback of another path", f.authorizeQuery("redirect_uri", "http://localhost:8080/other"), false, 400, "AADSTS50011", ""},
		{"https loopback is not the http one", f.authorizeQuery("redirect_uri", "https://localhost:8080"), false, 400, "AADSTS50011", ""},
		{"an app of another tenant", with(f.authorizeQuery(), "client_id", f.other.AppID), false, 400, "AADSTS700016", ""},
		{"an app without redirect URIs", with(f.authorizeQuery(), "client_id", bare.AppID), false, 400, "AADSTS500113", ""},
		{"implicit grant", f.authorizeQuery("response_type", "token"), false, 302, "", "unsupported_response_type"},
		{"prompt none", f.authorizeQuery("prompt", "none"), false, 302, "", "login_required"},
		{"scope not consented", f.authorizeQuery("scope", "Presence.ReadWrite.All"), false, 302, "", "consent_required"},
		{"unknown challenge method", f.authorizeQuery("code_challenge_method", "S512"), false, 302, "", "invalid_request"},
		{"bad password", with(f.authorizeQuery(), "login", "alice@contoso.com", "passwd", "x"), true, 200, "AADSTS50126", ""},
		{"a user of another tenant", with(f.authorizeQuery(), "login", "erin@fabrikam.com", "passwd", "erin-pw"), true, 200, "AADSTS50020", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r response
			if c.post {
				r = f.post("/contoso/oauth2/v2.0/authorize", c.query)
			} else {
				r = f.get("/contoso/oauth2/v2.0/authorize?" + c.query.Encode())
			}
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.inPage != "" && !strings.Contains(string(r.body), c.inPage) {
				t.Fatalf("the page does not name %s: %s", c.inPage, r.body)
			}
			if c.redirect != "" {
				u, _ := url.Parse(r.header.Get("Location"))
				if u.Query().Get("error") != c.redirect || u.Query().Get("state") != "st-1" || !strings.HasPrefix(u.Query().Get("error_description"), "AADSTS") {
					t.Fatalf("redirect %q", r.header.Get("Location"))
				}
			}
		})
	}
}

func TestAuthorizeResponseModes(t *testing.T) {
	f := newFixture(t)
	f.dir.SetRedirectURIs(f.app, []string{"https://app.example.test/callback"})
	q := f.authorizeQuery("redirect_uri", "https://app.example.test/callback", "response_mode", "fragment")
	r := f.signIn(q, "bob@contoso.com", "bob-pw")
	if loc := r.header.Get("Location"); r.status != 302 || !strings.HasPrefix(loc, "https://app.example.test/callback#") || !strings.Contains(loc, "code=") {
		t.Fatalf("fragment: %d %q", r.status, loc)
	}
	r = f.signIn(with(q, "response_mode", "form_post"), "bob@contoso.com", "bob-pw")
	if r.status != 200 || !strings.Contains(string(r.body), `action="https://app.example.test/callback"`) || !strings.Contains(string(r.body), `name="code"`) {
		t.Fatalf("form_post: %d %s", r.status, r.body)
	}
}

func TestDeviceCodeFlow(t *testing.T) {
	f := newFixture(t)
	start := func() (userCode, deviceCode, uri string) {
		r := f.post("/contoso/oauth2/v2.0/devicecode", url.Values{"client_id": {f.app.AppID}, "scope": {"Presence.Read openid offline_access"}})
		var dc struct {
			UserCode        string `json:"user_code"`
			DeviceCode      string `json:"device_code"`
			VerificationURI string `json:"verification_uri"`
			VerificationURL string `json:"verification_url"`
			ExpiresIn       int    `json:"expires_in"`
			Interval        int    `json:"interval"`
			Message         string `json:"message"`
		}
		if r.status != 200 || json.Unmarshal(r.body, &dc) != nil || len(dc.UserCode) != 9 || dc.ExpiresIn != 900 || dc.Interval != 5 ||
			dc.VerificationURI != "https://"+testHost+"/common/oauth2/deviceauth" || dc.VerificationURL != dc.VerificationURI || !strings.Contains(dc.Message, dc.UserCode) {
			t.Fatalf("device code: %d %s", r.status, r.body)
		}
		return dc.UserCode, dc.DeviceCode, dc.VerificationURI
	}
	poll := func(dc string) response {
		return f.token(url.Values{"grant_type": {DeviceCodeType}, "client_id": {f.app.AppID}, "device_code": {dc}})
	}
	enter := func(uri string, kv ...string) response {
		u, _ := url.Parse(uri)
		return f.post(u.Path, with(url.Values{}, kv...))
	}
	userCode, dc, uri := start()
	checkOAuthError(t, poll(dc), 400, "authorization_pending", 70016)
	if pg := f.get("/common/oauth2/deviceauth"); pg.status != 200 || !strings.Contains(string(pg.body), `name="otc"`) {
		t.Fatalf("the code page: %d %s", pg.status, pg.body)
	}
	if pg := enter(uri, "otc", "WRONGCODE", "login", "alice@contoso.com", "passwd", "alice-pw"); !strings.Contains(string(pg.body), "didn&#39;t work") {
		t.Fatalf("a wrong code: %s", pg.body)
	}
	if pg := enter(uri, "otc", userCode, "login", "alice@contoso.com", "passwd", "x"); !strings.Contains(string(pg.body), "AADSTS50126") {
		t.Fatalf("a wrong password: %s", pg.body)
	}
	checkOAuthError(t, poll(dc), 400, "authorization_pending", 70016)
	if pg := enter(uri, "otc", strings.ToLower(userCode), "login", "alice@contoso.com", "passwd", "alice-pw"); !strings.Contains(string(pg.body), `id="done"`) {
		t.Fatalf("signing in: %s", pg.body)
	}
	tk := f.ok(poll(dc))
	if payload(t, tk.AccessToken)["oid"] != f.ids["alice"] || tk.RefreshToken == "" || tk.IDToken == "" {
		t.Fatalf("device tokens: %+v", tk)
	}
	checkOAuthError(t, poll(dc), 400, "expired_token", 70020)

	_, dc, _ = start()
	f.clock.t = f.clock.t.Add(DeviceCodeLifetime + time.Second)
	checkOAuthError(t, poll(dc), 400, "expired_token", 70020)
	checkOAuthError(t, poll("0.e30.AAAA"), 400, "invalid_grant", 9002313)
	checkOAuthError(t, f.post("/common/oauth2/v2.0/devicecode", url.Values{"client_id": {f.app.AppID}}), 400, "invalid_request", 50194)
}

func TestSignInPagesAreBounded(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodPost, "https://"+testHost+"/common/oauth2/deviceauth", strings.NewReader("otc="+strings.Repeat("A", DefaultMaxBody)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := f.serve(req); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("an oversized form: %d", r.status)
	}
}
