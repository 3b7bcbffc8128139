package entra

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzTokenForm feeds the token endpoint random forms, tenants and
// headers: every answer is a token or an OAuth error body with its AADSTS
// code, never a 5xx, never a panic.
func FuzzTokenForm(f *testing.F) {
	fx := newFixture(&testing.T{})
	seeds := []struct{ tenant, contentType, body, auth string }{
		{"contoso", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id={app}&client_secret={secret}&scope=https://graph.microsoft.com/.default", ""},
		{"contoso.onmicrosoft.com", "application/x-www-form-urlencoded", "grant_type=password&client_id={app}&username=alice@contoso.com&password=alice-pw&scope=Presence.Read+openid+offline_access&client_info=1", ""},
		{"common", "application/x-www-form-urlencoded", "grant_type=refresh_token&client_id={app}&refresh_token=0.e30.AAAA", ""},
		{"contoso", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c&scope=x/.default", ""},
		{"contoso", "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=https://graph.microsoft.com/.default", "Basic e2FwcH06e3NlY3JldH0="},
		{"contoso", "application/json", `{"grant_type":"client_credentials"}`, ""},
		{"%zz", "application/x-www-form-urlencoded", "grant_type=%zz&&=", ""},
		{"contoso", "application/x-www-form-urlencoded", "grant_type=password&grant_type=client_credentials", ""},
	}
	for _, s := range seeds {
		f.Add(s.tenant, s.contentType, s.body, s.auth)
	}
	expand := strings.NewReplacer("{app}", fx.app.AppID, "{secret}", fx.app.Secret)
	f.Fuzz(func(t *testing.T, tenant, contentType, body, auth string) {
		req, err := http.NewRequest(http.MethodPost, "https://"+testHost+"/", strings.NewReader(expand.Replace(body)))
		if err != nil {
			return
		}
		req.URL.Path = "/" + tenant + "/oauth2/v2.0/token"
		req.Header.Set("Content-Type", contentType)
		if auth != "" {
			req.Header.Set("Authorization", expand.Replace(auth))
		}
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("answered %d: %s", rec.Code, rec.Body.Bytes())
		}
		var out struct {
			AccessToken string `json:"access_token"`
			Error       string `json:"error"`
			Codes       []int  `json:"error_codes"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("answered %d with no JSON: %s", rec.Code, rec.Body.Bytes())
		}
		if rec.Code == 200 && out.AccessToken == "" || rec.Code != 200 && (out.Error == "" || len(out.Codes) != 1) {
			t.Fatalf("answered %d: %s", rec.Code, rec.Body.Bytes())
		}
	})
}

// FuzzVerify feeds Verify mutated tokens: it never panics, and it accepts
// no token but the ones the fake issued.
func FuzzVerify(f *testing.F) {
	fx := newFixture(&testing.T{})
	good := fx.ok(fx.token(fx.appForm())).AccessToken
	user := fx.ok(fx.token(fx.userForm("alice", "Presence.Read openid"))).AccessToken
	f.Add(good)
	f.Add(user)
	f.Add(good + "x")
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := fx.h.Verify(tok)
		if err == nil && tok != good && tok != user {
			t.Fatalf("Verify accepted a token the fake did not issue: %q → %+v", tok, c)
		}
	})
}
