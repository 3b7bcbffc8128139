package entra

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// sealedGrant is what a refresh token or an authorization code carries.
// It is sealed with the key set's secret, so the fake keeps no table of
// refresh tokens and a client cannot make one up.
type sealedGrant struct {
	Kind  string   `json:"k"` // "rt" or "code"
	ID    string   `json:"j,omitempty"`
	App   string   `json:"a"`
	Tid   string   `json:"t"`
	Oid   string   `json:"o"`
	World string   `json:"w"`
	Iat   int64    `json:"i"`
	Exp   int64    `json:"e"`
	Pwd   string   `json:"p"` // fingerprint of the password it was granted with
	Amr   []string `json:"m,omitempty"`
	// authorization codes only
	Scopes    []string `json:"s,omitempty"`
	OIDC      []string `json:"x,omitempty"`
	Redirect  string   `json:"r,omitempty"`
	Challenge string   `json:"c,omitempty"`
	Method    string   `json:"cm,omitempty"`
	Nonce     string   `json:"n,omitempty"`
}

// seal makes the opaque string of a grant: "0." payload "." MAC.
func (k *KeySet) seal(g *sealedGrant) string {
	body, _ := json.Marshal(g)
	p := base64.RawURLEncoding.EncodeToString(body)
	return "0." + p + "." + base64.RawURLEncoding.EncodeToString(k.mac([]byte(p)))
}

func (k *KeySet) unseal(s string) (*sealedGrant, bool) {
	rest, ok := strings.CutPrefix(s, "0.")
	if !ok || len(s) > maxJWT || !compactAlphabet(s) {
		return nil, false
	}
	p, m, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, false
	}
	sig, err := strict.DecodeString(m)
	if err != nil || !hmac.Equal(sig, k.mac([]byte(p))) {
		return nil, false
	}
	body, err := strict.DecodeString(p)
	if err != nil {
		return nil, false
	}
	var g sealedGrant
	if strictJSON(body, &g) != nil {
		return nil, false
	}
	return &g, true
}

func (k *KeySet) mac(b []byte) []byte {
	m := hmac.New(sha256.New, k.secret[:])
	m.Write(b)
	return m.Sum(nil)
}

// fingerprint stands for a password in a sealed grant: a changed password
// revokes the grant without the grant holding the password.
func (k *KeySet) fingerprint(password string) string {
	return hex.EncodeToString(k.mac([]byte("password\x00" + password))[:12])
}

// usedCodes remembers redeemed authorization codes until they expire: a
// code is good once.
type usedCodes struct {
	mu sync.Mutex
	m  map[string]int64 // id → expiry (unix)
}

// redeem reports whether the code id was not redeemed before, and marks it.
func (u *usedCodes) redeem(id string, exp int64, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[string]int64{}
	}
	if _, used := u.m[id]; used {
		return false
	}
	if len(u.m) > 1024 {
		for k, e := range u.m {
			if e <= now.Unix() {
				delete(u.m, k)
			}
		}
	}
	u.m[id] = exp
	return true
}
