package entra

import (
	"encoding/base64"
	"net/url"
	"testing"
	"time"
)

// assertionCase builds a client assertion the way a library would.
type assertionCase struct {
	name     string
	hdr      map[string]any
	claims   map[string]any
	signer   string // "client" (registered), "other" (not), "expired"
	alg      string
	form     func(url.Values) url.Values
	register string // a further certificate to register first
	status   int
	code     string
	aadsts   int
}

func TestClientAssertion(t *testing.T) {
	f := newFixture(t)
	tid := f.tenant("contoso").ID
	endpoint := "https://" + testHost + "/" + tid + "/oauth2/v2.0/token"
	now := f.clock.t.Unix()
	claims := func(kv ...any) map[string]any {
		m := map[string]any{"aud": endpoint, "iss": f.app.AppID, "sub": f.app.AppID, "jti": "8f2c", "nbf": now, "exp": now + 600}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	certs := map[string][]byte{}
	for _, n := range []string{"client", "other", "expired"} {
		c, _ := loadPair(t, n)
		certs[n] = c.Raw
	}
	x5t := func(n string) string { return base64.RawURLEncoding.EncodeToString(sha1Of(certs[n])) }
	cases := []assertionCase{
		{name: "RS256 with x5t as msal-node sends it", hdr: map[string]any{"alg": "RS256", "typ": "JWT", "x5t": x5t("client")}, status: 200},
		{name: "RS256 with x5t in padded base64 as MSAL Go sends it", hdr: map[string]any{"alg": "RS256", "typ": "JWT", "x5t": base64.StdEncoding.EncodeToString(sha1Of(certs["client"]))}, status: 200},
		{name: "PS256 with x5t#S256", hdr: map[string]any{"alg": "PS256", "typ": "JWT", "x5t#S256": base64.StdEncoding.EncodeToString(sha256Of(certs["client"]))}, alg: "PS256", status: 200},
		{name: "times as strings (older MSAL Go)", claims: claims("nbf", itoa(int(now)), "exp", itoa(int(now+600))), status: 200},
		{name: "audience by tenant name", claims: claims("aud", "https://"+testHost+"/contoso.onmicrosoft.com/oauth2/v2.0/token"), status: 200},
		{name: "audience as a list", claims: claims("aud", []string{"https://elsewhere.test/x", endpoint}), status: 200},
		{name: "no client_id: the assertion's iss names the client", form: func(v url.Values) url.Values { v.Del("client_id"); return v }, status: 200},
		{name: "audience of another host", claims: claims("aud", "https://login.microsoftonline.com/"+tid+"/oauth2/v2.0/token"), status: 401, code: "invalid_client", aadsts: 50013},
		{name: "audience of another tenant", claims: claims("aud", "https://"+testHost+"/fabrikam.com/oauth2/v2.0/token"), status: 401, code: "invalid_client", aadsts: 50013},
		{name: "iss is not the client", claims: claims("iss", f.other.AppID), status: 401, code: "invalid_client", aadsts: 700021},
		{name: "sub is not the client", claims: claims("sub", "someone"), status: 401, code: "invalid_client", aadsts: 700021},
		{name: "expired", claims: claims("nbf", now-3600, "exp", now-900), status: 401, code: "invalid_client", aadsts: 700024},
		{name: "not yet valid", claims: claims("nbf", now+900, "exp", now+1800), status: 401, code: "invalid_client", aadsts: 700024},
		{name: "no exp", claims: claims("exp", nil), status: 401, code: "invalid_client", aadsts: 700024},
		{name: "a certificate not registered", hdr: map[string]any{"alg": "RS256", "typ": "JWT", "x5t": x5t("other")}, signer: "other", status: 401, code: "invalid_client", aadsts: 700027},
		{name: "the registered thumbprint, signed with another key", signer: "other", status: 401, code: "invalid_client", aadsts: 700027},
		{name: "an expired certificate", hdr: map[string]any{"alg": "RS256", "typ": "JWT", "x5t": x5t("expired")}, signer: "expired", register: "expired", status: 401, code: "invalid_client", aadsts: 700027},
		{name: "no thumbprint", hdr: map[string]any{"alg": "RS256", "typ": "JWT"}, status: 401, code: "invalid_client", aadsts: 700027},
		{name: "HS256", hdr: map[string]any{"alg": "HS256", "typ": "JWT", "x5t": x5t("client")}, status: 401, code: "invalid_client", aadsts: 5002738},
		{name: "not a JWT", form: func(v url.Values) url.Values { v.Set("client_assertion", "not.a.jwt"); return v }, status: 401, code: "invalid_client", aadsts: 50027},
		{name: "wrong assertion type", form: func(v url.Values) url.Values { v.Set("client_assertion_type", "urn:x"); return v }, status: 400, code: "invalid_request", aadsts: 90014},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.register != "" {
				if _, err := f.dir.AddCertificate(f.app, readFile(t, c.register+"-cert.pem")); err != nil {
					t.Fatal(err)
				}
			}
			hdr, cl, alg := c.hdr, c.claims, c.alg
			if hdr == nil {
				hdr = map[string]any{"alg": "RS256", "typ": "JWT", "x5t": x5t("client")}
			}
			if cl == nil {
				cl = claims()
			}
			if alg == "" {
				alg = "RS256"
			}
			signer := c.signer
			if signer == "" {
				signer = "client"
			}
			_, key := loadPair(t, signer)
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {f.app.AppID}, "scope": {"https://graph.microsoft.com/.default"},
				"client_assertion_type": {JWTBearer}, "client_assertion": {compact(t, hdr, cl, key, alg)}}
			if c.form != nil {
				form = c.form(form)
			}
			r := f.token(form)
			if c.status == 200 {
				tk := f.ok(r)
				if m := payload(t, tk.AccessToken); m["appidacr"] != "2" || m["appid"] != f.app.AppID {
					t.Fatalf("a certificate's token: %v", m)
				}
				return
			}
			checkOAuthError(t, r, c.status, c.code, c.aadsts)
		})
	}
}

func TestCertificateRegistration(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"PEM", readFile(t, "other-cert.pem"), true},
		{"a private key is no certificate", readFile(t, "other-key.pem"), false},
		{"garbage", []byte("not a certificate"), false},
	}
	for _, c := range cases {
		k, err := f.dir.AddCertificate(f.app, c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.ok && (len(k.Thumbprint) != 40 || k.Type != "AsymmetricX509Cert" || k.Usage != "Verify" || k.End.Before(time.Now())) {
			t.Errorf("%s: key credential %+v", c.name, k)
		}
	}
	n := len(f.app.KeyCredentials)
	if _, err := f.dir.AddCertificate(f.app, readFile(t, "other-cert.pem")); err != nil || len(f.app.KeyCredentials) != n {
		t.Fatalf("registering a certificate twice keeps one: %d → %d, %v", n, len(f.app.KeyCredentials), err)
	}
}
