package entra

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"flag"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// requiredDiscovery are the fields G-ID-1 lists; MSAL Go needs
// authorization_endpoint, token_endpoint and issuer, msal-node those and
// jwks_uri, MSAL Python authorization_endpoint and token_endpoint.
var requiredDiscovery = []string{"issuer", "authorization_endpoint", "token_endpoint", "device_authorization_endpoint", "jwks_uri", "end_session_endpoint",
	"response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported", "scopes_supported", "claims_supported", "tenant_region_scope", "cloud_instance_name"}

func TestDiscoveryForEveryTenantForm(t *testing.T) {
	f := newFixture(t)
	tid := f.tenant("contoso").ID
	base := "https://" + testHost
	cases := []struct {
		name, seg, path, issuer string
	}{
		{"by id", tid, tid, base + "/" + tid + "/v2.0"},
		{"by id in capitals", strings.ToUpper(tid), tid, base + "/" + tid + "/v2.0"},
		{"by initial domain", "contoso.onmicrosoft.com", tid, base + "/" + tid + "/v2.0"},
		{"by custom domain", "Contoso.COM", tid, base + "/" + tid + "/v2.0"},
		{"by name", "contoso", tid, base + "/" + tid + "/v2.0"},
		{"common", "common", "common", base + "/{tenantid}/v2.0"},
		{"organizations", "organizations", "organizations", base + "/{tenantid}/v2.0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.get("/" + c.seg + "/v2.0/.well-known/openid-configuration")
			d := r.json(t)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			for _, k := range requiredDiscovery {
				if _, ok := d[k]; !ok {
					t.Errorf("the document lacks %s", k)
				}
			}
			a := base + "/" + c.path
			want := map[string]string{"issuer": c.issuer, "token_endpoint": a + "/oauth2/v2.0/token", "authorization_endpoint": a + "/oauth2/v2.0/authorize",
				"device_authorization_endpoint": a + "/oauth2/v2.0/devicecode", "jwks_uri": a + "/discovery/v2.0/keys", "end_session_endpoint": a + "/oauth2/v2.0/logout"}
			for k, v := range want {
				if d[k] != v {
					t.Errorf("%s = %v, want %s", k, d[k], v)
				}
			}
			// MSAL Go refuses an issuer of another scheme or host than the authority.
			iss, _ := url.Parse(strings.ReplaceAll(d["issuer"].(string), "{tenantid}", "x"))
			if iss.Scheme != "https" || iss.Host != testHost {
				t.Errorf("issuer %v is not on the authority's scheme and host", d["issuer"])
			}
			if r.header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
			}
		})
	}
}

func TestDiscoveryRefusals(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, method, path string
		status             int
		code               string
		aadsts             int
	}{
		{"unknown tenant", "GET", "/nowhere.onmicrosoft.com/v2.0/.well-known/openid-configuration", 400, "invalid_tenant", 90002},
		{"unknown tenant id", "GET", "/00000000-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration", 400, "invalid_tenant", 90002},
		{"no DNS name", "GET", "/bad$name/v2.0/.well-known/openid-configuration", 400, "invalid_request", 900023},
		{"keys of an unknown tenant", "GET", "/nowhere/discovery/v2.0/keys", 400, "invalid_tenant", 90002},
		{"POST", "POST", "/contoso/v2.0/.well-known/openid-configuration", 405, "invalid_request", 900561},
		{"no such endpoint", "GET", "/contoso/oauth2/v2.0/nothing", 404, "invalid_request", 9002313},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, "https://"+testHost+c.path, nil)
			req.Host = testHost
			r := f.serve(req)
			checkOAuthError(t, r, c.status, c.code, c.aadsts)
		})
	}
}

// checkOAuthError checks an error is Entra ID's body (G-ID-2).
func checkOAuthError(t *testing.T, r response, status int, code string, aadsts int) OAuthError {
	t.Helper()
	var e OAuthError
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("status %d, not an OAuth error body: %s", r.status, r.body)
	}
	prefix := "AADSTS" + itoa(aadsts) + ": "
	if r.status != status || e.Error != code || len(e.ErrorCodes) != 1 || e.ErrorCodes[0] != aadsts || !strings.HasPrefix(e.Description, prefix) {
		t.Fatalf("want %d %s %s…; got %d %s", status, code, prefix, r.status, r.body)
	}
	if e.Timestamp == "" || e.TraceID == "" || e.CorrelationID == "" || !strings.Contains(e.Description, "\r\nTrace ID: "+e.TraceID) || !strings.HasSuffix(e.ErrorURI, "code="+itoa(aadsts)) {
		t.Fatalf("the error lacks its timestamp, ids or error_uri: %s", r.body)
	}
	return e
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func TestDiscoveryV1NamesTheV1Issuer(t *testing.T) {
	f := newFixture(t)
	tid := f.tenant("contoso").ID
	d := f.get("/contoso/.well-known/openid-configuration").json(t)
	if d["issuer"] != "https://sts.windows.net/"+tid+"/" || d["token_endpoint"] != "https://"+testHost+"/"+tid+"/oauth2/token" {
		t.Fatalf("v1 document: %v", d)
	}
}

func TestDiscoveryGolden(t *testing.T) {
	f := newFixture(t)
	got := f.get("/common/v2.0/.well-known/openid-configuration").body
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	const golden = "testdata/openid-configuration-common.json"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := readFile(t, "openid-configuration-common.json"); !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("the common document differs from %s (go test -update rewrites it):\n%s", golden, buf.Bytes())
	}
}

// TestKeysVerifyTokens parses the published keys with crypto/rsa from n
// and e, and checks a token's signature with the key its kid names.
func TestKeysVerifyTokens(t *testing.T) {
	f := newFixture(t)
	tok := f.ok(f.token(f.appForm())).AccessToken
	for _, path := range []string{"/contoso/discovery/v2.0/keys", "/common/discovery/v2.0/keys", "/contoso/discovery/keys"} {
		t.Run(path, func(t *testing.T) {
			r := f.get(path)
			var doc struct {
				Keys []JWK `json:"keys"`
			}
			if r.status != 200 || json.Unmarshal(r.body, &doc) != nil || len(doc.Keys) == 0 {
				t.Fatalf("keys: %d %s", r.status, r.body)
			}
			parts := strings.Split(tok, ".")
			hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
			var hdr jose
			_ = json.Unmarshal(hb, &hdr)
			var pub *rsa.PublicKey
			for _, k := range doc.Keys {
				if k.Kty != "RSA" || k.Use != "sig" || k.Kid == "" || k.X5t == "" || len(k.X5c) == 0 {
					t.Fatalf("a key lacks kty, use, kid, x5t or x5c: %+v", k)
				}
				n, err1 := base64.RawURLEncoding.DecodeString(k.N)
				e, err2 := base64.RawURLEncoding.DecodeString(k.E)
				if err1 != nil || err2 != nil {
					t.Fatalf("n or e is not base64url: %+v", k)
				}
				p := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
				der, err := base64.StdEncoding.DecodeString(k.X5c[0])
				if err != nil {
					t.Fatal(err)
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					t.Fatal(err)
				}
				if !cert.PublicKey.(*rsa.PublicKey).Equal(p) || k.X5t != base64.RawURLEncoding.EncodeToString(sha1Of(der)) {
					t.Fatalf("x5c or x5t does not match n and e: %+v", k)
				}
				if k.Kid == hdr.Kid {
					pub = p
				}
			}
			if pub == nil {
				t.Fatalf("no key has the token's kid %q", hdr.Kid)
			}
			sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
				t.Fatalf("the token's signature does not verify with the published key: %v", err)
			}
		})
	}
}

func TestUserRealm(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		path, accountType, domain string
	}{
		{"/common/UserRealm/alice@contoso.com?api-version=1.0", "Managed", "contoso.com"},
		{"/common/userrealm/alice@contoso.com?api-version=1.0", "Managed", "contoso.com"},
		{"/COMMON/USERREALM/ALICE@CONTOSO.ONMICROSOFT.COM?api-version=1.0", "Managed", "contoso.onmicrosoft.com"},
		{"/common/UserRealm/" + url.PathEscape("alice_fabrikam.com#EXT#@contoso.onmicrosoft.com") + "?api-version=1.0", "Managed", "contoso.onmicrosoft.com"},
		{"/common/UserRealm/erin@fabrikam.com?api-version=1.0", "Managed", "fabrikam.com"},
		{"/common/UserRealm/someone@example.org?api-version=1.0", "Unknown", ""},
		{"/common/UserRealm/no-at-sign?api-version=1.0", "Unknown", ""},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := f.get(c.path)
			m := r.json(t)
			if r.status != 200 || m["ver"] != "1.0" || m["account_type"] != c.accountType || m["cloud_instance_name"] != "microsoftonline.com" {
				t.Fatalf("%d %s", r.status, r.body)
			}
			// MSAL Go refuses a realm without domain_name or cloud_audience_urn.
			if c.domain != "" && (m["domain_name"] != c.domain || m["cloud_audience_urn"] != "urn:federation:MicrosoftOnline") {
				t.Fatalf("managed realm: %s", r.body)
			}
		})
	}
}

func TestInstanceDiscovery(t *testing.T) {
	f := newFixture(t)
	q := func(ae string) string {
		return "/common/discovery/instance?" + url.Values{"api-version": {"1.1"}, "authorization_endpoint": {ae}}.Encode()
	}
	cases := []struct {
		name, path, tde string
		hosts           []string
		aadsts          int
	}{
		{"the fake's host", q("https://127.0.0.1:9443/contoso/oauth2/v2.0/authorize"), "https://127.0.0.1:9443/contoso/v2.0/.well-known/openid-configuration", []string{LoginHost, "127.0.0.1:9443"}, 0},
		{"Microsoft's host", q("https://login.microsoftonline.com/common/oauth2/v2.0/authorize"), "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration", []string{LoginHost}, 0},
		{"MSAL Python's v1.0 query", "/common/discovery/instance?api-version=1.0&authorization_endpoint=" + url.QueryEscape("https://fake.test/contoso.onmicrosoft.com/oauth2/v2.0/authorize"), "https://fake.test/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration", []string{LoginHost, "fake.test"}, 0},
		{"no authorization endpoint", "/common/discovery/instance?api-version=1.1", "", nil, 90014},
		{"http", q("http://127.0.0.1:9443/contoso/oauth2/v2.0/authorize"), "", nil, 50049},
		{"not an authorize path", q("https://127.0.0.1:9443/contoso/token"), "", nil, 50049},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.get(c.path)
			if c.aadsts != 0 {
				code := "invalid_instance"
				if c.aadsts == 90014 {
					code = "invalid_request"
				}
				checkOAuthError(t, r, 400, code, c.aadsts)
				return
			}
			var doc struct {
				TDE      string             `json:"tenant_discovery_endpoint"`
				Metadata []instanceMetadata `json:"metadata"`
			}
			if r.status != 200 || json.Unmarshal(r.body, &doc) != nil || doc.TDE != c.tde {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var got []string
			for _, m := range doc.Metadata {
				got = append(got, m.PreferredNetwork)
				if len(m.Aliases) == 0 || m.Aliases[0] != m.PreferredNetwork {
					t.Fatalf("metadata without its aliases: %+v", m)
				}
			}
			if strings.Join(got, " ") != strings.Join(c.hosts, " ") {
				t.Fatalf("metadata for %v, want %v", got, c.hosts)
			}
		})
	}
}
