package graphtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/live"
)

// BadTokens are the tokens a Graph client may present that Graph must
// refuse (G-AUTH-1, G-TLS-1), as a test names them. Each but the first two
// is a token the identity platform would issue, changed in one respect
// only.
var BadTokens = []string{"without a token", "with a forged token", "with an expired token", "with a token of alg none",
	"with an HS256 token", "with a token signed by another key", "with a token of an unpublished key",
	"with a token of another tenant", "with a token from before the world was reset"}

// BadToken makes the token of that kind ("" for "without a token"), from
// the first registered app's.
func (c *Client) BadToken(kind string) (string, error) {
	switch kind {
	case "without a token":
		return "", nil
	case "with a forged token":
		return "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJyb2xlcyI6WyJQcmVzZW5jZS5SZWFkLkFsbCJdfQ.c2lnbmF0dXJl", nil
	}
	apps := c.H.Identity().Apps()
	if len(apps) == 0 {
		return "", errors.New(`register a Graph app first, e.g. "Given the Graph app "reader" is registered with application permissions Presence.Read.All"`)
	}
	a, now, e := apps[0], c.World.Clock.Now().Wall(), c.H.Entra()
	switch kind {
	case "with an expired token":
		return e.IssueAppToken(a, now.Add(-2*time.Hour)), nil
	case "with a token of another tenant":
		other := *a
		other.Tenant = "7d1c6a52-9e0f-4b3a-8c6d-0e1f2a3b4c5d" // no tenant of this directory
		return e.IssueAppToken(&other, now), nil
	case "with a token from before the world was reset":
		// A reset serves a new live world over a directory built from the
		// same file: the ids repeat and only the world's instance tells the
		// tokens apart. Another live world over this directory is that.
		lw, err := live.New(c.World, live.Clock{Manual: true})
		if err != nil {
			return "", err
		}
		return entra.New(lw, entra.Options{WorldTime: true, Keys: e.Keys()}).IssueAppToken(a, now), nil
	}
	genuine := strings.Split(e.IssueAppToken(a, now), ".")
	var hdr struct {
		Kid string `json:"kid"`
	}
	if b, err := base64.RawURLEncoding.DecodeString(genuine[0]); err != nil || json.Unmarshal(b, &hdr) != nil {
		return "", fmt.Errorf("the identity platform's token has no readable header: %s", genuine[0])
	}
	key, err := TestKey(0)
	if err != nil {
		return "", err
	}
	switch kind {
	case "with a token of alg none":
		return JWTPart(map[string]string{"typ": "JWT", "alg": "none"}) + "." + genuine[1] + ".", nil
	case "with an HS256 token":
		// the classic confusion: an HMAC keyed with the published key
		keys := e.Keys().JWKS()
		mac := hmac.New(sha256.New, []byte(keys[len(keys)-1].X5c[0]))
		signed := JWTPart(map[string]string{"typ": "JWT", "alg": "HS256", "kid": hdr.Kid}) + "." + genuine[1]
		mac.Write([]byte(signed))
		return signed + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
	case "with a token signed by another key":
		return key.SignJWT(genuine[0] + "." + genuine[1])
	case "with a token of an unpublished key":
		return key.SignJWT(JWTPart(map[string]string{"typ": "JWT", "alg": "RS256", "kid": key.X5t, "x5t": key.X5t}) + "." + genuine[1])
	}
	return "", fmt.Errorf("no bad token %q; the kinds are: %s", kind, strings.Join(BadTokens, ", "))
}

// Bearer is the Authorization header of a token, none for "".
func Bearer(tok string) string {
	if tok == "" {
		return ""
	}
	return "Bearer " + tok
}
