package entra

import (
	"errors"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
)

// Claims are the claims of an access token for Microsoft Graph: a v1.0
// token as Entra ID issues it for Graph, plus the world instance it was
// issued in.
type Claims struct {
	Aud            string   `json:"aud"`
	Iss            string   `json:"iss"`
	Iat            int64    `json:"iat"`
	Nbf            int64    `json:"nbf"`
	Exp            int64    `json:"exp"`
	AppDisplayName string   `json:"app_displayname,omitempty"`
	AppID          string   `json:"appid"`
	AppIDAcr       string   `json:"appidacr"`
	Idp            string   `json:"idp,omitempty"`
	Idtyp          string   `json:"idtyp"`
	Name           string   `json:"name,omitempty"`
	Oid            string   `json:"oid"`
	Roles          []string `json:"roles,omitempty"`
	Scp            string   `json:"scp,omitempty"`
	Sub            string   `json:"sub"`
	Tid            string   `json:"tid"`
	UniqueName     string   `json:"unique_name,omitempty"`
	UPN            string   `json:"upn,omitempty"`
	Uti            string   `json:"uti"`
	Ver            string   `json:"ver"`
	// World is the live world's instance: a token outlives no reset.
	World string `json:"presencesim_world"`
}

// Delegated reports whether the token acts for a signed-in user.
func (c *Claims) Delegated() bool { return c.Idtyp == "user" }

// Has reports whether the token carries the permission, as an application
// role or a delegated scope.
func (c *Claims) Has(p string) bool {
	if c.Delegated() {
		for _, s := range strings.Fields(c.Scp) {
			if s == p {
				return true
			}
		}
		return false
	}
	for _, r := range c.Roles {
		if r == p {
			return true
		}
	}
	return false
}

// Why a token is refused. The messages are what Graph's 401
// InvalidAuthenticationToken bodies say.
var (
	ErrNoToken     = errors.New("Access token is empty.")
	ErrMalformed   = errors.New("IDX14100: JWT is not well formed, there are no dots (.) or it is not base64url-encoded JSON.")
	ErrAlgorithm   = errors.New("Access token validation failure. The token's alg is not RS256 or its typ is not JWT; Microsoft Graph takes only RS256 tokens the identity platform signed.")
	ErrUnknownKey  = errors.New("IDX10503: Signature validation failed. The token's kid is not among the identity platform's published keys.")
	ErrSignature   = errors.New("IDX10511: Signature validation failed. The signature does not verify with the key the kid names.")
	ErrAudience    = errors.New("Access token validation failure. Invalid audience.")
	ErrIssuer      = errors.New("Access token validation failure. Invalid issuer.")
	ErrExpired     = errors.New("Lifetime validation failed, the token is expired.")
	ErrNotYetValid = errors.New("Lifetime validation failed, the token is not yet valid.")
	ErrWorld       = errors.New("Access token validation failure. The token was issued before this world was reset (another world instance); get a new token.")
	ErrTenant      = errors.New("Access token validation failure. The token's tenant is not a tenant of this directory.")
)

// clockSkew is what Graph tolerates on nbf, as IdentityModel does.
const clockSkew = 5 * time.Minute

// Parse checks everything about an access token but its lifetime: the
// JOSE header (RS256, typ JWT, a published kid), the signature, Graph as
// audience, the issuer of the token's tenant and this world's instance.
func (h *Handler) Parse(tok string) (*Claims, error) {
	if tok == "" {
		return nil, ErrNoToken
	}
	j, err := parseJWS(tok)
	if err != nil {
		return nil, ErrMalformed
	}
	if j.hdr.Alg != "RS256" || !strings.EqualFold(j.hdr.Typ, "JWT") {
		return nil, ErrAlgorithm
	}
	pub := h.keys.byKid(j.hdr.Kid)
	if pub == nil {
		return nil, ErrUnknownKey
	}
	if j.verify(pub) != nil {
		return nil, ErrSignature
	}
	var c Claims
	if strictJSON(j.payload, &c) != nil {
		return nil, ErrMalformed
	}
	if c.Aud != GraphResource && c.Aud != GraphResource+"/" && c.Aud != GraphAppID {
		return nil, ErrAudience
	}
	if c.Tid == "" || c.Iss != stsIssuer(c.Tid) {
		return nil, ErrIssuer
	}
	if c.World != h.instance {
		return nil, ErrWorld
	}
	return &c, nil
}

// CheckLifetime checks the token's times against now on the token clock:
// expired at exp, valid from nbf less the clock skew Graph allows.
func CheckLifetime(c *Claims, now time.Time) error {
	t := now.Unix()
	if t >= c.Exp {
		return ErrExpired
	}
	if t+int64(clockSkew/time.Second) < c.Nbf {
		return ErrNotYetValid
	}
	return nil
}

// Verify checks an access token as Graph does: Parse, then CheckIn. It
// takes the world's lock: call it outside live.World.Do.
func (h *Handler) Verify(tok string) (*Claims, error) {
	c, err := h.Parse(tok)
	if err != nil {
		return nil, err
	}
	_ = h.lw.Do(func(w *sim.World) error {
		err = h.CheckIn(w, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CheckIn finishes the checks that need the world, inside live.World.Do:
// the lifetime on the token clock and the token's tenant.
func (h *Handler) CheckIn(w *sim.World, c *Claims) error {
	if err := CheckLifetime(c, h.NowIn(w)); err != nil {
		return err
	}
	if _, ok := DirectoryOf(w).TenantByID(c.Tid); !ok {
		return ErrTenant
	}
	return nil
}

func stsIssuer(tid string) string { return "https://sts.windows.net/" + tid + "/" }
