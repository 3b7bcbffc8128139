package entra

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// The interactive grants: a sign-in page at the authorize endpoint that
// ends in an authorization code (with PKCE), and the device code flow with
// its page where the user enters the code. A person, or a test posting
// the form, signs in with the account's password; the page stands for
// the second factor, so an account with MFA gets through here, as it does
// in a browser, and its refresh tokens carry mfa.

// DeviceCodeLifetime is how long a device code waits for its user.
const DeviceCodeLifetime = 15 * time.Minute

// deviceInterval is the polling interval the device code answer asks for.
const deviceInterval = 5

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>
<h1>{{.Title}}</h1>
{{if .App}}<p>to continue to {{.App}}</p>{{end}}
{{if .Error}}<p role="alert" id="error">{{.Error}}</p>{{end}}
{{if .Done}}<p id="done">{{.Done}}</p>{{else if .Action}}
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}{{if .OTC}}<label>Code <input name="otc" autocomplete="off"></label>
{{end}}<label>Email, phone, or Skype <input name="login" type="email" value="{{.Login}}"></label>
<label>Password <input name="passwd" type="password"></label>
<button type="submit">Sign in</button>
</form>{{end}}
</body></html>
`))

var postBack = template.Must(template.New("post").Parse(`<!DOCTYPE html>
<html><head><title>Working...</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form></body></html>
`))

type pageData struct {
	Title, App, Error, Done, Action, Login string
	Hidden                                 map[string]string
	OTC                                    bool
}

// answer is a sign-in request's outcome: a page or a redirect.
type answer struct {
	status   int
	page     *pageData
	location string            // a 302 redirect
	post     map[string]string // form_post: fields posted to location
}

func (a answer) write(w http.ResponseWriter, rc *reqCtx) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store, no-cache")
	hd.Set("x-ms-request-id", rc.traceID)
	switch {
	case a.post != nil:
		hd.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_ = postBack.Execute(w, struct {
			Action string
			Fields map[string]string
		}{a.location, a.post})
	case a.location != "":
		hd.Set("Location", a.location)
		w.WriteHeader(http.StatusFound)
	default:
		hd.Set("Content-Type", "text/html; charset=utf-8")
		hd.Set("X-Frame-Options", "DENY")
		w.WriteHeader(a.status)
		_ = page.Execute(w, a.page)
	}
}

func errorPage(e *oauthErr, rc *reqCtx) answer {
	return answer{status: e.status, page: &pageData{Title: "Sorry, but we're having trouble signing you in.",
		Error: "AADSTS" + strconv.Itoa(e.aadsts) + ": " + e.desc + " Trace ID: " + rc.traceID + " Correlation ID: " + rc.correlationID}}
}

// readForm reads a sign-in page's POST within the token endpoint's bound.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthErr) {
	if r.Method != http.MethodPost {
		return r.URL.Query(), nil
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fail(http.StatusRequestEntityTooLarge, "invalid_request", 9002313, "Invalid request. Request is malformed or invalid: the form is larger than the endpoint reads.")
		}
		return nil, fail(http.StatusBadRequest, "invalid_request", 9002313, "Invalid request. Request is malformed or invalid: the form does not parse.")
	}
	return r.PostForm, nil
}

// authParams are the authorize request's parameters the page carries.
var authParams = []string{"client_id", "response_type", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "nonce", "response_mode", "prompt", "login_hint"}

// authorize serves /{tenant}/oauth2/v2.0/authorize: GET shows the sign-in
// page, its POST signs the user in and redirects with a code.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, rc *reqCtx, seg string) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		errorPage(fail(http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts GET and POST requests."), rc).write(w, rc)
		return
	}
	v, e := h.readForm(w, r)
	if e != nil {
		errorPage(e, rc).write(w, rc)
		return
	}
	var a answer
	_ = h.lw.Do(func(wd *sim.World) error {
		rc.now = h.NowIn(wd)
		a = h.authorizeIn(wd, rc, h.base(r), seg, r.URL.Path, v, r.Method == http.MethodPost)
		return nil
	})
	a.write(w, rc)
}

func (h *Handler) authorizeIn(w *sim.World, rc *reqCtx, base, seg, path string, v url.Values, post bool) answer {
	dir := DirectoryOf(w)
	t, multi, e := h.resolve(w, seg)
	if e != nil {
		return errorPage(e, rc)
	}
	clientID := v.Get("client_id")
	app := dir.AppByID(clientID)
	switch {
	case app != nil && multi:
		return errorPage(fail(http.StatusBadRequest, "invalid_request", 50194, "Application '"+app.AppID+"'("+app.DisplayName+") is not configured as a multi-tenant application. Use a tenant-specific endpoint."), rc)
	case app == nil || app.Tenant != t.ID:
		return errorPage(fail(http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '"+truncate(clientID, 60)+"' was not found in the directory '"+t.Name+"'."), rc)
	}
	redirect := v.Get("redirect_uri")
	switch {
	case len(app.RedirectURIs) == 0:
		return errorPage(fail(http.StatusBadRequest, "invalid_request", 500113, "No reply address is registered for the application."), rc)
	case !redirectAllowed(app.RedirectURIs, redirect):
		return errorPage(fail(http.StatusBadRequest, "invalid_request", 50011, "The redirect URI '"+truncate(redirect, 200)+"' specified in the request does not match the redirect URIs configured for the application '"+app.AppID+"'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal."), rc)
	}
	// From here on the redirect URI is trusted with errors, as OAuth says.
	back := func(e *oauthErr) answer {
		return redirectBack(redirect, v, rc, map[string]string{"error": e.code, "error_description": describe(e, rc), "error_uri": "https://" + LoginHost + "/error?code=" + strconv.Itoa(e.aadsts)})
	}
	if rt := v.Get("response_type"); rt != "code" {
		return back(fail(http.StatusBadRequest, "unsupported_response_type", 700054, "response_type '"+truncate(rt, 40)+"' is not enabled for the application."))
	}
	method := v.Get("code_challenge_method")
	if v.Get("code_challenge") != "" && method != "" && method != "S256" && method != "plain" {
		return back(fail(http.StatusBadRequest, "invalid_request", 9002313, "Invalid request. The code_challenge_method must be S256 or plain."))
	}
	c := grantCtx{h: h, dir: dir, w: w, rc: rc, q: tokenReq{base: base, seg: seg}, t: t, app: app, now: rc.now}
	sg, e := c.delegatedScopes(v.Get("scope"))
	if e != nil {
		if e.aadsts == 65001 {
			e.code = "consent_required"
		}
		return back(e)
	}
	if v.Get("prompt") == "none" {
		return back(fail(http.StatusBadRequest, "login_required", 50058, "A silent sign-in request was sent but no user is signed in."))
	}
	pd := &pageData{Title: "Sign in", App: app.DisplayName, Action: path, Login: v.Get("login_hint"), Hidden: map[string]string{}}
	for _, k := range authParams {
		if x := v.Get(k); x != "" {
			pd.Hidden[k] = x
		}
	}
	if !post {
		return answer{status: http.StatusOK, page: pd}
	}
	pd.Login = v.Get("login")
	u, e := c.checkPassword(v.Get("login"), v.Get("passwd"))
	if e == nil {
		e = c.member(u)
	}
	if e != nil {
		pd.Error = describe(e, rc)
		return answer{status: http.StatusOK, page: pd}
	}
	d := w.Teams.Dir(u)
	var oidc []string
	for k := range sg.oidc {
		oidc = append(oidc, k)
	}
	slices.Sort(oidc)
	code := h.keys.seal(&sealedGrant{Kind: "code", ID: uti(), App: app.AppID, Tid: t.ID, Oid: d.ID, World: h.instance, Iat: rc.now.Unix(),
		Exp: rc.now.Add(CodeLifetime).Unix(), Pwd: h.keys.fingerprint(dir.Account(u).Password), Amr: c.interactiveAmr(u),
		Scopes: sg.graph, OIDC: oidc, Redirect: redirect, Challenge: v.Get("code_challenge"), Method: method, Nonce: v.Get("nonce")})
	return redirectBack(redirect, v, rc, map[string]string{"code": code})
}

// redirectBack answers the client at its redirect URI, in the response
// mode it asked for, with the request's state.
func redirectBack(redirect string, v url.Values, rc *reqCtx, fields map[string]string) answer {
	if s := v.Get("state"); s != "" {
		fields["state"] = s
	}
	u, err := url.Parse(redirect)
	if err != nil {
		return errorPage(fail(http.StatusBadRequest, "invalid_request", 50011, "The redirect URI does not parse."), rc)
	}
	switch v.Get("response_mode") {
	case "form_post":
		return answer{location: redirect, post: fields}
	case "fragment":
		f := url.Values{}
		for k, x := range fields {
			f.Set(k, x)
		}
		u.Fragment, u.RawFragment = "", ""
		return answer{location: u.String() + "#" + f.Encode()}
	}
	q := u.Query()
	for k, x := range fields {
		q.Set(k, x)
	}
	u.RawQuery = q.Encode()
	return answer{location: u.String()}
}

// redirectAllowed matches a redirect URI against the registered ones:
// exactly, or for a loopback address on any port, as Entra ID allows
// native apps.
func redirectAllowed(registered []string, uri string) bool {
	if uri == "" {
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || u.Fragment != "" {
		return false
	}
	for _, r := range registered {
		if r == uri {
			return true
		}
		ru, err := url.Parse(r)
		if err != nil || ru.Scheme != "http" || u.Scheme != "http" || !loopback(ru.Hostname()) || !strings.EqualFold(ru.Hostname(), u.Hostname()) {
			continue
		}
		if strings.TrimSuffix(ru.Path, "/") == strings.TrimSuffix(u.Path, "/") {
			return true
		}
	}
	return false
}

func loopback(host string) bool { return host == "localhost" || host == "127.0.0.1" || host == "::1" }

// checkPassword finds a user by UPN and checks the password.
func (c *grantCtx) checkPassword(upn, password string) (teams.UserID, *oauthErr) {
	u, ok := c.dir.UserByUPN(upn)
	if !ok {
		return 0, fail(http.StatusBadRequest, "invalid_grant", 50034, "The user account "+truncate(upn, 120)+" does not exist in the "+c.t.Name+" directory. To sign into this application, the account must be added to the directory.")
	}
	c.user = c.w.Teams.Dir(u).Name
	if subtle.ConstantTimeCompare([]byte(password), []byte(c.dir.Account(u).Password)) != 1 {
		return 0, fail(http.StatusBadRequest, "invalid_grant", 50126, "Error validating credentials due to invalid username or password.")
	}
	return u, nil
}

// interactiveAmr is how an interactive sign-in authenticated the user:
// the password, and the second factor when the account requires one.
func (c *grantCtx) interactiveAmr(u teams.UserID) []string {
	if c.dir.Account(u).MFA {
		return []string{"pwd", "mfa"}
	}
	return []string{"pwd"}
}

// authCode is the authorization_code grant: the code is bound to the app,
// tenant, redirect URI and world instance, good once, and checked against
// its PKCE challenge.
func (c *grantCtx) authCode() outcome {
	acr, e := c.clientAuth(false)
	if e != nil {
		return refuse(e)
	}
	f := c.q.f
	raw := f.get("code")
	if raw == "" {
		return refuse(fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'code'."))
	}
	g, ok := c.h.keys.unseal(raw)
	if !ok || g.Kind != "code" {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid: the code is not one the identity platform issued."))
	}
	if e := c.boundGrant(g); e != nil {
		return refuse(e)
	}
	if f.get("redirect_uri") != g.Redirect {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 70000, "Provided grant is invalid or malformed: the redirect_uri differs from the one the code was issued for."))
	}
	if g.Challenge != "" && !pkceMatches(g.Challenge, g.Method, f.get("code_verifier")) {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."))
	}
	u, ok := c.dir.UserByID(g.Oid)
	if !ok {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user account no longer exists."))
	}
	c.user = c.w.Teams.Dir(u).Name
	if e := c.member(u); e != nil {
		return refuse(e)
	}
	if !c.h.codes.redeem(g.ID, g.Exp, c.now) {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."))
	}
	sg, e := c.redeemScopes(g.Scopes, g.OIDC)
	if e != nil {
		return refuse(e)
	}
	return c.userTokens(u, sg, acr, g.Nonce, g.Amr)
}

// redeemScopes are the scopes of a request that redeems an earlier sign-in
// (a code, a device code): the request's own scope when it names one, as
// the libraries send it again, else what the sign-in granted.
func (c *grantCtx) redeemScopes(scopes, oidc []string) (scopeGrant, *oauthErr) {
	sg := scopeGrant{graph: scopes, oidc: map[string]bool{}}
	if sc := c.q.f.get("scope"); sc != "" {
		var e *oauthErr
		if sg, e = c.delegatedScopes(sc); e != nil {
			return sg, e
		}
	} else {
		for _, p := range scopes {
			sg.say(GraphResource + "/" + p)
		}
	}
	for _, o := range oidc {
		sg.oidc[o] = true
	}
	return sg, nil
}

// boundGrant checks a code's or device code's binding to this world, app
// and tenant, and its expiry.
func (c *grantCtx) boundGrant(g *sealedGrant) *oauthErr {
	switch {
	case g.World != c.h.instance:
		return fail(http.StatusBadRequest, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource. (It was issued before the world was reset.)")
	case g.Tid != c.t.ID:
		return fail(http.StatusBadRequest, "invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant, thus rejected.")
	case !strings.EqualFold(g.App, c.app.AppID):
		return fail(http.StatusBadRequest, "invalid_grant", 70000, "Provided grant is invalid or malformed: it was issued to another client.")
	case c.now.Unix() >= g.Exp:
		return fail(http.StatusBadRequest, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	}
	return nil
}

// pkceMatches checks a code verifier against its challenge (RFC 7636).
func pkceMatches(challenge, method, verifier string) bool {
	if verifier == "" {
		return false
	}
	if method == "plain" {
		return subtle.ConstantTimeCompare([]byte(challenge), []byte(verifier)) == 1
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(challenge), []byte(b64(sum[:]))) == 1
}

// pendingDevice is a device code waiting for its user.
type pendingDevice struct {
	app, tid string
	scopes   []string
	oidc     []string
	exp      time.Time
	oid      string // the user who signed in, once one did
	amr      []string
}

// devices are the device codes waiting: the flow needs state the world
// does not hold, and each lives 15 minutes at most.
type devices struct {
	mu sync.Mutex
	m  map[string]*pendingDevice // by user code
}

const maxPendingDevices = 10_000

func (d *devices) add(code string, p *pendingDevice, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]*pendingDevice{}
	}
	if len(d.m) >= maxPendingDevices {
		for k, x := range d.m {
			if !now.Before(x.exp) {
				delete(d.m, k)
			}
		}
		if len(d.m) >= maxPendingDevices {
			return false
		}
	}
	d.m[code] = p
	return true
}

func (d *devices) get(code string) *pendingDevice {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.m[code]
	if p == nil {
		return nil
	}
	cp := *p
	return &cp
}

func (d *devices) approve(code, oid string, amr []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.m[code]; p != nil {
		p.oid, p.amr = oid, amr
	}
}

func (d *devices) remove(code string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.m, code)
}

// userCodeAlphabet leaves out letters a person misreads.
const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newUserCode() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b[:])
}

// deviceCode serves POST /{tenant}/oauth2/v2.0/devicecode.
func (h *Handler) deviceCode(w http.ResponseWriter, r *http.Request, rc *reqCtx, seg string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		fail(http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests.").write(w, rc)
		return
	}
	v, e := h.readForm(w, r)
	if e != nil {
		e.write(w, rc)
		return
	}
	base := h.base(r)
	var rp reply
	_ = h.lw.Do(func(wd *sim.World) error {
		rc.now = h.NowIn(wd)
		rp = h.deviceCodeIn(wd, rc, base, seg, v)
		return nil
	})
	rp.write(w, rc)
}

func (h *Handler) deviceCodeIn(w *sim.World, rc *reqCtx, base, seg string, v url.Values) reply {
	dir := DirectoryOf(w)
	t, multi, e := h.resolve(w, seg)
	if e != nil {
		return e.reply(rc)
	}
	clientID := v.Get("client_id")
	if clientID == "" {
		return fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.").reply(rc)
	}
	app := dir.AppByID(clientID)
	switch {
	case app != nil && multi:
		return fail(http.StatusBadRequest, "invalid_request", 50194, "Application '"+app.AppID+"'("+app.DisplayName+") is not configured as a multi-tenant application. Use a tenant-specific endpoint.").reply(rc)
	case app == nil || app.Tenant != t.ID:
		return fail(http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '"+truncate(clientID, 60)+"' was not found in the directory '"+t.Name+"'.").reply(rc)
	}
	c := grantCtx{h: h, dir: dir, w: w, rc: rc, q: tokenReq{base: base, seg: seg}, t: t, app: app, now: rc.now}
	sg, e := c.delegatedScopes(v.Get("scope"))
	if e != nil {
		return e.reply(rc)
	}
	var oidc []string
	for k := range sg.oidc {
		oidc = append(oidc, k)
	}
	slices.Sort(oidc)
	code := newUserCode()
	exp := rc.now.Add(DeviceCodeLifetime)
	if !h.devices.add(code, &pendingDevice{app: app.AppID, tid: t.ID, scopes: sg.graph, oidc: oidc, exp: exp}, rc.now) {
		return fail(http.StatusServiceUnavailable, "temporarily_unavailable", 90033, "A transient error has occurred: too many device codes are waiting. Please try again.").reply(rc)
	}
	dc := h.keys.seal(&sealedGrant{Kind: "device", ID: code, App: app.AppID, Tid: t.ID, World: h.instance, Iat: rc.now.Unix(), Exp: exp.Unix()})
	uri := base + "/common/oauth2/deviceauth"
	return jsonReply(http.StatusOK, struct {
		UserCode        string `json:"user_code"`
		DeviceCode      string `json:"device_code"`
		VerificationURI string `json:"verification_uri"`
		// MSAL Go reads verification_url, the v1 name.
		VerificationURL string `json:"verification_url"`
		ExpiresIn       int    `json:"expires_in"`
		Interval        int    `json:"interval"`
		Message         string `json:"message"`
	}{code, dc, uri, uri, int(DeviceCodeLifetime / time.Second), deviceInterval,
		"To sign in, use a web browser to open the page " + uri + " and enter the code " + code + " to authenticate."})
}

// deviceCodeGrant is the device_code grant: pending until the user signs
// in on the device page, then good once.
func (c *grantCtx) deviceCodeGrant() outcome {
	raw := c.q.f.get("device_code")
	if raw == "" {
		return refuse(fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'device_code'."))
	}
	g, ok := c.h.keys.unseal(raw)
	if !ok || g.Kind != "device" {
		return refuse(fail(http.StatusBadRequest, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid: the device code is not one the identity platform issued."))
	}
	expired := fail(http.StatusBadRequest, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
	if g.World == c.h.instance && c.now.Unix() >= g.Exp {
		return refuse(expired)
	}
	if e := c.boundGrant(g); e != nil {
		return refuse(e)
	}
	p := c.h.devices.get(g.ID)
	if p == nil {
		return refuse(expired)
	}
	if p.oid == "" {
		return refuse(fail(http.StatusBadRequest, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is still pending. Continue polling."))
	}
	u, ok := c.dir.UserByID(p.oid)
	if !ok {
		return refuse(expired)
	}
	c.user = c.w.Teams.Dir(u).Name
	if e := c.member(u); e != nil {
		return refuse(e)
	}
	sg, e := c.redeemScopes(p.scopes, p.oidc)
	if e != nil {
		return refuse(e)
	}
	c.h.devices.remove(g.ID)
	return c.userTokens(u, sg, "0", "", p.amr)
}

// deviceAuth serves the page where the user enters a device's code and
// signs in (/common/oauth2/deviceauth, the fake's microsoft.com/devicelogin).
func (h *Handler) deviceAuth(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		errorPage(fail(http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts GET and POST requests."), rc).write(w, rc)
		return
	}
	pd := &pageData{Title: "Enter code", Action: r.URL.Path, OTC: true}
	if r.Method == http.MethodGet {
		answer{status: http.StatusOK, page: pd}.write(w, rc)
		return
	}
	v, e := h.readForm(w, r)
	if e != nil {
		errorPage(e, rc).write(w, rc)
		return
	}
	code := strings.ToUpper(strings.TrimSpace(v.Get("otc")))
	pd.Login = v.Get("login")
	_ = h.lw.Do(func(wd *sim.World) error {
		rc.now = h.NowIn(wd)
		p := h.devices.get(code)
		if p == nil || !rc.now.Before(p.exp) || p.oid != "" {
			pd.Error = "That code didn't work. Check the code and try again."
			return nil
		}
		dir := DirectoryOf(wd)
		app := dir.AppByID(p.app)
		t, ok := dir.TenantByID(p.tid)
		if app == nil || !ok {
			pd.Error = "That code didn't work. Check the code and try again."
			return nil
		}
		pd.App = app.DisplayName
		c := grantCtx{h: h, dir: dir, w: wd, rc: rc, t: t, app: app, now: rc.now}
		u, e := c.checkPassword(v.Get("login"), v.Get("passwd"))
		if e == nil {
			e = c.member(u)
		}
		if e != nil {
			pd.Error = describe(e, rc)
			return nil
		}
		h.devices.approve(code, wd.Teams.Dir(u).ID, c.interactiveAmr(u))
		pd.Done = "You have signed in to " + app.DisplayName + " on your device. You may now close this window."
		return nil
	})
	answer{status: http.StatusOK, page: pd}.write(w, rc)
}
