package entra

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
)

// Grant is what a token request came to, for a caller that journals it.
type Grant struct {
	Status int
	App    string     // the app's display name, when the client id named one
	User   string     // the user's name, for delegated grants
	At     clock.Time // the world's time when the request was served
}

// Assertion types and grant types of the token endpoint.
const (
	JWTBearer      = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	DeviceCodeType = "urn:ietf:params:oauth:grant-type:device_code"
)

// oidcScopes are the OpenID Connect scopes Entra ID never refuses.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// ServeToken serves POST /{tenant}/oauth2/v2.0/token (G-ID-2): the
// client_credentials grant with a secret or a certificate's assertion,
// password (ROPC), refresh_token, authorization_code and device_code.
func (h *Handler) ServeToken(w http.ResponseWriter, r *http.Request, tenant string) Grant {
	rc := h.newReq(r)
	var g Grant
	rp := h.token(w, r, rc, tenant, &g)
	rp.write(w, rc)
	g.Status = rp.status
	return g
}

// form is a token request's parameters, each given at most once.
type form url.Values

func (f form) get(k string) string {
	if v := f[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// tokenReq is a token request as the world sees it.
type tokenReq struct {
	f    form
	base string // scheme://host the request reached
	seg  string // the tenant segment of its path
}

func (h *Handler) token(w http.ResponseWriter, r *http.Request, rc *reqCtx, seg string, g *Grant) reply {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return fail(http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a "+truncate(r.Method, 20)+" request.").reply(rc)
	}
	if r.Body != nil {
		// ParseForm alone would buffer up to 10 MB.
		r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(http.StatusRequestEntityTooLarge, "invalid_request", 9002313, "Invalid request. Request is malformed or invalid: the form is larger than the token endpoint reads.").reply(rc)
		}
		return fail(http.StatusBadRequest, "invalid_request", 9002313, "Invalid request. Request is malformed or invalid: the form does not parse.").reply(rc)
	}
	f := form(r.PostForm)
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(f[k]) > 1 {
			return fail(http.StatusBadRequest, "invalid_request", 9000411, "The request is not properly formatted. The parameter '"+truncate(k, 60)+"' is duplicated.").reply(rc)
		}
	}
	if id, secret, ok := r.BasicAuth(); ok {
		// client_secret_basic: RFC 6749 §2.3.1 form-encodes both parts.
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		if u, err := url.QueryUnescape(secret); err == nil {
			secret = u
		}
		if c := f.get("client_id"); c != "" && !strings.EqualFold(c, id) {
			return fail(http.StatusBadRequest, "invalid_request", 9002313, "Invalid request. The client_id of the Authorization header differs from the form's.").reply(rc)
		}
		if f.get("client_secret") != "" {
			return fail(http.StatusBadRequest, "invalid_request", 9002313, "Invalid request. The client secret is given both in the Authorization header and in the form.").reply(rc)
		}
		f["client_id"], f["client_secret"] = []string{id}, []string{secret}
	}
	req := tokenReq{f: f, base: h.base(r), seg: seg}
	var out outcome
	_ = h.lw.Do(func(w *sim.World) error {
		rc.now = h.NowIn(w)
		g.At = w.Clock.Now()
		out = h.grant(w, rc, req)
		return nil
	})
	g.App, g.User = out.app, out.user
	if out.err != nil {
		return out.err.reply(rc)
	}
	return h.issue(out)
}

// outcome is a granted request's tokens, signed after the world's lock is
// released, or its refusal.
type outcome struct {
	err        *oauthErr
	app, user  string
	at         *Claims
	id         *idClaims
	rt         *sealedGrant
	clientInfo string
	scope      string
	expiresIn  int
}

// idClaims are an ID token's claims (v2.0).
type idClaims struct {
	Aud               string `json:"aud"`
	Iss               string `json:"iss"`
	Iat               int64  `json:"iat"`
	Nbf               int64  `json:"nbf"`
	Exp               int64  `json:"exp"`
	Email             string `json:"email,omitempty"`
	Name              string `json:"name"`
	Nonce             string `json:"nonce,omitempty"`
	Oid               string `json:"oid"`
	PreferredUsername string `json:"preferred_username"`
	Sub               string `json:"sub"`
	Tid               string `json:"tid"`
	Uti               string `json:"uti"`
	Ver               string `json:"ver"`
}

// tokenResponse is the token endpoint's answer, field for field.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	ClientInfo   string `json:"client_info,omitempty"`
}

func (h *Handler) issue(out outcome) reply {
	res := tokenResponse{TokenType: "Bearer", Scope: out.scope, ExpiresIn: out.expiresIn, ExtExpiresIn: out.expiresIn, ClientInfo: out.clientInfo}
	out.at.Uti = uti()
	res.AccessToken = h.keys.sign(out.at)
	if out.id != nil {
		out.id.Uti = uti()
		res.IDToken = h.keys.sign(out.id)
	}
	if out.rt != nil {
		res.RefreshToken = h.keys.seal(out.rt)
	}
	return jsonReply(http.StatusOK, res)
}

func uti() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return b64(b[:])
}

// grant answers a token request inside the live world's Do.
func (h *Handler) grant(w *sim.World, rc *reqCtx, q tokenReq) outcome {
	dir := DirectoryOf(w)
	f := q.f
	gt := f.get("grant_type")
	switch gt {
	case "":
		return refuse(fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."))
	case "client_credentials", "password", "refresh_token", "authorization_code", "device_code", DeviceCodeType:
	default:
		return refuse(fail(http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"+truncate(gt, 60)+"'; the token endpoint supports client_credentials, password, refresh_token, authorization_code and device_code."))
	}
	t, multi, e := h.resolve(w, q.seg)
	if e != nil {
		return refuse(e)
	}
	clientID := f.get("client_id")
	if clientID == "" && f.get("client_assertion") != "" {
		clientID = assertionIssuer(f.get("client_assertion")) // RFC 7523 §3: iss is the client
	}
	if clientID == "" {
		return refuse(fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."))
	}
	app := dir.AppByID(clientID)
	switch {
	case app != nil && multi:
		return outcome{app: app.DisplayName, err: fail(http.StatusBadRequest, "invalid_request", 50194, "Application '"+app.AppID+"'("+app.DisplayName+") is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.")}
	case app == nil || app.Tenant != t.ID:
		dirName := t.Name
		if multi {
			dirName = q.seg
		}
		return refuse(fail(http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '"+truncate(clientID, 60)+"' was not found in the directory '"+truncate(dirName, 60)+"'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."))
	}
	c := grantCtx{h: h, dir: dir, w: w, rc: rc, q: q, t: t, app: app, now: rc.now}
	var out outcome
	switch gt {
	case "client_credentials":
		out = c.clientCredentials()
	case "password":
		out = c.password()
	case "refresh_token":
		out = c.refresh()
	case "authorization_code":
		out = c.authCode()
	default:
		out = c.deviceCodeGrant()
	}
	out.app = app.DisplayName
	if c.user != "" {
		out.user = c.user
	}
	return out
}

func refuse(e *oauthErr) outcome { return outcome{err: e} }

// grantCtx is one token request for a known app of a known tenant.
type grantCtx struct {
	h    *Handler
	dir  *Directory
	w    *sim.World
	rc   *reqCtx
	q    tokenReq
	t    Tenant
	app  *App
	now  time.Time
	user string
}

// clientAuth authenticates the client: a certificate's assertion, a
// secret, or, for the public-client flows (required false), nothing. It
// answers the token's appidacr.
func (c *grantCtx) clientAuth(required bool) (string, *oauthErr) {
	f := c.q.f
	switch {
	case f.get("client_assertion") != "" || f.get("client_assertion_type") != "":
		if err := c.checkAssertion(); err != nil {
			return "", err
		}
		return "2", nil
	case f.get("client_secret") != "":
		if subtle.ConstantTimeCompare([]byte(f.get("client_secret")), []byte(c.app.Secret)) != 1 {
			return "", fail(http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+c.app.AppID+"'.")
		}
		return "1", nil
	case required:
		return "", fail(http.StatusUnauthorized, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
	}
	return "0", nil
}

// clientCredentials is the client_credentials grant: exactly one resource's
// .default, the OpenID scopes MSAL adds ignored (G-ID-2).
func (c *grantCtx) clientCredentials() outcome {
	acr, e := c.clientAuth(true)
	if e != nil {
		return refuse(e)
	}
	scope, e := c.appScope(c.q.f.get("scope"))
	if e != nil {
		return refuse(e)
	}
	at := c.h.appClaims(c.app, c.now)
	at.AppIDAcr = acr
	return outcome{at: at, scope: scope, expiresIn: c.h.lifetime()}
}

func (c *grantCtx) appScope(scope string) (string, *oauthErr) {
	var res []string
	for _, s := range strings.Fields(scope) {
		if !oidcScopes[strings.ToLower(s)] {
			res = append(res, s)
		}
	}
	if len(res) == 0 {
		return "", fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.")
	}
	if len(res) > 1 {
		return "", fail(http.StatusBadRequest, "invalid_scope", 70011, "The provided value for the input parameter 'scope' isn't valid. The scope "+truncate(strings.Join(res, " "), 200)+" isn't valid. Client credential flows take a single resource with /.default.")
	}
	r, p := splitScope(res[0])
	if p != ".default" {
		return "", fail(http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope "+truncate(res[0], 200)+" is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
	}
	if !isGraph(r) {
		return "", c.unknownResource(r)
	}
	return res[0], nil
}

func (c *grantCtx) unknownResource(r string) *oauthErr {
	return fail(http.StatusBadRequest, "invalid_resource", 500011, "The resource principal named "+truncate(r, 120)+" was not found in the tenant named "+c.t.Name+". This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.")
}

// splitScope splits "https://graph.microsoft.com/Presence.Read" into its
// resource and permission; a bare scope names Graph, Entra ID's default
// resource.
func splitScope(s string) (resource, perm string) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return GraphResource, s
	}
	return s[:i], s[i+1:]
}

func isGraph(r string) bool {
	r = strings.TrimRight(strings.ToLower(r), "/")
	return r == GraphResource || r == GraphAppID
}

// scopeGrant is what delegated scopes came to.
type scopeGrant struct {
	graph []string        // Graph permissions granted, canonical short names
	oidc  map[string]bool // OpenID scopes requested
	// echo is the response's resource scopes: each granted one as the
	// request spelled it, a .default also expanded. The libraries take a
	// requested scope missing from the answer for declined (MSAL Go fails).
	echo []string
}

func (s *scopeGrant) say(x string) {
	for _, e := range s.echo {
		if strings.EqualFold(e, x) {
			return
		}
	}
	s.echo = append(s.echo, x)
}

// scope is the response's scope: the resource scopes and the OpenID
// scopes but offline_access, as Entra ID answers them.
func (s scopeGrant) scope() string {
	out := append([]string(nil), s.echo...)
	for _, o := range []string{"profile", "openid", "email"} {
		if s.oidc[o] {
			out = append(out, o)
		}
	}
	return strings.Join(out, " ")
}

// delegatedScopes resolves the requested scopes against the app's
// consented delegated permissions: .default gives all of them, named
// scopes must each be consented; no resource scope at all gives all.
func (c *grantCtx) delegatedScopes(scope string) (scopeGrant, *oauthErr) {
	g := scopeGrant{oidc: map[string]bool{}}
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			g.graph = append(g.graph, p)
		}
	}
	named := false
	for _, s := range strings.Fields(scope) {
		if l := strings.ToLower(s); oidcScopes[l] {
			g.oidc[l] = true
			continue
		}
		named = true
		r, p := splitScope(s)
		if !isGraph(r) {
			return g, c.unknownResource(r)
		}
		if p == ".default" {
			for _, a := range c.app.Scopes {
				add(a)
				g.say(GraphResource + "/" + a)
			}
			g.say(s)
			continue
		}
		canon, ok := canonicalPermission(p)
		if !ok {
			return g, fail(http.StatusBadRequest, "invalid_scope", 70011, "The provided value for the input parameter 'scope' isn't valid. The scope "+truncate(s, 120)+" isn't valid.")
		}
		consented := false
		for _, a := range c.app.Scopes {
			consented = consented || a == canon
		}
		if !consented {
			return g, fail(http.StatusBadRequest, "invalid_grant", 65001, "The user or administrator has not consented to use the application with ID '"+c.app.AppID+"' named '"+c.app.DisplayName+"'. Send an interactive authorization request for this user and resource. Missing scope: "+canon)
		}
		add(canon)
		g.say(s)
	}
	if !named {
		for _, a := range c.app.Scopes {
			add(a)
			g.say(GraphResource + "/" + a)
		}
	}
	return g, nil
}

// password is the resource owner password credentials grant (ROPC).
func (c *grantCtx) password() outcome {
	acr, e := c.clientAuth(false)
	if e != nil {
		return refuse(e)
	}
	f := c.q.f
	upn := f.get("username")
	if upn == "" {
		return refuse(fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'username'."))
	}
	u, e := c.checkPassword(upn, f.get("password"))
	if e != nil {
		return refuse(e)
	}
	amr := []string{"pwd"}
	if e := c.member(u); e != nil {
		return refuse(e)
	}
	if e := c.mfa(u, amr); e != nil {
		return refuse(e)
	}
	sg, e := c.delegatedScopes(f.get("scope"))
	if e != nil {
		return refuse(e)
	}
	return c.userTokens(u, sg, acr, "", amr)
}

// member checks that the user belongs to the tenant, as a member or an
// invited guest; a guest whose invitation is gone is from another tenant.
func (c *grantCtx) member(u teams.UserID) *oauthErr {
	d := c.w.Teams.Dir(u)
	if home := c.dir.TenantOf(u); home.ID != c.t.ID {
		return fail(http.StatusBadRequest, "invalid_grant", 50020, "User account '"+d.UPN+"' from identity provider '"+stsIssuer(home.ID)+"' does not exist in tenant '"+c.t.Name+"' and cannot access the application '"+c.app.AppID+"'("+c.app.DisplayName+") in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Microsoft Entra user account.")
	}
	return nil
}

// mfa refuses a grant that did not do the second factor the account
// requires: ROPC never can, a refresh token can only carry it.
func (c *grantCtx) mfa(u teams.UserID, amr []string) *oauthErr {
	if c.dir.Account(u).MFA && !slices.Contains(amr, "mfa") {
		e := fail(http.StatusBadRequest, "invalid_grant", 50076, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '"+GraphAppID+"'.")
		e.suberror = "basic_action"
		return e
	}
	return nil
}

// userTokens issues a delegated grant's tokens: the access token, an ID
// token for openid, a refresh token for offline_access and client_info
// when asked for.
func (c *grantCtx) userTokens(u teams.UserID, sg scopeGrant, acr, nonce string, amr []string) outcome {
	d := c.w.Teams.Dir(u)
	at := c.h.userClaims(c.app, d, sg.graph, c.now)
	at.AppIDAcr = acr
	out := outcome{at: at, scope: sg.scope(), expiresIn: c.h.lifetime()}
	if sg.oidc["openid"] {
		t := c.now.Unix()
		id := &idClaims{Aud: c.app.AppID, Iss: c.q.base + "/" + c.t.ID + "/v2.0", Iat: t, Nbf: t, Exp: t + int64(c.h.lifetime()),
			Name: d.DisplayName, Nonce: nonce, Oid: d.ID, PreferredUsername: d.UPN, Sub: pairwise(c.app.AppID, d.ID), Tid: c.t.ID, Ver: "2.0"}
		if sg.oidc["email"] && !d.Guest {
			id.Email = d.UPN
		}
		out.id = id
	}
	if sg.oidc["offline_access"] {
		out.rt = &sealedGrant{Kind: "rt", App: c.app.AppID, Tid: c.t.ID, Oid: d.ID, World: c.h.instance, Iat: c.now.Unix(),
			Exp: c.now.Add(RefreshLifetime).Unix(), Pwd: c.h.keys.fingerprint(c.dir.Account(u).Password), Amr: amr}
	}
	if c.q.f.get("client_info") == "1" {
		ci, _ := json.Marshal(struct {
			UID  string `json:"uid"`
			UTID string `json:"utid"`
		}{d.ID, c.t.ID})
		out.clientInfo = b64(ci)
	}
	return out
}

// refresh is the refresh_token grant: the token is bound to the app, the
// user, the tenant and the world instance, and dies with a password change.
func (c *grantCtx) refresh() outcome {
	acr, e := c.clientAuth(false)
	if e != nil {
		return refuse(e)
	}
	raw := c.q.f.get("refresh_token")
	if raw == "" {
		return refuse(fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'refresh_token'."))
	}
	g, ok := c.h.keys.unseal(raw)
	if !ok || g.Kind != "rt" {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid: the refresh token is not one the identity platform issued."))
	}
	if g.World != c.h.instance {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource. (It was issued before the world was reset.)"))
	}
	if !strings.EqualFold(g.App, c.app.AppID) || g.Tid != c.t.ID {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 70000, "Provided grant is invalid or malformed: the refresh token was issued to another client or tenant."))
	}
	if c.now.Unix() >= g.Exp {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on "+time.Unix(g.Iat, 0).UTC().Format(time.RFC3339)+" and was inactive for 90.00:00:00."))
	}
	u, ok := c.dir.UserByID(g.Oid)
	if !ok {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user account no longer exists."))
	}
	c.user = c.w.Teams.Dir(u).Name
	if c.h.keys.fingerprint(c.dir.Account(u).Password) != g.Pwd {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."))
	}
	if e := c.member(u); e != nil {
		return refuse(e)
	}
	if e := c.mfa(u, g.Amr); e != nil {
		return refuse(e)
	}
	sg, e := c.delegatedScopes(c.q.f.get("scope"))
	if e != nil {
		return refuse(e)
	}
	sg.oidc["offline_access"] = true // a refresh token rolls over
	return c.userTokens(u, sg, acr, "", g.Amr)
}

func (h *Handler) lifetime() int { return int(h.opt.Lifetime / time.Second) }

// pairwise is the sub claim: the user's id as this app sees it.
func pairwise(appID, oid string) string {
	s := sha256.Sum256([]byte(strings.ToLower(appID) + "|" + strings.ToLower(oid)))
	return b64(s[:])[:43]
}

// appClaims are an application token's claims (G-ID-2).
func (h *Handler) appClaims(a *App, at time.Time) *Claims {
	t := at.Unix()
	return &Claims{Aud: GraphResource, Iss: stsIssuer(a.Tenant), Iat: t, Nbf: t, Exp: t + int64(h.opt.Lifetime/time.Second),
		AppDisplayName: a.DisplayName, AppID: a.AppID, AppIDAcr: "1", Idp: stsIssuer(a.Tenant), Idtyp: "app", Oid: a.ServicePrincipalID,
		Roles: append([]string(nil), a.Roles...), Sub: a.ServicePrincipalID, Tid: a.Tenant, Ver: "1.0", World: h.instance}
}

// userClaims are a delegated token's claims (G-ID-2).
func (h *Handler) userClaims(a *App, u teams.Directory, scopes []string, at time.Time) *Claims {
	t := at.Unix()
	return &Claims{Aud: GraphResource, Iss: stsIssuer(a.Tenant), Iat: t, Nbf: t, Exp: t + int64(h.opt.Lifetime/time.Second),
		AppDisplayName: a.DisplayName, AppID: a.AppID, AppIDAcr: "0", Idtyp: "user", Name: u.DisplayName, Oid: u.ID,
		Scp: strings.Join(scopes, " "), Sub: pairwise(a.AppID, u.ID), Tid: a.Tenant, UniqueName: u.UPN, UPN: u.UPN, Ver: "1.0", World: h.instance}
}

// IssueAppToken issues an application token for the app as the
// client_credentials grant would, valid from at: for tests that need a
// token of a given age. Call it where no request changes the app.
func (h *Handler) IssueAppToken(a *App, at time.Time) string {
	c := h.appClaims(a, at)
	c.Uti = uti()
	return h.keys.sign(c)
}

// IssueUserToken issues a delegated token for the user through the app,
// valid from at.
func (h *Handler) IssueUserToken(a *App, u teams.Directory, scopes []string, at time.Time) string {
	c := h.userClaims(a, u, scopes, at)
	c.Uti = uti()
	return h.keys.sign(c)
}
