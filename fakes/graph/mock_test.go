package graph

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestInProcessLoginHostIsEntraID: through NewClient, every identity
// platform path on the login host answers from Entra ID, as a library
// that discovers its authority first needs; Graph's host keeps answering
// Graph, and the token endpoint is journalled on either host.
func TestInProcessLoginHostIsEntraID(t *testing.T) {
	f := newFixture(t, Options{})
	tid := f.h.Identity().Tenant("contoso").ID
	login := "https://" + LoginHost
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	cases := []struct {
		name, method, url, body string
		status                  int
		want                    string // a field of the JSON answer, or text in it
	}{
		{"discovery by tenant id", "GET", login + "/" + tid + "/v2.0/.well-known/openid-configuration", "", 200, `"issuer":"https://login.microsoftonline.com/` + tid + `/v2.0"`},
		{"discovery by domain", "GET", login + "/contoso.com/v2.0/.well-known/openid-configuration", "", 200, `"token_endpoint":"https://login.microsoftonline.com/` + tid + `/oauth2/v2.0/token"`},
		{"discovery for common", "GET", login + "/common/v2.0/.well-known/openid-configuration", "", 200, `"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0"`},
		{"v1 discovery", "GET", login + "/contoso.com/.well-known/openid-configuration", "", 200, `"issuer":"https://sts.windows.net/` + tid + `/"`},
		{"keys", "GET", login + "/" + tid + "/discovery/v2.0/keys", "", 200, `"kty":"RSA"`},
		{"HEAD of the keys", "HEAD", login + "/" + tid + "/discovery/v2.0/keys", "", 200, ""},
		{"user realm, path in another case", "GET", login + "/common/userrealm/alice@contoso.com?api-version=1.0", "", 200, `"account_type":"Managed"`},
		{"instance discovery", "GET", login + "/common/discovery/instance?api-version=1.1&authorization_endpoint=" + url.QueryEscape(login+"/"+tid+"/oauth2/v2.0/authorize"), "", 200, `"tenant_discovery_endpoint":"https://login.microsoftonline.com/` + tid + `/v2.0/.well-known/openid-configuration"`},
		{"authorize without a client", "GET", login + "/contoso.com/oauth2/v2.0/authorize?response_type=code", "", 400, "AADSTS700016"},
		{"device code", "POST", login + "/contoso.com/oauth2/v2.0/devicecode", form("client_id", f.app.AppID, "scope", "Presence.Read"), 200, `"user_code":`},
		{"token", "POST", login + "/contoso/oauth2/v2.0/token", form("grant_type", "client_credentials", "client_id", f.app.AppID, "client_secret", f.app.Secret, "scope", "https://graph.microsoft.com/.default"), 200, `"token_type":"Bearer"`},
		{"token path in another case", "POST", login + "/contoso/OAuth2/V2.0/Token", form("grant_type", "client_credentials", "client_id", f.app.AppID, "client_secret", f.app.Secret, "scope", "https://graph.microsoft.com/.default"), 200, `"token_type":"Bearer"`},
		{"unknown path", "GET", login + "/contoso/nothing-here", "", 404, "AADSTS9002313"},
		{"Graph's host is Graph", "GET", "https://" + GraphHost + "/contoso/v2.0/.well-known/openid-configuration", "", 400, `"code":"BadRequest"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
			if c.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := f.c.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", c.method, c.url, err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
				t.Fatalf("%s %s answered %d %s; want %d with %s", c.method, c.url, resp.StatusCode, b, c.status, c.want)
			}
			if resp.StatusCode == 200 && c.method == "GET" && !json.Valid(b) {
				t.Fatalf("%s answered no JSON: %s", c.url, b)
			}
		})
	}
	tokens, paths := 0, []string{}
	for _, e := range f.h.Journal.Entries() {
		paths = append(paths, e.Method+" "+e.Path)
		if strings.HasSuffix(strings.ToLower(e.Path), "/oauth2/v2.0/token") {
			tokens++
		}
	}
	// the exact-case token path goes through Graph's handler and its
	// journal; a path in another case is Entra ID's alone
	if tokens != 1 {
		t.Errorf("the journal holds %d token requests, want 1 (the login host's token path in Graph's own case); journalled: %s", tokens, strings.Join(paths, ", "))
	}
}
