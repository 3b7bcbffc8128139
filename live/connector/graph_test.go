package connector

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// authorityConfig is how an identity platform of the tests answers.
type authorityConfig struct {
	issuer          string // the authority's own when ""
	tokenPath       string // where the token endpoint is
	discoveryStatus int    // 200 when 0
	noEndpoint      bool   // the document names no token_endpoint
	expiresIn       int
}

// authority is an identity platform with a token endpoint where only its
// OpenID configuration says, counting what it is asked.
type authority struct {
	authorityConfig
	srv               *httptest.Server
	discovery, tokens atomic.Int32
}

func newAuthority(t *testing.T, cfg authorityConfig) *authority {
	t.Helper()
	a := &authority{authorityConfig: cfg}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/tenant-1/v2.0/.well-known/openid-configuration":
			a.discovery.Add(1)
			if a.discoveryStatus != 0 {
				w.WriteHeader(a.discoveryStatus)
				return
			}
			iss := a.issuer
			if iss == "" {
				iss = a.srv.URL + "/tenant-1/v2.0"
			}
			te := a.srv.URL + a.tokenPath
			if a.noEndpoint {
				te = ""
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "token_endpoint": te})
		case r.URL.Path == "/issued/here/token" && r.Method == http.MethodPost:
			a.tokens.Add(1)
			_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "access_token": "tok", "expires_in": a.expiresIn})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// TestTokensThroughDiscovery: the connector finds its token endpoint in the
// authority's OpenID configuration, reads that once, caches its token until
// the margin before expiry, and with NoTokenCache asks before every call.
func TestTokensThroughDiscovery(t *testing.T) {
	cases := []struct {
		name                    string
		a                       authorityConfig
		noCache                 bool
		calls                   int
		wantErr                 string
		wantDiscovery, wantToks int32
	}{
		{"cached token", authorityConfig{tokenPath: "/issued/here/token", expiresIn: 3599}, false, 3, "", 1, 1},
		{"no cache (NoTokenCache)", authorityConfig{tokenPath: "/issued/here/token", expiresIn: 3599}, true, 3, "", 1, 3},
		{"a token within the margin is not kept", authorityConfig{tokenPath: "/issued/here/token", expiresIn: 200}, false, 2, "", 1, 2},
		{"the document names another issuer host", authorityConfig{tokenPath: "/issued/here/token", issuer: "https://login.example/tenant-1/v2.0", expiresIn: 3599}, false, 2, "not one on the authority's host", 2, 0},
		{"the document names no token endpoint", authorityConfig{noEndpoint: true, expiresIn: 3599}, false, 1, "no token_endpoint", 1, 0},
		{"no document", authorityConfig{discoveryStatus: 404}, false, 2, "answered 404", 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAuthority(t, c.a)
			g := &graphClient{env: Env{LoginURL: a.srv.URL, TenantID: "tenant-1", ClientID: "c", ClientSecret: "s"}, http: a.srv.Client(), noTokenCache: c.noCache}
			var err error
			for i := 0; i < c.calls; i++ {
				_, err = g.getToken(context.Background())
			}
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("getToken: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("getToken error %v, want one saying %q", err, c.wantErr)
			}
			if d, k := a.discovery.Load(), a.tokens.Load(); d != c.wantDiscovery || k != c.wantToks {
				t.Errorf("%d calls made %d discovery and %d token requests, want %d and %d", c.calls, d, k, c.wantDiscovery, c.wantToks)
			}
		})
	}
}

// TestOneTokenRequestAtATime: callers that find no token wait for the one
// in flight instead of each asking (C-11).
func TestOneTokenRequestAtATime(t *testing.T) {
	a := newAuthority(t, authorityConfig{tokenPath: "/issued/here/token", expiresIn: 3599})
	g := &graphClient{env: Env{LoginURL: a.srv.URL, TenantID: "tenant-1", ClientID: "c", ClientSecret: "s"}, http: a.srv.Client()}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := g.getToken(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := a.tokens.Load(); n != 1 {
		t.Errorf("8 callers at once made %d token requests, want 1", n)
	}
}
