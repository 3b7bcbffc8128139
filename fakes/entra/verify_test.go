package entra

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live"
)

// TestVerifyRefusals is what Graph refuses with 401 InvalidAuthenticationToken.
func TestVerifyRefusals(t *testing.T) {
	f := newFixture(t)
	good := f.ok(f.token(f.appForm())).AccessToken
	now := f.clock.t
	kid := testKeys.current().kid
	claims := func(mod func(*Claims)) *Claims {
		c := f.h.appClaims(f.app, now)
		if mod != nil {
			mod(c)
		}
		return c
	}
	_, otherKey := loadPair(t, "other")
	hs256 := func() string {
		hb, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "HS256", "kid": kid})
		cb, _ := json.Marshal(claims(nil))
		s := b64(hb) + "." + b64(cb)
		m := hmac.New(sha256.New, []byte("a key someone knows"))
		m.Write([]byte(s))
		return s + "." + b64(m.Sum(nil))
	}
	none := func() string {
		hb, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "none"})
		cb, _ := json.Marshal(claims(nil))
		return b64(hb) + "." + b64(cb) + "."
	}
	// A token of another world instance: the same key set, a world built anew.
	lw2, err := live.New(f.w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	earlier := New(lw2, Options{Now: f.clock.now, Keys: testKeys}).IssueAppToken(f.app, now)
	parts := strings.Split(good, ".")
	cases := []struct {
		name string
		tok  string
		want error
	}{
		{"a token of the token endpoint", good, nil},
		{"issued now by the API", f.h.IssueAppToken(f.app, now), nil},
		{"not yet valid within the clock skew", f.h.IssueAppToken(f.app, now.Add(4*time.Minute)), nil},
		{"empty", "", ErrNoToken},
		{"not a JWT", "eyJhbGciOiJSUzI1NiJ9", ErrMalformed},
		{"a line break inside", parts[0] + ".\n" + parts[1] + "." + parts[2], ErrMalformed},
		{"alg none", none(), ErrAlgorithm},
		{"HS256 signed with some key", hs256(), ErrAlgorithm},
		{"no typ", compact(t, map[string]string{"alg": "RS256", "kid": kid}, claims(nil), otherKey, "RS256"), ErrAlgorithm},
		{"another RSA key under the published kid", compact(t, map[string]string{"typ": "JWT", "alg": "RS256", "kid": kid}, claims(nil), otherKey, "RS256"), ErrSignature},
		{"an unknown kid", compact(t, map[string]string{"typ": "JWT", "alg": "RS256", "kid": "someone-elses"}, claims(nil), otherKey, "RS256"), ErrUnknownKey},
		{"a changed payload", parts[0] + "." + b64([]byte(`{"aud":"https://graph.microsoft.com","roles":["Presence.ReadWrite.All"]}`)) + "." + parts[2], ErrSignature},
		{"another audience", testKeys.sign(claims(func(c *Claims) { c.Aud = "https://vault.azure.net" })), ErrAudience},
		{"an issuer of another tenant", testKeys.sign(claims(func(c *Claims) { c.Iss = stsIssuer(f.tenant("fabrikam").ID) })), ErrIssuer},
		{"a tenant this world does not have", testKeys.sign(claims(func(c *Claims) {
			c.Tid = "0c8f3b0e-0000-4000-8000-000000000000"
			c.Iss = stsIssuer(c.Tid)
		})), ErrTenant},
		{"expired", f.h.IssueAppToken(f.app, now.Add(-2*time.Hour)), ErrExpired},
		{"expired to the second", f.h.IssueAppToken(f.app, now.Add(-TokenLifetime)), ErrExpired},
		{"not yet valid", f.h.IssueAppToken(f.app, now.Add(time.Hour)), ErrNotYetValid},
		{"an earlier world instance", earlier, ErrWorld},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.h.Verify(c.tok)
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
			if err == nil && (got.AppID != f.app.AppID || got.Delegated()) {
				t.Fatalf("claims %+v", got)
			}
		})
	}
}

func TestTokensFollowTheWorldClockWhenAsked(t *testing.T) {
	f := newFixture(t)
	h := New(f.lw, Options{WorldTime: true, Keys: testKeys})
	start := f.w.Clock.Now().Wall()
	tok := h.IssueAppToken(f.app, h.Now())
	if c, err := h.Verify(tok); err != nil || c.Iat != start.Unix() {
		t.Fatalf("a token issued on the world's clock: %+v, %v", c, err)
	}
	if err := f.lw.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Verify(tok); !errors.Is(err, ErrExpired) {
		t.Fatalf("an hour of world time later the token is expired; got %v", err)
	}
	// The wall-clock handler over the same world disagrees: its clock did not move.
	if _, err := f.h.Verify(f.h.IssueAppToken(f.app, f.clock.t)); err != nil {
		t.Fatal(err)
	}
}

func TestKeyRotationKeepsOldTokens(t *testing.T) {
	f := newFixture(t)
	ks, err := NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	h := New(f.lw, Options{Now: f.clock.now, Keys: ks})
	before := h.IssueAppToken(f.app, f.clock.t)
	if err := ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	after := h.IssueAppToken(f.app, f.clock.t)
	if len(ks.JWKS()) != 2 || strings.Split(before, ".")[0] == strings.Split(after, ".")[0] {
		t.Fatal("a rotation publishes a second key and signs with it")
	}
	for _, tok := range []string{before, after} {
		if _, err := h.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.h.Verify(after); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("another key set does not know the key; got %v", err)
	}
}
