package graphtest

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
)

// TestCheckKey: a published key is accepted only when its x5t, its
// certificate, its n and e and the token's signature all agree.
func TestCheckKey(t *testing.T) {
	k0, err := TestKey(0)
	if err != nil {
		t.Fatal(err)
	}
	k1, err := TestKey(1)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := k0.SignJWT(JWTPart(map[string]string{"alg": "RS256", "kid": k0.X5t}) + "." + JWTPart(map[string]string{"aud": "https://graph.microsoft.com"}))
	if err != nil {
		t.Fatal(err)
	}
	other := sha1.Sum([]byte("another certificate"))
	cases := []struct {
		name string
		tok  string
		edit func(*JWK)
		want string // in the problem; "" for none
	}{
		{"the key that signed", tok, func(*JWK) {}, ""},
		{"not RSA", tok, func(k *JWK) { k.Kty = "EC" }, "not RSA"},
		{"no certificate", tok, func(k *JWK) { k.X5c = nil }, "no x5c"},
		{"x5t of another certificate", tok, func(k *JWK) { k.X5t = base64.RawURLEncoding.EncodeToString(other[:]) }, "not the SHA-1 thumbprint"},
		{"n and e of another key", tok, func(k *JWK) { o := k1.JWK(); k.N, k.E = o.N, o.E }, "another key than n and e"},
		{"another key whole", tok, func(k *JWK) { *k = k1.JWK() }, "does not verify"},
		{"no JWT", "a.b", func(*JWK) {}, "three parts"},
	}
	for _, c := range cases {
		k := k0.JWK()
		c.edit(&k)
		got := CheckKey(&k, strings.Split(c.tok, "."))
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: the check says %q, want %q", c.name, got, c.want)
		}
	}
	if _, err := TestKey(Keys); err == nil {
		t.Errorf("TestKey(%d) made a key; there are %d", Keys, Keys)
	}
}

func TestClaims(t *testing.T) {
	tok := JWTPart(map[string]string{"alg": "none"}) + "." + JWTPart(map[string]any{"exp": 100, "roles": []string{"Presence.Read.All"}}) + "."
	c, err := Claims(tok)
	if err != nil || c.Exp != 100 || len(c.Roles) != 1 || c.Roles[0] != "Presence.Read.All" {
		t.Errorf("Claims = %+v, %v", c, err)
	}
	for _, bad := range []string{"", "a.b", "a.!!!.c", "a." + JWTPart("text") + ".c"} {
		if _, err := Claims(bad); err == nil {
			t.Errorf("Claims(%q) read a token", bad)
		}
	}
}
