package entra

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // x5t is a SHA-1 thumbprint by definition (RFC 7517 §4.8)
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// KeySet holds the identity platform's signing keys and the secret that
// seals refresh tokens. Both come from crypto/rand, never from a world's
// seed: whoever knows the seed must not be able to forge a token. One key
// set serves every world of a process (DefaultKeySet); the world instance
// claim keeps a reset world from accepting the previous world's tokens.
type KeySet struct {
	mu     sync.RWMutex
	keys   []*signingKey // the last one signs; all are published
	secret [32]byte
}

type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
	cert *x509.Certificate
}

// NewKeySet makes a key set with one fresh RSA-2048 key and its
// self-signed certificate.
func NewKeySet() (*KeySet, error) {
	k := &KeySet{}
	if _, err := rand.Read(k.secret[:]); err != nil {
		return nil, err
	}
	if err := k.Rotate(); err != nil {
		return nil, err
	}
	return k, nil
}

var defaultKeySet = sync.OnceValues(NewKeySet)

// DefaultKeySet is the process's key set, made on first use.
func DefaultKeySet() *KeySet {
	k, err := defaultKeySet()
	if err != nil {
		panic(fmt.Sprintf("entra: making the signing key: %v", err)) // crypto/rand does not fail
	}
	return k
}

// Rotate adds a fresh signing key; the older keys stay published, so
// tokens they signed still verify, as Entra ID rolls its keys over.
func (k *KeySet) Rotate() error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return err
	}
	now := time.Now()
	tpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "accounts.accesscontrol.windows.net"},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(5 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &priv.PublicKey, priv)
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	sum := sha1.Sum(der)
	// Entra ID's kid is the certificate's x5t.
	sk := &signingKey{kid: base64.RawURLEncoding.EncodeToString(sum[:]), priv: priv, cert: cert}
	k.mu.Lock()
	k.keys = append(k.keys, sk)
	k.mu.Unlock()
	return nil
}

func (k *KeySet) current() *signingKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys[len(k.keys)-1]
}

func (k *KeySet) byKid(kid string) *rsa.PublicKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, sk := range k.keys {
		if sk.kid == kid {
			return &sk.priv.PublicKey
		}
	}
	return nil
}

// JWK is a public key as the keys document publishes it.
type JWK struct {
	Kty               string   `json:"kty"`
	Use               string   `json:"use"`
	Kid               string   `json:"kid"`
	X5t               string   `json:"x5t"`
	N                 string   `json:"n"`
	E                 string   `json:"e"`
	X5c               []string `json:"x5c"`
	CloudInstanceName string   `json:"cloud_instance_name,omitempty"`
	Issuer            string   `json:"issuer,omitempty"`
}

// JWKS is the public half of the key set, issuer left blank.
func (k *KeySet) JWKS() []JWK {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]JWK, len(k.keys))
	for i, sk := range k.keys {
		pub := sk.priv.PublicKey
		out[i] = JWK{Kty: "RSA", Use: "sig", Kid: sk.kid, X5t: sk.kid,
			N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
			X5c: []string{base64.StdEncoding.EncodeToString(sk.cert.Raw)}}
	}
	return out
}

// sign makes a compact RS256 JWS of the claims with the current key.
func (k *KeySet) sign(claims any) string {
	sk := k.current()
	hdr, _ := json.Marshal(struct {
		Typ string `json:"typ"`
		Alg string `json:"alg"`
		X5t string `json:"x5t"`
		Kid string `json:"kid"`
	}{"JWT", "RS256", sk.kid, sk.kid})
	body, _ := json.Marshal(claims)
	s := b64(hdr) + "." + b64(body)
	sum := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(nil, sk.priv, crypto.SHA256, sum[:])
	if err != nil {
		panic(fmt.Sprintf("entra: signing with an RSA key: %v", err)) // only a broken key fails
	}
	return s + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
