package served

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/internal/headless"
	"github.com/presencesim/presencesim/live/certs"
)

// signInWorld has one person with a password and an app that signs people
// in at a loopback redirect URI, as a desktop connector does.
const signInWorld = `{"seed":3,"tenants":[{"name":"contoso","users":[{"name":"alice","password":"alice-pw"}],
 "apps":[{"displayName":"Desk Connector","applicationPermissions":[],"delegatedPermissions":["Presence.Read","User.Read"],"redirectUris":["http://127.0.0.1"]}]}]}`

// redirect is the connector's loopback listener: it answers the browser
// and hands over what the sign-in sent back.
type redirect struct {
	*httptest.Server
	got chan url.Values
}

func newRedirect(t *testing.T) *redirect {
	rd := &redirect{got: make(chan url.Values, 4)}
	rd.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" { // the browser's favicon.ico
			http.NotFound(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		v := r.Form
		v.Set("method", r.Method)
		select {
		case rd.got <- v:
		default:
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!DOCTYPE html><title>Signed in</title><p id="back">You can close this window.</p>`)
	}))
	t.Cleanup(rd.Close)
	return rd
}

// The sign-in page works in a real browser: Chromium loads the authorize
// endpoint over HTTPS, a person types a wrong and then the right password,
// and the browser follows the redirect to the connector's loopback URI
// with a code that the token endpoint redeems with the PKCE verifier for
// tokens Graph accepts. With response_mode=form_post the page's script
// posts the code, which only a browser does. The device code page is
// filled in the same way.
func TestSignInPagesInBrowser(t *testing.T) {
	wf, err := ParseWorldFile([]byte(signInWorld))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := certs.NewCA("presencesim test")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(wf, Options{CA: ca})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	hc := srv.Client()

	// Chromium trusts exactly the server's key (it keeps its own trust
	// store, not the process's).
	resp, err := hc.Get(srv.URL + "/_presencesim/world")
	if err != nil {
		t.Fatal(err)
	}
	var wv worldResp
	err = json.NewDecoder(resp.Body).Decode(&wv)
	resp.Body.Close()
	if err != nil || resp.TLS == nil || len(wv.Tenants) != 1 || len(wv.Tenants[0].Apps) != 1 {
		t.Fatalf("the world over HTTPS: %v %+v", err, wv)
	}
	spki := sha256.Sum256(resp.TLS.PeerCertificates[0].RawSubjectPublicKeyInfo)
	appID, alice := wv.Tenants[0].Apps[0].AppID, wv.Tenants[0].Users[0]
	tab := headless.Browser(t, map[string]any{"ignore-certificate-errors-spki-list": base64.StdEncoding.EncodeToString(spki[:])})

	const verifier = "M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	rd := newRedirect(t)
	authorize := func(mode string) string {
		q := url.Values{"client_id": {appID}, "response_type": {"code"}, "redirect_uri": {rd.URL}, "scope": {"Presence.Read openid profile offline_access"},
			"state": {"s-" + mode}, "nonce": {"n-" + mode}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		if mode != "" {
			q.Set("response_mode", mode)
		}
		return srv.URL + "/contoso/oauth2/v2.0/authorize?" + q.Encode()
	}
	submit := func() chromedp.Action[cdppage.EventLoadEventFired] {
		return chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	}
	step := func(t *testing.T, what string, a ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, a...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return s
	}
	awaitBack := func(t *testing.T, what string) url.Values {
		t.Helper()
		select {
		case v := <-rd.got:
			return v
		case <-time.After(3 * eventually.Bound):
			t.Fatalf("%s: the browser did not reach the redirect URI within %s", what, 3*eventually.Bound)
			return nil
		case <-tab.Done():
			t.Fatalf("%s: the browser never reached the redirect URI", what)
			return nil
		}
	}
	redeem := func(t *testing.T, code, mode string) {
		t.Helper()
		r, err := hc.PostForm(srv.URL+"/contoso/oauth2/v2.0/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {appID}, "code": {code},
			"redirect_uri": {rd.URL}, "code_verifier": {verifier}, "scope": {"Presence.Read openid profile offline_access"}})
		if err != nil {
			t.Fatal(err)
		}
		var tk struct {
			AccessToken string `json:"access_token"`
			IDToken     string `json:"id_token"`
		}
		err = json.NewDecoder(r.Body).Decode(&tk)
		r.Body.Close()
		if err != nil || r.StatusCode != 200 || tk.AccessToken == "" {
			t.Fatalf("redeeming the %q code: %d %v", mode, r.StatusCode, err)
		}
		if nonce := claim(t, tk.IDToken, "nonce"); nonce != "n-"+mode {
			t.Errorf("the id_token of the %q sign-in has nonce %q, want %q", mode, nonce, "n-"+mode)
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1.0/me/presence", nil)
		req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
		pr, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			ID string `json:"id"`
		}
		err = json.NewDecoder(pr.Body).Decode(&p)
		pr.Body.Close()
		if err != nil || pr.StatusCode != 200 || p.ID != alice.ID {
			t.Fatalf("GET /me/presence with the signed-in token: %d %v, id %q want %q", pr.StatusCode, err, p.ID, alice.ID)
		}
	}

	t.Run("authorization code", func(t *testing.T) {
		step(t, "loading the sign-in page", chromedp.Navigate(authorize("")), chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)))
		if h := text(t, "h1"); h != "Sign in" {
			t.Errorf("the page's heading is %q", h)
		}
		if s := text(t, "body"); !strings.Contains(s, "Desk Connector") {
			t.Errorf("the page does not name the app: %q", s)
		}
		step(t, "a wrong password", chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), alice.UPN), chromedp.SendKeys(chromedp.CSS(`input[name="passwd"]`), "not-her-password"))
		if _, err := chromedp.Run(tab, submit()); err != nil {
			t.Fatal(err)
		}
		if e := text(t, "#error"); !strings.HasPrefix(e, "AADSTS50126") {
			t.Fatalf("after a wrong password the page says %q, want AADSTS50126", e)
		}
		login, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS(`input[name="login"]`)))
		if err != nil || login != alice.UPN {
			t.Errorf("the page kept the login %q (%v), want %q", login, err, alice.UPN)
		}
		step(t, "the right password", chromedp.SendKeys(chromedp.CSS(`input[name="passwd"]`), "alice-pw"))
		if _, err := chromedp.Run(tab, submit()); err != nil {
			t.Fatal(err)
		}
		v := awaitBack(t, "signing in")
		if v.Get("method") != http.MethodGet || v.Get("state") != "s-" || v.Get("code") == "" {
			t.Fatalf("the redirect carried %v", v)
		}
		if back := text(t, "#back"); back == "" {
			t.Error("the browser does not show the connector's page")
		}
		redeem(t, v.Get("code"), "")
	})

	t.Run("form_post", func(t *testing.T) {
		step(t, "signing in", chromedp.Navigate(authorize("form_post")), chromedp.WaitVisible(chromedp.CSS(`input[name="passwd"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), alice.UPN), chromedp.SendKeys(chromedp.CSS(`input[name="passwd"]`), "alice-pw"),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
		v := awaitBack(t, "form_post")
		if v.Get("method") != http.MethodPost || v.Get("state") != "s-form_post" || v.Get("code") == "" {
			t.Fatalf("the page's script posted %v", v)
		}
		redeem(t, v.Get("code"), "form_post")
	})

	t.Run("device code", func(t *testing.T) {
		r, err := hc.PostForm(srv.URL+"/contoso/oauth2/v2.0/devicecode", url.Values{"client_id": {appID}, "scope": {"Presence.Read offline_access"}})
		if err != nil {
			t.Fatal(err)
		}
		var dc struct {
			UserCode        string `json:"user_code"`
			DeviceCode      string `json:"device_code"`
			VerificationURI string `json:"verification_uri"`
		}
		err = json.NewDecoder(r.Body).Decode(&dc)
		r.Body.Close()
		if err != nil || dc.UserCode == "" || !strings.HasPrefix(dc.VerificationURI, "https://") {
			t.Fatalf("the device code: %d %v %+v", r.StatusCode, err, dc)
		}
		step(t, "entering the code", chromedp.Navigate(dc.VerificationURI), chromedp.WaitVisible(chromedp.CSS(`input[name="otc"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="otc"]`), dc.UserCode), chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), alice.UPN),
			chromedp.SendKeys(chromedp.CSS(`input[name="passwd"]`), "alice-pw"))
		if _, err := chromedp.Run(tab, submit()); err != nil {
			t.Fatal(err)
		}
		if done := text(t, "#done"); done == "" {
			t.Fatal("the device page does not say the sign-in is done")
		}
		tr, err := hc.PostForm(srv.URL+"/contoso/oauth2/v2.0/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {appID}, "device_code": {dc.DeviceCode}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr.Body)
		tr.Body.Close()
		if tr.StatusCode != 200 || !strings.Contains(string(body), `"access_token"`) {
			t.Fatalf("polling after the browser approved the code: %d %s", tr.StatusCode, body)
		}
	})
}

// claim reads one string claim of a JWT's payload.
func claim(t *testing.T, jwt, name string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("the JWT's payload does not decode: %v", err)
	}
	s, _ := m[name].(string)
	return s
}
