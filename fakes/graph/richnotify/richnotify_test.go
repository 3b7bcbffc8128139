package richnotify

import (
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// What the subscriber's side refuses, each with its reason.
func TestDecryptRefuses(t *testing.T) {
	cert, err := NewCertificate(2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		ec   EncryptedContent
		says string
	}{
		{"dataKey not base64", EncryptedContent{DataKey: "*"}, "dataKey"},
		{"dataKey not for this key", EncryptedContent{DataKey: base64.StdEncoding.EncodeToString(make([]byte, 256))}, "dataKey"},
	}
	for _, c := range cases {
		if _, err := Decrypt(c.ec, cert.Key); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v; want an error about %s", c.name, err, c.says)
		}
	}
}

func TestValidateTokenRefuses(t *testing.T) {
	for _, tok := range []string{"", "a.b", "e30.e30.", "eyJhbGciOiJub25lIn0.e30."} {
		if err := ValidateToken(tok, JWKS{}, "app", "tenant", time.Now()); err == nil {
			t.Errorf("%q validated", tok)
		}
	}
}

func TestPublicOnlyHasTheSize(t *testing.T) {
	for _, bits := range []int{1024, 2048, 4097} {
		c, err := PublicOnly(bits)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := base64.StdEncoding.DecodeString(c)
		x, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("%d bits: %v", bits, err)
		}
		if n := x.PublicKey.(interface{ Size() int }).Size() * 8; n < bits || n >= bits+8 {
			t.Fatalf("a key of %d bits has %d bytes", bits, n/8)
		}
	}
}
