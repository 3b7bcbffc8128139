package richnotify

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // RSA-OAEP as Microsoft's samples decrypt: fOAEP with SHA-1
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Publisher is the appid of Graph's change notification publisher.
const Publisher = "0bf30f3b-4a52-48df-9a82-234910c4a086"

// Certificate is a subscriber's encryption certificate and its key.
type Certificate struct {
	Base64 string // encryptionCertificate: the DER, standard base64
	Key    *rsa.PrivateKey
}

// NewCertificate makes a self-signed certificate with a fresh RSA key of
// the given size.
func NewCertificate(bits int) (*Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	der, err := SelfSigned(&key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &Certificate{Base64: base64.StdEncoding.EncodeToString(der), Key: key}, nil
}

// SelfSigned makes a certificate for pub signed by signer (of any kind
// crypto/x509 signs with), for certificates whose key the subscriber need
// not hold.
func SelfSigned(pub any, signer crypto.Signer) ([]byte, error) {
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "presence subscriber"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(0, 0).AddDate(200, 0, 0), KeyUsage: x509.KeyUsageKeyEncipherment}
	return x509.CreateCertificate(rand.Reader, tpl, tpl, pub, signer)
}

// EncryptedContent is a notification item's encryptedContent.
type EncryptedContent struct {
	Data                            string `json:"data"`
	DataSignature                   string `json:"dataSignature"`
	DataKey                         string `json:"dataKey"`
	EncryptionCertificateID         string `json:"encryptionCertificateId"`
	EncryptionCertificateThumbprint string `json:"encryptionCertificateThumbprint"`
}

// ErrSignature is a dataSignature that does not match the data.
var ErrSignature = errors.New("dataSignature does not match the data: the notification was altered or not encrypted with this key")

// Decrypt decrypts ec with the certificate's key as Microsoft's samples
// do, checking the HMAC before decrypting.
func Decrypt(ec EncryptedContent, key *rsa.PrivateKey) ([]byte, error) {
	wrapped, err := base64.StdEncoding.DecodeString(ec.DataKey)
	if err != nil {
		return nil, fmt.Errorf("dataKey: %w", err)
	}
	sym, err := rsa.DecryptOAEP(sha1.New(), nil, key, wrapped, nil)
	if err != nil {
		return nil, fmt.Errorf("dataKey: %w", err)
	}
	data, err := base64.StdEncoding.DecodeString(ec.Data)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(ec.DataSignature)
	if err != nil {
		return nil, fmt.Errorf("dataSignature: %w", err)
	}
	mac := hmac.New(sha256.New, sym)
	mac.Write(data)
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil, ErrSignature
	}
	block, err := aes.NewCipher(sym)
	if err != nil {
		return nil, fmt.Errorf("symmetric key of %d bytes: %w", len(sym), err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("data of %d bytes is no whole number of AES blocks", len(data))
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, sym[:aes.BlockSize]).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > aes.BlockSize {
		return nil, errors.New("bad PKCS7 padding")
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, errors.New("bad PKCS7 padding")
		}
	}
	return plain[:len(plain)-pad], nil
}

// JWKS is a JSON Web Key Set as the discovery keys endpoint serves it.
type JWKS struct {
	Keys []struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		N   string `json:"n"`
		E   string `json:"e"`
	} `json:"keys"`
}

// ValidateToken checks a validation token as Microsoft documents: an RS256
// signature by a key of the set, aud the subscribing app, appid the
// notification publisher, iss https://sts.windows.net/{tenant}/, and now
// within nbf and exp.
func ValidateToken(tok string, keys JWKS, appID, tenant string, now time.Time) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("not a compact JWS")
	}
	var hdr struct {
		Alg, Kid string
	}
	if err := decodePart(parts[0], &hdr); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if hdr.Alg != "RS256" {
		return fmt.Errorf("alg %q, want RS256", hdr.Alg)
	}
	var pub *rsa.PublicKey
	for _, k := range keys.Keys {
		if k.Kid != hdr.Kid || k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) > 4 {
			return fmt.Errorf("key %s is malformed", k.Kid)
		}
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if pub == nil {
		return fmt.Errorf("no key %q in the key set", hdr.Kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	var c struct {
		Aud   string `json:"aud"`
		Iss   string `json:"iss"`
		AppID string `json:"appid"`
		Nbf   int64  `json:"nbf"`
		Exp   int64  `json:"exp"`
	}
	if err := decodePart(parts[1], &c); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	switch {
	case !strings.EqualFold(c.Aud, appID):
		return fmt.Errorf("aud %q, want the app %s", c.Aud, appID)
	case c.AppID != Publisher:
		return fmt.Errorf("appid %q, want the publisher %s", c.AppID, Publisher)
	case c.Iss != "https://sts.windows.net/"+tenant+"/":
		return fmt.Errorf("iss %q, want https://sts.windows.net/%s/", c.Iss, tenant)
	// Five minutes of clock skew, as Microsoft's token libraries allow.
	case now.Unix() < c.Nbf-300 || now.Unix() >= c.Exp+300:
		return fmt.Errorf("valid from %s to %s, not at %s", time.Unix(c.Nbf, 0).UTC(), time.Unix(c.Exp, 0).UTC(), now.UTC())
	}
	return nil
}

func decodePart(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// PublicOnly is a certificate, base64, for an RSA public key of exactly
// bits bits whose private half nobody holds, signed with a throwaway
// P-256 key: for checking which key sizes Graph accepts without
// generating keys of every size (N need not be a product of primes for
// that).
func PublicOnly(bits int) (string, error) {
	if bits < 16 {
		return "", fmt.Errorf("a key of %d bits is too small to write", bits)
	}
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits-1)))
	if err != nil {
		return "", err
	}
	n.SetBit(n, bits-1, 1).SetBit(n, 0, 1)
	signer, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := SelfSigned(&rsa.PublicKey{N: n, E: 65537}, signer)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// ECDSA is a certificate, base64, for a fresh P-256 key: a key rich
// notifications cannot use.
func ECDSA() (string, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := SelfSigned(&k.PublicKey, k)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// Thumbprint is the certificate's SHA-1 thumbprint in upper-case hex, as
// encryptionCertificateThumbprint shows it.
func Thumbprint(certBase64 string) (string, error) {
	der, err := base64.StdEncoding.DecodeString(certBase64)
	if err != nil {
		return "", err
	}
	sum := sha1.Sum(der)
	return strings.ToUpper(hex.EncodeToString(sum[:])), nil
}
