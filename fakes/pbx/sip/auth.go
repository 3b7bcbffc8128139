package sip

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	"github.com/icholy/digest"
)

// nonces issues and checks digest nonces without storing them: a nonce is
// its issue time and an HMAC over it with a key of this server, so that
// a flood of challenges holds nothing.
type nonces struct {
	key  []byte
	life time.Duration
}

func newNonces(life time.Duration) nonces {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return nonces{key: k, life: life}
}

func (n nonces) mac(ts []byte) []byte {
	h := hmac.New(sha256.New, n.key)
	h.Write(ts)
	return h.Sum(nil)[:16]
}

func (n nonces) issue(now time.Time) string {
	ts := binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano()))
	return base64.RawURLEncoding.EncodeToString(append(ts, n.mac(ts)...))
}

var (
	errNonce = errors.New("the nonce is not one this PBX issued")
	errStale = errors.New("the nonce has expired")
)

func (n nonces) check(nonce string, now time.Time) error {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != 24 || !hmac.Equal(b[8:], n.mac(b[:8])) {
		return errNonce
	}
	at := time.Unix(0, int64(binary.BigEndian.Uint64(b[:8])))
	if now.Sub(at) > n.life || at.Sub(now) > time.Minute {
		return errStale
	}
	return nil
}

// challenge is the WWW-Authenticate value of a 401.
func (n nonces) challenge(realm string, now time.Time, stale bool) string {
	c := digest.Challenge{Realm: realm, Nonce: n.issue(now), Algorithm: "MD5", QOP: []string{"auth"}, Stale: stale}
	return c.String()
}

// authResult is what a request's Authorization says.
type authResult uint8

const (
	authMissing authResult = iota // no credentials: challenge
	authStale                     // right password, old nonce: challenge with stale=true
	authBad                       // wrong credentials: 403
	authOK
)

// verify checks an Authorization value for a method against the password
// of the user it names; password looks the user up and reports whether it
// has SIP credentials.
func (n nonces) verify(header, method, realm string, now time.Time, password func(user string) (string, bool)) (authResult, string) {
	if header == "" {
		return authMissing, ""
	}
	cred, err := digest.ParseCredentials(header)
	if err != nil || cred.Username == "" || cred.Response == "" {
		return authBad, ""
	}
	if !strings.EqualFold(cred.Realm, realm) || (cred.Algorithm != "" && !strings.EqualFold(cred.Algorithm, "MD5")) || cred.Userhash {
		return authBad, cred.Username
	}
	pw, ok := password(cred.Username)
	if !ok {
		return authBad, cred.Username
	}
	chal := &digest.Challenge{Realm: realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm}
	if cred.QOP != "" {
		if cred.QOP != "auth" {
			return authBad, cred.Username
		}
		chal.QOP = []string{"auth"}
	}
	want, err := digest.Digest(chal, digest.Options{Method: method, URI: cred.URI, Username: cred.Username, Password: pw, Cnonce: cred.Cnonce, Count: cred.Nc})
	if err != nil || subtle.ConstantTimeCompare([]byte(want.Response), []byte(strings.ToLower(cred.Response))) != 1 {
		return authBad, cred.Username
	}
	switch n.check(cred.Nonce, now) {
	case nil:
		return authOK, cred.Username
	case errStale:
		return authStale, cred.Username
	}
	return authBad, cred.Username
}

// parseCredentials is the user name of an Authorization value.
func parseCredentials(header string) (string, error) {
	c, err := digest.ParseCredentials(header)
	if err != nil {
		return "", err
	}
	return c.Username, nil
}
