package graph

import (
	"net/http"
	"strings"
	"sync"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/live"
)

// TokenLifetime is how long an access token is valid (expires_in 3599).
const TokenLifetime = entra.TokenLifetime

// Claims are the access token claims Graph checks.
type Claims = entra.Claims

// auth is the handler's side of authentication: the identity platform
// whose tokens it accepts, and the tokens whose signatures it checked.
type auth struct {
	entra *entra.Handler
	mu    sync.RWMutex
	cache map[string]*Claims
}

// maxCachedTokens bounds the cache of checked tokens.
const maxCachedTokens = 10_000

// newAuth takes the identity platform of the options; without one, Graph
// has its own over the same world with token times on the world's clock,
// as scenarios in process expect (G-ID-2's decision).
func newAuth(lw *live.World, e *entra.Handler) *auth {
	if e == nil {
		e = entra.New(lw, entra.Options{WorldTime: true})
	}
	return &auth{entra: e, cache: map[string]*Claims{}}
}

// parse checks a token but for its lifetime and tenant, once per token:
// the RSA check is the costly part and needs no world.
func (a *auth) parse(tok string) (*Claims, error) {
	a.mu.RLock()
	c := a.cache[tok]
	a.mu.RUnlock()
	if c != nil {
		return c, nil
	}
	c, err := a.entra.Parse(tok)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.cache) >= maxCachedTokens {
		a.cache = map[string]*Claims{}
	}
	a.cache[tok] = c
	a.mu.Unlock()
	return c, nil
}

// Entra is the identity platform whose tokens the handler accepts and
// whose token endpoint it serves.
func (h *Handler) Entra() *entra.Handler { return h.auth.entra }

// token serves /{tenant}/oauth2/v2.0/token through the identity platform,
// so a client that reaches Graph's host for tokens gets Entra ID's answer;
// the request is journalled like any other.
func (h *Handler) token(w http.ResponseWriter, r *http.Request, rc *reqCtx, tenantSeg string) int {
	g := h.auth.entra.ServeToken(w, r, tenantSeg)
	rc.now, rc.wall = g.At, g.At.Wall()
	rc.app, rc.user = g.App, g.User
	return g.Status
}

// tokenPath is the token endpoint's path after the tenant.
const tokenPath = "/oauth2/v2.0/token"

// tokenTenant reads the tenant of /{tenant}/oauth2/v2.0/token, the one
// identity path Graph's host serves too.
func tokenTenant(path string) (string, bool) {
	i := strings.Index(path, tokenPath)
	if i <= 0 || path[i:] != tokenPath || strings.HasPrefix(path, "/v1.0/") {
		return "", false
	}
	tenant := strings.Trim(path[:i], "/")
	return tenant, tenant != "" && !strings.Contains(tenant, "/")
}
