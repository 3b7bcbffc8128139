package graph

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

// TokenLifetime is how long an access token is valid on the world's clock,
// as Entra ID issues them (expires_in 3599).
const TokenLifetime = 3599 * time.Second

// Claims are the access token claims the fake issues and checks.
type Claims struct {
	Aud   string   `json:"aud"`
	Iss   string   `json:"iss"`
	Iat   int64    `json:"iat"`
	Nbf   int64    `json:"nbf"`
	Exp   int64    `json:"exp"`
	AppID string   `json:"appid"`
	Tid   string   `json:"tid"`
	Oid   string   `json:"oid,omitempty"`
	UPN   string   `json:"upn,omitempty"`
	Roles []string `json:"roles,omitempty"`
	Scp   string   `json:"scp,omitempty"`
	Idtyp string   `json:"idtyp"`
	Ver   string   `json:"ver"`
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

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256","kid":"presencesim"}`))

// sign issues a token for the claims.
func (id *Identity) sign(c Claims) string {
	body, _ := json.Marshal(c)
	s := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(body)
	m := hmac.New(sha256.New, id.key)
	m.Write([]byte(s))
	return s + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify checks a token's signature and decodes its claims; the lifetime is
// checked by the caller on the world's clock.
func verify(key []byte, tok string) (*Claims, bool) {
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || strings.Count(tok[:i], ".") != 1 {
		return nil, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		return nil, false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tok[:i]))
	if !hmac.Equal(sig, m.Sum(nil)) {
		return nil, false
	}
	j := strings.IndexByte(tok, '.')
	body, err := base64.RawURLEncoding.DecodeString(tok[j+1 : i])
	if err != nil {
		return nil, false
	}
	var c Claims
	if json.Unmarshal(body, &c) != nil {
		return nil, false
	}
	return &c, true
}

// IssueAppToken issues a client-credentials token for the app, valid from
// now on the world's clock; callers hold the world's lock.
func (id *Identity) IssueAppToken(a *App, now clock.Time) string {
	t := now.Wall().Unix()
	return id.sign(Claims{Aud: graphResource, Iss: "https://sts.windows.net/" + a.Tenant + "/", Iat: t, Nbf: t, Exp: t + int64(TokenLifetime/time.Second),
		AppID: a.AppID, Tid: a.Tenant, Roles: append([]string(nil), a.Roles...), Idtyp: "app", Ver: "1.0"})
}

// IssueUserToken issues a delegated token for the user through the app.
func (id *Identity) IssueUserToken(a *App, oid, upn string, scopes []string, now clock.Time) string {
	t := now.Wall().Unix()
	return id.sign(Claims{Aud: graphResource, Iss: "https://sts.windows.net/" + a.Tenant + "/", Iat: t, Nbf: t, Exp: t + int64(TokenLifetime/time.Second),
		AppID: a.AppID, Tid: a.Tenant, Oid: oid, UPN: upn, Scp: strings.Join(scopes, " "), Idtyp: "user", Ver: "1.0"})
}

// oauthError is the token endpoint's error body.
type oauthError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	ErrorCodes    []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri,omitempty"`
	SubError      string `json:"suberror,omitempty"`
	Claims        string `json:"claims,omitempty"`
}

func (h *Handler) oauthFail(w http.ResponseWriter, rc *reqCtx, status int, code string, aadsts int, desc string) int {
	body, _ := json.Marshal(oauthError{Error: code, Description: desc, ErrorCodes: []int{aadsts},
		Timestamp: rc.wall.Format("2006-01-02 15:04:05Z"), TraceID: rc.requestID, CorrelationID: rc.clientRequestID})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

// token serves POST /{tenant}/oauth2/v2.0/token for the client-credentials
// and password grants.
func (h *Handler) token(w http.ResponseWriter, r *http.Request, rc *reqCtx, tenantSeg string) int {
	if r.Method != http.MethodPost {
		return h.oauthFail(w, rc, http.StatusMethodNotAllowed, "invalid_request", 900561, "AADSTS900561: The endpoint only accepts POST requests.")
	}
	if err := r.ParseForm(); err != nil {
		return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
	}
	var status int
	_ = h.lw.Do(func(*sim.World) error {
		rc.now = h.w.Clock.Now()
		rc.wall = rc.now.Wall()
		status = h.grant(w, rc, r.PostForm, tenantSeg)
		return nil
	})
	return status
}

// grant answers a token request inside the live world's Do.
func (h *Handler) grant(w http.ResponseWriter, rc *reqCtx, f url.Values, tenantSeg string) int {
	t, ok := h.id.findTenant(tenantSeg)
	if !ok {
		return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_request", 90002, "AADSTS90002: Tenant '"+tenantSeg+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
	}
	clientID := f.Get("client_id")
	if clientID == "" {
		return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'client_id'.")
	}
	var app *App
	for _, a := range h.id.apps {
		if strings.EqualFold(a.AppID, clientID) && a.Tenant == t.ID {
			app = a
		}
	}
	if app == nil {
		return h.oauthFail(w, rc, http.StatusBadRequest, "unauthorized_client", 700016, "AADSTS700016: Application with identifier '"+clientID+"' was not found in the directory '"+t.Name+"'.")
	}
	rc.app = app.DisplayName
	scope := f.Get("scope")
	switch f.Get("grant_type") {
	case "client_credentials":
		if f.Get("client_secret") != app.Secret {
			return h.oauthFail(w, rc, http.StatusUnauthorized, "invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+app.AppID+"'.")
		}
		if !strings.HasSuffix(scope, "/.default") {
			return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_scope", 1002012, "AADSTS1002012: The provided value for scope "+scope+" is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
		}
		return writeToken(w, h.id.IssueAppToken(app, h.w.Clock.Now()))
	case "password":
		if s := f.Get("client_secret"); s != "" && s != app.Secret {
			return h.oauthFail(w, rc, http.StatusUnauthorized, "invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided.")
		}
		u, ok := h.id.userByUPN(t.ID, f.Get("username"))
		if !ok {
			return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_grant", 50034, "AADSTS50034: The user account "+f.Get("username")+" does not exist in the "+t.Name+" directory. To sign into this application, the account must be added to the directory.")
		}
		d := h.w.Teams.Dir(u)
		rc.user = d.Name
		acc := h.id.Account(u)
		if f.Get("password") != acc.Password {
			return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_grant", 50126, "AADSTS50126: Error validating credentials due to invalid username or password.")
		}
		if acc.MFA {
			return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_grant", 50076, "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '"+graphResourceAppID+"'.")
		}
		scopes, bad := grantedScopes(app, scope)
		if bad != "" {
			return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_grant", 65001, "AADSTS65001: The user or administrator has not consented to use the application with ID '"+app.AppID+"' named '"+app.DisplayName+"'. Send an interactive authorization request for this user and resource. Missing scope: "+bad)
		}
		return writeToken(w, h.id.IssueUserToken(app, d.ID, d.UPN, scopes, h.w.Clock.Now()))
	case "":
		return h.oauthFail(w, rc, http.StatusBadRequest, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
	default:
		return h.oauthFail(w, rc, http.StatusBadRequest, "unsupported_grant_type", 70003, "AADSTS70003: The app requested an unsupported grant type '"+f.Get("grant_type")+"'; presencesim supports client_credentials and password.")
	}
}

// grantedScopes resolves the requested scope string against the app's
// consented delegated permissions: ".default" gives all of them, named
// scopes must each be consented.
func grantedScopes(app *App, scope string) ([]string, string) {
	var out []string
	for _, s := range strings.Fields(scope) {
		switch {
		case s == "openid" || s == "profile" || s == "offline_access" || s == "email":
		case strings.HasSuffix(s, "/.default"):
			out = append(out, app.Scopes...)
		default:
			s = strings.TrimPrefix(s, graphResource+"/")
			ok := false
			for _, c := range app.Scopes {
				ok = ok || c == s
			}
			if !ok {
				return nil, s
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = append(out, app.Scopes...)
	}
	return out, ""
}

func writeToken(w http.ResponseWriter, tok string) int {
	body, _ := json.Marshal(map[string]any{"token_type": "Bearer", "expires_in": int(TokenLifetime / time.Second), "ext_expires_in": int(TokenLifetime / time.Second), "access_token": tok})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return http.StatusOK
}
