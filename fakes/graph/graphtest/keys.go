package graphtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // x5t is a SHA-1 thumbprint by definition (RFC 7515 §4.1.7)
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/sim/clock"
)

// Key is an RSA key with a self-signed certificate: a client's own key,
// for client assertions and for tokens the identity platform did not sign.
type Key struct {
	Priv *rsa.PrivateKey
	Cert []byte // DER
	X5t  string // base64url SHA-1 of the certificate
}

// Keys is how many keys TestKey holds.
const Keys = 2

// TestKey returns key i (0 ≤ i < Keys), made once per process: generating
// RSA keys is slow. The certificate is valid from 2000 to 2100, whatever
// the world's clock says.
func TestKey(i int) (*Key, error) {
	if i < 0 || i >= Keys {
		return nil, fmt.Errorf("test key %d: there are %d", i, Keys)
	}
	k := &testKeys[i]
	k.once.Do(func() { k.key, k.err = NewKey(fmt.Sprintf("presencesim step key %d", i)) })
	return k.key, k.err
}

var testKeys [Keys]struct {
	once sync.Once
	key  *Key
	err  error
}

// NewKey makes a 2048-bit RSA key and its certificate named name.
func NewKey(name string) (*Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(der)
	return &Key{Priv: priv, Cert: der, X5t: base64.RawURLEncoding.EncodeToString(sum[:])}, nil
}

// SignJWT appends an RS256 signature to header.payload.
func (k *Key) SignJWT(signed string) (string, error) {
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.Priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// JWK is the key as a keys document publishes it.
func (k *Key) JWK() JWK {
	pub := k.Priv.PublicKey
	return JWK{Kty: "RSA", Kid: k.X5t, X5t: k.X5t, N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()), X5c: []string{base64.StdEncoding.EncodeToString(k.Cert)}}
}

// JWTPart is v as a JWT's header or payload: base64url JSON.
func JWTPart(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Claims decodes a JWT's payload, without checking its signature.
func Claims(tok string) (graph.Claims, error) {
	var c graph.Claims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, errors.New("the token is not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(b, &c)
}

// Expired tells whether the token is unreadable or expired at now.
func Expired(tok string, now clock.Time) bool {
	c, err := Claims(tok)
	return err != nil || now.Wall().Unix() >= c.Exp
}

// JWK is a published key as the keys document writes it.
type JWK struct {
	Kty string   `json:"kty"`
	Kid string   `json:"kid"`
	X5t string   `json:"x5t"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c"`
}

// CheckKey says what is wrong with a published key for the token (its
// three segments), or "": a resource server accepts the key only when its
// x5t is the thumbprint of its x5c certificate, the certificate holds the
// same key as n and e, and the RS256 signature verifies (G-ID-1, G-ID-2).
func CheckKey(k *JWK, segs []string) string {
	if len(segs) != 3 {
		return "the token is not a JWT of three parts"
	}
	if k.Kty != "RSA" {
		return "kty is " + k.Kty + ", not RSA"
	}
	if len(k.X5c) == 0 {
		return "the key has no x5c"
	}
	der, err := base64.StdEncoding.DecodeString(k.X5c[0])
	if err != nil {
		return "x5c[0] is not base64: " + err.Error()
	}
	sum := sha1.Sum(der)
	if t := base64.RawURLEncoding.EncodeToString(sum[:]); k.X5t != t {
		return "x5t " + k.X5t + " is not the SHA-1 thumbprint of x5c[0], " + t
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "x5c[0] is no certificate: " + err.Error()
	}
	n, errN := base64.RawURLEncoding.DecodeString(k.N)
	e, errE := base64.RawURLEncoding.DecodeString(k.E)
	if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
		return "n or e is not base64url"
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if cp, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !cp.Equal(pub) {
		return "the certificate in x5c holds another key than n and e"
	}
	sig, err := base64.RawURLEncoding.DecodeString(segs[2])
	if err != nil {
		return "the token's signature is not base64url"
	}
	h := sha256.Sum256([]byte(segs[0] + "." + segs[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return "the signature does not verify: " + err.Error()
	}
	return ""
}
