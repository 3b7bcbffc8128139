package entra

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/guid"
)

// LoginHost is the identity platform's host in Microsoft's public cloud.
const LoginHost = "login.microsoftonline.com"

// TokenLifetime is how long an access token is valid (expires_in 3599).
const TokenLifetime = 3599 * time.Second

// Refresh tokens and authorization codes live this long unused.
const (
	RefreshLifetime = 90 * 24 * time.Hour
	CodeLifetime    = 10 * time.Minute
)

// DefaultMaxBody bounds a token request's form.
const DefaultMaxBody = 64 << 10

// Options configure a handler. The zero value is Entra ID's behaviour with
// the process's key set and token times on the machine's clock.
type Options struct {
	// Scheme of the URLs the documents name ("https"): the identity
	// platform is served over HTTPS only (G-TLS-1), and the libraries
	// refuse an authority of any other scheme.
	Scheme string
	// Now is the wall clock token times follow (time.Now when nil); the
	// libraries compare them with the machine's clock (G-ID-2). It must not
	// reach into the world.
	Now func() time.Time
	// WorldTime puts token times on the world's clock instead (its virtual
	// time read as wall time): for scenarios that test expiry on a virtual
	// clock (G-ID-2's decision).
	WorldTime bool
	// Keys sign and verify tokens (DefaultKeySet when nil).
	Keys *KeySet
	// Lifetime of access tokens (TokenLifetime when zero).
	Lifetime time.Duration
	// MaxBody bounds a token request's form (DefaultMaxBody when zero).
	MaxBody int64
}

// Handler serves Microsoft Entra ID over a live world: OpenID discovery,
// the signing keys, user realm and instance discovery, and the token
// endpoint.
type Handler struct {
	lw       *live.World
	keys     *KeySet
	opt      Options
	instance string
	tag      uint32
	seq      atomic.Uint64
	codes    usedCodes
	devices  devices
}

// New builds a handler over the live world.
func New(lw *live.World, opt Options) *Handler {
	if opt.Scheme == "" {
		opt.Scheme = "https"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Keys == nil {
		opt.Keys = DefaultKeySet()
	}
	if opt.Lifetime <= 0 {
		opt.Lifetime = TokenLifetime
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = DefaultMaxBody
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &Handler{lw: lw, keys: opt.Keys, opt: opt, instance: lw.Instance(), tag: binary.BigEndian.Uint32(b[:])}
}

// World is the live world the handler serves.
func (h *Handler) World() *live.World { return h.lw }

// Keys is the key set the handler signs with.
func (h *Handler) Keys() *KeySet { return h.keys }

// Now is the token clock's time; outside live.World.Do.
func (h *Handler) Now() time.Time {
	if !h.opt.WorldTime {
		return h.opt.Now()
	}
	var t time.Time
	_ = h.lw.Do(func(w *sim.World) error { t = h.NowIn(w); return nil })
	return t
}

// NowIn is the token clock's time inside live.World.Do.
func (h *Handler) NowIn(w *sim.World) time.Time {
	if h.opt.WorldTime {
		return w.Clock.Now().Wall()
	}
	return h.opt.Now()
}

// ServeHTTP serves the identity platform's endpoints. Paths are matched
// case-insensitively, as Entra ID matches them.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := h.newReq(r)
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	tenant := segs[0]
	rest := strings.ToLower(strings.Join(segs[1:], "/"))
	common := strings.EqualFold(tenant, "common")
	switch {
	case rest == "oauth2/v2.0/token":
		h.ServeToken(w, r, tenant)
		return
	case rest == "v2.0/.well-known/openid-configuration":
		h.get(w, r, rc, func() reply { return h.discovery(r, rc, tenant, true) })
	case rest == ".well-known/openid-configuration":
		h.get(w, r, rc, func() reply { return h.discovery(r, rc, tenant, false) })
	case rest == "discovery/v2.0/keys":
		h.get(w, r, rc, func() reply { return h.jwks(r, rc, tenant, true) })
	case rest == "discovery/keys":
		h.get(w, r, rc, func() reply { return h.jwks(r, rc, tenant, false) })
	case common && len(segs) == 3 && strings.EqualFold(segs[1], "userrealm"):
		h.get(w, r, rc, func() reply { return h.userRealm(segs[2]) })
	case common && rest == "discovery/instance":
		h.get(w, r, rc, func() reply { return h.instanceDiscovery(r, rc) })
	case rest == "oauth2/v2.0/authorize":
		h.authorize(w, r, rc, tenant)
	case rest == "oauth2/v2.0/devicecode":
		h.deviceCode(w, r, rc, tenant)
	case common && rest == "oauth2/deviceauth":
		h.deviceAuth(w, r, rc)
	default:
		fail(http.StatusNotFound, "invalid_request", 9002313, "Invalid request. Request is malformed or invalid: "+truncate(r.URL.Path, 120)+" is no endpoint of the identity platform.").write(w, rc)
	}
}

// get serves a GET (or HEAD) document.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, rc *reqCtx, fn func() reply) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		fail(http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts GET requests.").write(w, rc)
		return
	}
	fn().write(w, rc)
}

// reqCtx is what one request carries.
type reqCtx struct {
	traceID       string
	correlationID string
	now           time.Time // on the token clock; refined inside the world
}

func (h *Handler) newReq(r *http.Request) *reqCtx {
	rc := &reqCtx{traceID: h.newTraceID(), now: h.Now()}
	rc.correlationID = r.Header.Get("client-request-id")
	if rc.correlationID == "" {
		rc.correlationID = r.URL.Query().Get("client-request-id") // msal-node sends it in the query
	}
	if rc.correlationID == "" || len(rc.correlationID) > 64 || !printable(rc.correlationID) {
		rc.correlationID = rc.traceID
	}
	return rc
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func (h *Handler) newTraceID() string {
	n := h.seq.Add(1)
	var b [16]byte
	binary.BigEndian.PutUint32(b[0:4], h.tag)
	binary.BigEndian.PutUint64(b[8:16], n)
	return guid.Format(b)
}

// reply is an answer made inside the world's lock and written outside it.
type reply struct {
	status int
	body   []byte
	cache  bool // a public document the client may cache
}

func (rp reply) write(w http.ResponseWriter, rc *reqCtx) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("x-ms-request-id", rc.traceID)
	hd.Set("client-request-id", rc.correlationID)
	if rp.cache {
		hd.Set("Cache-Control", "max-age=86400, private")
		hd.Set("Access-Control-Allow-Origin", "*")
	} else {
		hd.Set("Cache-Control", "no-store, no-cache")
		hd.Set("Pragma", "no-cache")
	}
	w.WriteHeader(rp.status)
	_, _ = w.Write(rp.body)
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the documents are plain structs
	}
	return reply{status: status, body: b}
}

// base is the scheme and host the request reached, as the documents name
// it; a Host header that is no host name falls back to the login host.
func (h *Handler) base(r *http.Request) string {
	host := r.Host
	if !validHost(host) {
		host = LoginHost
	}
	return h.opt.Scheme + "://" + strings.ToLower(host)
}

func validHost(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}

// validTenantSegment is what Entra ID accepts as a tenant in a path: a
// GUID or a DNS name.
func validTenantSegment(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "?")
}

// discoveryDoc is the OpenID Provider configuration, field for field in
// the order Entra ID writes it.
type discoveryDoc struct {
	TokenEndpoint                     string   `json:"token_endpoint"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	JwksURI                           string   `json:"jwks_uri"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	Issuer                            string   `json:"issuer"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	HTTPLogoutSupported               bool     `json:"http_logout_supported"`
	FrontchannelLogoutSupported       bool     `json:"frontchannel_logout_supported"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	ClaimsSupported                   []string `json:"claims_supported"`
	KerberosEndpoint                  string   `json:"kerberos_endpoint"`
	TenantRegionScope                 *string  `json:"tenant_region_scope"`
	CloudInstanceName                 string   `json:"cloud_instance_name"`
	CloudGraphHostName                string   `json:"cloud_graph_host_name"`
	MsgraphHost                       string   `json:"msgraph_host"`
	RbacURL                           string   `json:"rbac_url"`
}

// tenantRegionScope is the region every simulated tenant reports.
const tenantRegionScope = "EU"

// resolve finds the tenant an authority's segment names, inside Do:
// "common" and "organizations" are no tenant but answer for all.
func (h *Handler) resolve(w *sim.World, seg string) (Tenant, bool, *oauthErr) {
	switch strings.ToLower(seg) {
	case "common", "organizations":
		return Tenant{}, true, nil
	}
	if !validTenantSegment(seg) {
		return Tenant{}, false, &oauthErr{status: http.StatusBadRequest, code: "invalid_request", aadsts: 900023,
			desc: "Specified tenant identifier '" + truncate(seg, 80) + "' is neither a valid DNS name, nor a valid external domain."}
	}
	t, ok := DirectoryOf(w).FindTenant(seg)
	if !ok {
		return Tenant{}, false, &oauthErr{status: http.StatusBadRequest, code: "invalid_tenant", aadsts: 90002,
			desc: "Tenant '" + truncate(seg, 80) + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."}
	}
	return t, false, nil
}

// resolveNow stamps the request and resolves the tenant a path names.
func (h *Handler) resolveNow(rc *reqCtx, seg string) (t Tenant, multi bool, e *oauthErr) {
	_ = h.lw.Do(func(w *sim.World) error {
		rc.now = h.NowIn(w)
		t, multi, e = h.resolve(w, seg)
		return nil
	})
	return t, multi, e
}

// discovery answers /{tenant}/v2.0/.well-known/openid-configuration (v2)
// and /{tenant}/.well-known/openid-configuration (v1) (G-ID-1).
func (h *Handler) discovery(r *http.Request, rc *reqCtx, seg string, v2 bool) reply {
	t, multi, e := h.resolveNow(rc, seg)
	if e != nil {
		return e.reply(rc)
	}
	base := h.base(r)
	path, issuer := t.ID, base+"/"+t.ID+"/v2.0"
	region := tenantRegionScope
	regionp := &region
	if multi {
		path, issuer, regionp = strings.ToLower(seg), base+"/{tenantid}/v2.0", nil
	}
	a := base + "/" + path
	d := discoveryDoc{
		TokenEndpoint:                     a + "/oauth2/v2.0/token",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		JwksURI:                           a + "/discovery/v2.0/keys",
		ResponseModesSupported:            []string{"query", "fragment", "form_post"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ResponseTypesSupported:            []string{"code", "id_token", "code id_token", "id_token token"},
		ScopesSupported:                   []string{"openid", "profile", "email", "offline_access"},
		Issuer:                            issuer,
		UserinfoEndpoint:                  "https://graph.microsoft.com/oidc/userinfo",
		AuthorizationEndpoint:             a + "/oauth2/v2.0/authorize",
		DeviceAuthorizationEndpoint:       a + "/oauth2/v2.0/devicecode",
		HTTPLogoutSupported:               true,
		FrontchannelLogoutSupported:       true,
		EndSessionEndpoint:                a + "/oauth2/v2.0/logout",
		ClaimsSupported:                   []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		KerberosEndpoint:                  a + "/kerberos",
		TenantRegionScope:                 regionp,
		CloudInstanceName:                 "microsoftonline.com",
		CloudGraphHostName:                "graph.windows.net",
		MsgraphHost:                       "graph.microsoft.com",
		RbacURL:                           "https://pas.windows.net",
	}
	if !v2 {
		// The v1 document names the v1 endpoints and the sts.windows.net
		// issuer of v1 tokens, Graph's among them.
		d.TokenEndpoint = a + "/oauth2/token"
		d.JwksURI = a + "/discovery/keys"
		d.AuthorizationEndpoint = a + "/oauth2/authorize"
		d.DeviceAuthorizationEndpoint = a + "/oauth2/devicecode"
		d.EndSessionEndpoint = a + "/oauth2/logout"
		d.Issuer = stsIssuer(t.ID)
		if multi {
			d.Issuer = "https://sts.windows.net/{tenantid}/"
		}
		d.ScopesSupported = []string{"openid"}
	}
	rp := jsonReply(http.StatusOK, d)
	rp.cache = true
	return rp
}

// jwks answers /{tenant}/discovery/v2.0/keys and the v1 /discovery/keys.
func (h *Handler) jwks(r *http.Request, rc *reqCtx, seg string, v2 bool) reply {
	t, multi, e := h.resolveNow(rc, seg)
	if e != nil {
		return e.reply(rc)
	}
	keys := h.keys.JWKS()
	if v2 {
		iss := h.base(r) + "/" + t.ID + "/v2.0"
		if multi {
			iss = h.base(r) + "/{tenantid}/v2.0"
		}
		for i := range keys {
			keys[i].CloudInstanceName, keys[i].Issuer = "microsoftonline.com", iss
		}
	}
	rp := jsonReply(http.StatusOK, map[string]any{"keys": keys})
	rp.cache = true
	return rp
}

// userRealm answers /common/UserRealm/{upn}: Managed for a domain one of
// the world's tenants verified, Unknown otherwise (G-ID-1).
func (h *Handler) userRealm(upn string) reply {
	domain := ""
	if i := strings.LastIndexByte(upn, '@'); i >= 0 {
		domain = upn[i+1:]
	}
	var ok bool
	if domain != "" {
		_ = h.lw.Do(func(w *sim.World) error {
			_, ok = DirectoryOf(w).tenantOfDomain(domain)
			return nil
		})
	}
	if !ok {
		return jsonReply(http.StatusOK, struct {
			Ver               string `json:"ver"`
			AccountType       string `json:"account_type"`
			CloudInstanceName string `json:"cloud_instance_name"`
		}{"1.0", "Unknown", "microsoftonline.com"})
	}
	return jsonReply(http.StatusOK, struct {
		Ver               string `json:"ver"`
		AccountType       string `json:"account_type"`
		DomainName        string `json:"domain_name"`
		CloudInstanceName string `json:"cloud_instance_name"`
		CloudAudienceURN  string `json:"cloud_audience_urn"`
	}{"1.0", "Managed", strings.ToLower(domain), "microsoftonline.com", "urn:federation:MicrosoftOnline"})
}

// publicCloud is the alias group of Microsoft's public cloud hosts.
var publicCloud = []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}

type instanceMetadata struct {
	PreferredNetwork string   `json:"preferred_network"`
	PreferredCache   string   `json:"preferred_cache"`
	Aliases          []string `json:"aliases"`
}

// instanceDiscovery answers /common/discovery/instance for the authority
// that authorization_endpoint names: wherever a library was pointed, the
// fake answers for it, so a library that validates its authority through
// Microsoft's host accepts the fake's (G-ID-1).
func (h *Handler) instanceDiscovery(r *http.Request, rc *reqCtx) reply {
	ae := r.URL.Query().Get("authorization_endpoint")
	if ae == "" {
		return fail(http.StatusBadRequest, "invalid_request", 90014, "The required field 'authorization_endpoint' is missing from the request.").reply(rc)
	}
	u, err := url.Parse(ae)
	segs := []string{}
	if err == nil {
		segs = strings.Split(strings.Trim(u.Path, "/"), "/")
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != h.opt.Scheme) || !validHost(u.Host) || len(segs) < 3 || !validTenantSegment(segs[0]) ||
		!strings.EqualFold(segs[1], "oauth2") || !strings.EqualFold(segs[len(segs)-1], "authorize") {
		return fail(http.StatusBadRequest, "invalid_instance", 50049, "Unknown or invalid instance.").reply(rc)
	}
	host := strings.ToLower(u.Host)
	md := []instanceMetadata{{PreferredNetwork: publicCloud[0], PreferredCache: publicCloud[1], Aliases: publicCloud}}
	known := false
	for _, a := range publicCloud {
		known = known || a == host
	}
	if !known {
		md = append(md, instanceMetadata{PreferredNetwork: host, PreferredCache: host, Aliases: []string{host}})
	}
	return jsonReply(http.StatusOK, struct {
		TenantDiscoveryEndpoint string             `json:"tenant_discovery_endpoint"`
		APIVersion              string             `json:"api-version"`
		Metadata                []instanceMetadata `json:"metadata"`
	}{u.Scheme + "://" + host + "/" + segs[0] + "/v2.0/.well-known/openid-configuration", "1.1", md})
}
