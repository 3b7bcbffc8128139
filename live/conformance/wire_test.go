package conformance

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestClassifyReadsPlainAndGzipBodies: the wire log reads a setPresence
// whether the client sent it plain or gzip-compressed, as the Graph SDKs do.
func TestClassifyReadsPlainAndGzipBodies(t *testing.T) {
	body := []byte(`{"sessionId":"app-1","availability":"Busy","activity":"InACall","expirationDuration":"PT10M"}`)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(body)
	_ = zw.Close()
	for _, tc := range []struct {
		name, encoding string
		raw            []byte
	}{{"plain", "", body}, {"gzip", "gzip", zipped.Bytes()}} {
		r := httptest.NewRequest("POST", "/v1.0/users/6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b/presence/setPresence", bytes.NewReader(tc.raw))
		var c Call
		classify(&c, r, plain(tc.encoding, tc.raw))
		p, ok := c.Pair()
		if c.Action != "setPresence" || c.SessionID != "app-1" || !c.HasSession || !ok || p.Short() != "Busy/InACall" || c.Expiration != 10*time.Minute || c.Target != "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b" {
			t.Errorf("%s: classified as %+v", tc.name, c)
		}
	}
}

// TestClassifyIdentityRequests: token requests in any case of the path and
// with the client named in the form, Basic auth or an assertion; the
// identity platform's documents apart from Graph; the app of a bearer
// token whatever the scheme's case.
func TestClassifyIdentityRequests(t *testing.T) {
	assertion := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"app-3"}`)) + ".c2ln"
	tok := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"appid":"app-4"}`)) + ".c2ln"
	cases := []struct {
		name, method, path, body, auth string
		basic                          bool
		action, app, grant             string
	}{
		{"token, client in the form", "POST", "/t/oauth2/v2.0/token", "grant_type=client_credentials&client_id=app-1", "", false, "token", "app-1", "client_credentials"},
		{"token path in another case", "POST", "/t/OAuth2/V2.0/Token", "grant_type=password&client_id=app-1", "", false, "token", "app-1", "password"},
		{"token, client by Basic auth", "POST", "/t/oauth2/v2.0/token", "grant_type=client_credentials", "", true, "token", "app-2", "client_credentials"},
		{"token, client by assertion", "POST", "/t/oauth2/v2.0/token", "grant_type=client_credentials&client_assertion=" + assertion, "", false, "token", "app-3", "client_credentials"},
		{"discovery", "GET", "/t/v2.0/.well-known/openid-configuration", "", "", false, "identity", "", ""},
		{"keys", "GET", "/t/discovery/v2.0/keys", "", "", false, "identity", "", ""},
		{"a read with the scheme in lower case", "GET", "/v1.0/users/u1/presence", "", "bearer " + tok, false, "read", "app-4", ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
		if c.body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		if c.basic {
			r.SetBasicAuth("app-2", "secret")
		}
		var got Call
		classify(&got, r, []byte(c.body))
		if got.Action != c.action || got.AppID != c.app || got.Grant != c.grant {
			t.Errorf("%s: classified as action %q app %q grant %q, want %q %q %q", c.name, got.Action, got.AppID, got.Grant, c.action, c.app, c.grant)
		}
	}
}
