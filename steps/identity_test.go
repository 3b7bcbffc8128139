package steps

import (
	"crypto/sha1"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
)

func TestIdentityStepsAreUnambiguous(t *testing.T) { unambiguous(t, "Microsoft Entra ID") }

// TestCheckKey: the keys step accepts a published key only when its x5t,
// its certificate, its n and e and the token's signature all agree.
func TestCheckKey(t *testing.T) {
	k0, err := stepKey(0)
	if err != nil {
		t.Fatal(err)
	}
	k1, err := stepKey(1)
	if err != nil {
		t.Fatal(err)
	}
	jwkOf := func(k *testKey) jwk {
		pub := k.priv.PublicKey
		return jwk{Kty: "RSA", Kid: k.x5t, X5t: k.x5t, N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()), X5c: []string{base64.StdEncoding.EncodeToString(k.cert)}}
	}
	tok, err := k0.signJWT(jwtPart(map[string]string{"alg": "RS256", "kid": k0.x5t}) + "." + jwtPart(map[string]string{"aud": "https://graph.microsoft.com"}))
	if err != nil {
		t.Fatal(err)
	}
	other := sha1.Sum([]byte("another certificate"))
	cases := []struct {
		name string
		edit func(*jwk)
		want string // in the problem; "" for none
	}{
		{"the key that signed", func(*jwk) {}, ""},
		{"not RSA", func(k *jwk) { k.Kty = "EC" }, "not RSA"},
		{"no certificate", func(k *jwk) { k.X5c = nil }, "no x5c"},
		{"x5t of another certificate", func(k *jwk) { k.X5t = base64.RawURLEncoding.EncodeToString(other[:]) }, "not the SHA-1 thumbprint"},
		{"n and e of another key", func(k *jwk) { o := jwkOf(k1); k.N, k.E = o.N, o.E }, "another key than n and e"},
		{"another key whole", func(k *jwk) { *k = jwkOf(k1) }, "does not verify"},
	}
	for _, c := range cases {
		k := jwkOf(k0)
		c.edit(&k)
		got := idCheckKey(&k, strings.Split(tok, "."))
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: the check says %q, want %q", c.name, got, c.want)
		}
	}
}
