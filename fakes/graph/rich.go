package graph

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // the thumbprint Graph shows and the OAEP hash Microsoft's samples decrypt with
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/presencesim/presencesim/sim/clock"
)

// Rich notifications (G-RICH-1): the presence travels in the notification,
// encrypted for the subscriber's certificate, with validation tokens that
// prove Graph sent it.

const (
	// maxCertificate bounds encryptionCertificate, base64 DER: a 4096-bit
	// certificate with long names and extensions stays far below, and
	// every live subscription keeps its certificate.
	maxCertificate = 8 << 10
	// maxCertificateID is Graph's bound of encryptionCertificateId.
	maxCertificateID = 128
	// minCertificateBits and maxCertificateBits bound the RSA key.
	minCertificateBits, maxCertificateBits = 2048, 4096
	// validationTokenReuse is how long a subscription's validation token is
	// put into notifications before a fresh one is signed: signing costs an
	// RSA private-key operation, and Graph's tokens too serve many
	// notifications within their hour.
	validationTokenReuse = 30 * time.Minute
)

// richKey is a subscriber's encryption certificate as notifications use it.
type richKey struct {
	pub   *rsa.PublicKey
	id    string // encryptionCertificateId
	thumb string // SHA-1 of the DER, upper-case hex, as Graph shows it
}

// certificateError is Graph's answer to a certificate it cannot use.
func certificateError(why string) *Error {
	return errf(http.StatusBadRequest, "ValidationError", "Certificate validation error: "+why+" (G-RICH-1)")
}

// readCertificate checks encryptionCertificate and encryptionCertificateId
// of a subscription with includeResourceData.
func readCertificate(cert, id *string) (*richKey, *Error) {
	switch {
	case cert == nil || strings.TrimSpace(*cert) == "":
		return nil, badRequest("encryptionCertificate is required when includeResourceData is true: a base64-encoded X.509 certificate with an RSA key of 2048 to 4096 bits. (G-RICH-1)")
	case id == nil || *id == "":
		return nil, badRequest("encryptionCertificateId is required when includeResourceData is true. (G-RICH-1)")
	case utf8.RuneCountInString(*id) > maxCertificateID || !utf8.ValidString(*id):
		return nil, badRequest(fmt.Sprintf("encryptionCertificateId must be valid text of at most %d characters. (G-RICH-1)", maxCertificateID))
	case len(*cert) > maxCertificate:
		return nil, certificateError(fmt.Sprintf("encryptionCertificate is longer than %d bytes.", maxCertificate))
	}
	// Like .NET's Convert.FromBase64String, white space is skipped.
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, *cert)
	der, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return nil, certificateError("encryptionCertificate is not base64: " + err.Error() + ".")
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, certificateError("encryptionCertificate is not a DER-encoded X.509 certificate: " + strings.ToValidUTF8(truncate(err.Error(), 200), "?") + ".")
	}
	pub, ok := c.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, certificateError(fmt.Sprintf("the certificate's key is %s; rich notifications need an RSA key.", c.PublicKeyAlgorithm))
	}
	if n := pub.N.BitLen(); n < minCertificateBits || n > maxCertificateBits {
		return nil, certificateError(fmt.Sprintf("the certificate's RSA key has %d bits; it must have %d to %d.", n, minCertificateBits, maxCertificateBits))
	}
	sum := sha1.Sum(der)
	return &richKey{pub: pub, id: *id, thumb: strings.ToUpper(hex.EncodeToString(sum[:]))}, nil
}

// encryptedContent is a rich notification's encrypted resource.
type encryptedContent struct {
	Data                            string `json:"data"`
	DataSignature                   string `json:"dataSignature"`
	DataKey                         string `json:"dataKey"`
	EncryptionCertificateID         string `json:"encryptionCertificateId"`
	EncryptionCertificateThumbprint string `json:"encryptionCertificateThumbprint"`
}

// seal encrypts plain for the key as Graph does: a fresh AES-256 key, the
// data AES-CBC with PKCS7 padding and IV = the key's first 16 bytes, the
// key RSA-OAEP (SHA-1) encrypted, an HMAC-SHA256 of the encrypted data
// keyed with the symmetric key.
func (k *richKey) seal(plain []byte) (*encryptedContent, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	wrapped, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, k.pub, key, nil)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	data := make([]byte, len(plain)+pad)
	copy(data, plain)
	for i := len(plain); i < len(data); i++ {
		data[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, key[:aes.BlockSize]).CryptBlocks(data, data)
	mac := hmac.New(sha256.New, key)
	mac.Write(data)
	enc := base64.StdEncoding
	return &encryptedContent{Data: enc.EncodeToString(data), DataSignature: enc.EncodeToString(mac.Sum(nil)), DataKey: enc.EncodeToString(wrapped),
		EncryptionCertificateID: k.id, EncryptionCertificateThumbprint: k.thumb}, nil
}

// richPresence is the decrypted content of a rich presence notification:
// the resource's identity and the presence as GET renders it to a watcher.
func (h *Handler) richPresence(sub *Subscription, userID string) []byte {
	u, _ := h.lookup(sub.tenant, userID)
	b := make([]byte, 0, 512)
	b = append(b, `{"@odata.id":"users/`...)
	b = append(b, userID...)
	b = append(b, `/presence","@odata.type":"#microsoft.graph.presence",`...)
	return h.appendPresence(b, u, userID, false)
}

// validationToken is the subscription's current validation token, signed
// afresh once the last one has served validationTokenReuse; inside the
// world's lock.
func (s *subscriptions) validationToken(sub *Subscription) string {
	now := s.h.auth.entra.NowIn(s.h.w)
	if sub.vtok == "" || now.Sub(sub.vtokAt) >= validationTokenReuse || now.Before(sub.vtokAt) {
		sub.vtok, sub.vtokAt = s.h.auth.entra.IssueValidationToken(sub.tenant, sub.ApplicationID, now), now
	}
	return sub.vtok
}

// richBody is a rich notification's payload for one changed user; nil
// when the encryption failed (crypto/rand does not fail in practice).
func (s *subscriptions) richBody(sub *Subscription, userID string, _ clock.Time) []byte {
	ec, err := sub.rich.seal(s.h.richPresence(sub, userID))
	if err != nil {
		return nil
	}
	n := basicNotification(sub, userID)
	n.EncryptedContent = ec
	b, _ := json.Marshal(struct {
		Value            []notification `json:"value"`
		ValidationTokens []string       `json:"validationTokens"`
	}{[]notification{n}, []string{s.validationToken(sub)}})
	return b
}
