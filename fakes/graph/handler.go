package graph

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	sgraph "github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/teams"
)

// DefaultBaseURL is the service root written into @odata.context.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// Options configure a handler. The zero value is Graph's behaviour with
// throttling on, no faults, and notifications delivered over HTTP.
type Options struct {
	// BaseURL is the service root used in @odata.context (DefaultBaseURL).
	BaseURL string
	// Deliverer sends validation requests and notifications to subscribers;
	// HTTPDeliverer when nil.
	Deliverer Deliverer
	// Throttle is the presence API limit (G-THR-1).
	Throttle Throttle
	// Faults injects errors and latency (for resilience tests).
	Faults Faults
	// Notify tunes notification retries.
	Notify NotifySettings
	// JournalSize bounds the journal (DefaultJournalSize).
	JournalSize int
	// Limits bound the subscriptions, deliveries and notices kept.
	Limits Limits
	// HTTPHosts are hosts besides loopback ones whose notification URLs may
	// use http ("*" for any host); Graph itself requires https (G-URL-1).
	HTTPHosts []string
	// Sleep waits out injected latency (time.Sleep when nil).
	Sleep func(time.Duration)
	// Entra is the identity platform whose tokens Graph accepts, over the
	// same live world; when nil, Graph has its own with token times on the
	// world's clock.
	Entra *entra.Handler
}

// Throttle is G-THR-1: at most Limit requests per Window per application per
// tenant on the world's clock; beyond, 429 with Retry-After. It is the
// world's Graph layer setting, which in-process models meet too.
type Throttle = sgraph.Throttle

// DefaultThrottle is Graph's documented presence limit.
var DefaultThrottle = sgraph.DefaultThrottle

// Faults inject errors and latency, drawn from the world's seeded stream
// "graph faults" (the world's Graph layer, shared with in-process models).
// Over HTTP, latency is waited out in real time (Options.Sleep).
type Faults = sgraph.Faults

// FaultStatuses are the statuses Faults may inject.
var FaultStatuses = sgraph.FaultStatuses

// Handler serves the Graph presence API over a world.
type Handler struct {
	lw      *live.World
	w       *sim.World // reached only inside lw.Do
	id      *Identity
	opt     Options
	Journal *Journal

	// inside lw.Do
	layer  *sgraph.Layer // the world's Graph limits and faults
	subs   *subscriptions
	idx    map[string]indexed
	dir    dirIndex
	reqSeq atomic.Uint64
	reqTag uint32

	auth *auth
}

type indexed struct {
	u      teams.UserID
	tenant string
}

// reqCtx is what one request carries through the handler.
type reqCtx struct {
	wall            time.Time
	now             clock.Time
	requestID       string
	clientRequestID string
	claims          *Claims
	app, appID      string
	user, target    string
	fault           string
}

// NewHandler builds a handler over the live world; it registers the
// world's identity directory and listens for presence changes to notify
// subscribers.
func NewHandler(lw *live.World, opt Options) *Handler {
	if opt.BaseURL == "" {
		opt.BaseURL = DefaultBaseURL
	}
	opt.BaseURL = strings.TrimSuffix(opt.BaseURL, "/")
	if opt.Deliverer == nil {
		opt.Deliverer = &HTTPDeliverer{}
	}
	if opt.Sleep == nil {
		opt.Sleep = time.Sleep
	}
	opt.Notify = opt.Notify.withDefaults()
	opt.Limits = opt.Limits.withDefaults()
	h := &Handler{lw: lw, opt: opt, Journal: newJournal(opt.JournalSize), auth: newAuth(lw, opt.Entra)}
	_ = lw.Do(func(w *sim.World) error {
		h.w, h.id, h.layer = w, IdentityOf(w), w.GraphFaults()
		// settings given here replace the world's; none leaves them
		if opt.Throttle != (Throttle{}) {
			h.layer.SetThrottle(opt.Throttle)
		}
		if opt.Faults.ErrorRate != 0 || opt.Faults.LatencyRate != 0 {
			if err := h.layer.SetFaults(opt.Faults); err != nil {
				return err
			}
		}
		h.reqTag = w.Stream("graph requests").Uint32()
		h.subs = newSubscriptions(h)
		w.Teams.Listen(h.subs)
		return nil
	})
	return h
}

// Identity is the handler's identity directory.
func (h *Handler) Identity() *Identity { return h.id }

// World is the live world the handler serves.
func (h *Handler) World() *live.World { return h.lw }

// SetFaults replaces the fault settings of the world's Graph layer, which
// in-process models meet too; faults that do not check are refused.
func (h *Handler) SetFaults(f Faults) error {
	return h.lw.Do(func(*sim.World) error { return h.layer.SetFaults(f) })
}

// Faults returns the fault settings.
func (h *Handler) Faults() Faults {
	var f Faults
	_ = h.lw.Do(func(*sim.World) error { f = h.layer.Faults(); return nil })
	return f
}

// SetThrottle replaces the throttle settings of the world's Graph layer
// (zero Limit or Window: the default) and starts every window over.
func (h *Handler) SetThrottle(t Throttle) {
	_ = h.lw.Do(func(*sim.World) error { h.layer.SetThrottle(t); return nil })
}

// stamp sets the request's virtual and wall time; inside lw.Do.
func (h *Handler) stamp(rc *reqCtx) {
	rc.now = h.w.Clock.Now()
	rc.wall = rc.now.Wall()
}

func (h *Handler) newRequestID() string {
	n := h.reqSeq.Add(1)
	var b [36]byte
	hex := func(dst []byte, v uint64) {
		for i := len(dst) - 1; i >= 0; i-- {
			dst[i] = "0123456789abcdef"[v&15]
			v >>= 4
		}
	}
	hex(b[0:8], uint64(h.reqTag))
	b[8] = '-'
	hex(b[9:13], n>>48)
	b[13] = '-'
	b[14] = '4'
	hex(b[15:18], n>>36)
	b[18] = '-'
	b[19] = '8'
	hex(b[20:23], n>>24)
	b[23] = '-'
	hex(b[24:36], n)
	return string(b[:])
}

// ServeHTTP serves Graph v1.0 presence and the token endpoint.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// the key in canonical form: Get would canonicalise it on every request
	rc := reqCtx{requestID: h.newRequestID()}
	if v := r.Header["Client-Request-Id"]; len(v) > 0 {
		rc.clientRequestID = v[0]
	}
	if rc.clientRequestID == "" || len(rc.clientRequestID) > 64 {
		rc.clientRequestID = rc.requestID
	}
	status := h.serve(w, r, &rc)
	h.Journal.add(Entry{At: rc.now, Time: rc.wall, Method: r.Method, Path: r.URL.Path, App: rc.app, AppID: rc.appID,
		User: rc.user, Target: rc.target, Status: status, Fault: rc.fault, RequestID: rc.requestID})
}

func (h *Handler) fail(w http.ResponseWriter, rc *reqCtx, e *Error) int {
	if rc.wall.IsZero() {
		_ = h.lw.Do(func(*sim.World) error { h.stamp(rc); return nil })
	}
	writeError(w, rc, e)
	return e.Status
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, rc *reqCtx) int {
	path := r.URL.Path
	if i := strings.Index(path, tokenPath); i > 0 && !strings.HasPrefix(path, "/v1.0/") {
		tenant, ok := tokenTenant(path)
		if !ok {
			return h.fail(w, rc, errf(http.StatusNotFound, "NotFound", "no such endpoint"))
		}
		return h.token(w, r, rc, tenant)
	}
	rest, ok := strings.CutPrefix(path, "/v1.0/")
	if !ok {
		return h.fail(w, rc, badRequest("Invalid version: the path must start with /v1.0/ (presencesim serves Microsoft Graph v1.0)."))
	}
	rt, e := parseRoute(r.Method, rest)
	if e != nil {
		return h.fail(w, rc, e)
	}
	if e := h.authenticate(r, rc); e != nil {
		return h.fail(w, rc, e)
	}
	var body []byte
	if rt.hasBody {
		var e *Error
		if body, e = readBody(r); e != nil {
			return h.fail(w, rc, e)
		}
	}
	if rt.kind == rBatch {
		return h.batch(w, r, rc, body)
	}
	return h.dispatch(w, r, rc, rt, body)
}

// route is a parsed request path.
type route struct {
	kind    routeKind
	target  string // user id, "me", or subscription id
	action  string
	hasBody bool
	// viaPresences is set for /communications/presences/{id}, whose
	// @odata.context differs from /users/{id}/presence.
	viaPresences bool
}

type routeKind uint8

const (
	rPresence routeKind = iota + 1 // GET presence
	rAction                        // POST presence action
	rBulk                          // POST getPresencesByUserId
	rSubs                          // /subscriptions
	rSub                           // /subscriptions/{id}
)

var actions = []string{"setPresence", "clearPresence", "setUserPreferredPresence", "clearUserPreferredPresence", "setStatusMessage"}

func parseRoute(method, rest string) (route, *Error) {
	rest = strings.TrimSuffix(rest, "/")
	var buf [8]string
	segs := splitPath(buf[:0], rest)
	var rt route
	switch {
	case len(segs) >= 2 && segs[0] == "me" && segs[1] == "presence":
		rt.target, segs = "me", segs[2:]
	case len(segs) >= 3 && segs[0] == "users" && segs[2] == "presence":
		rt.target, segs = segs[1], segs[3:]
	case len(segs) >= 3 && segs[0] == "communications" && segs[1] == "presences":
		rt.target, rt.viaPresences, segs = segs[2], true, segs[3:]
	case len(segs) == 2 && segs[0] == "communications" && segs[1] == "getPresencesByUserId":
		if method != http.MethodPost {
			return rt, methodNotAllowed(method, "POST")
		}
		return route{kind: rBulk, hasBody: true}, nil
	case len(segs) == 1 && segs[0] == "subscriptions":
		switch method {
		case http.MethodGet:
			return route{kind: rSubs}, nil
		case http.MethodPost:
			return route{kind: rSubs, hasBody: true}, nil
		}
		return rt, methodNotAllowed(method, "GET, POST")
	case len(segs) == 2 && segs[0] == "subscriptions":
		switch method {
		case http.MethodGet, http.MethodDelete:
			return route{kind: rSub, target: segs[1]}, nil
		case http.MethodPatch:
			return route{kind: rSub, target: segs[1], hasBody: true}, nil
		}
		return rt, methodNotAllowed(method, "GET, PATCH, DELETE")
	case len(segs) == 3 && segs[0] == "subscriptions" && (strings.EqualFold(segs[2], "reauthorize") || strings.EqualFold(segs[2], "microsoft.graph.reauthorize")):
		if method != http.MethodPost {
			return rt, methodNotAllowed(method, "POST")
		}
		return route{kind: rSub, target: segs[1], action: "reauthorize", hasBody: true}, nil
	default:
		if rt, ok, e := parseMoreRoute(method, segs); ok {
			return rt, e
		}
		return rt, unknownSegment(segs)
	}
	if rt.target == "" {
		return rt, badRequest("The user id is empty.")
	}
	switch len(segs) {
	case 0:
		if method != http.MethodGet {
			return rt, methodNotAllowed(method, "GET")
		}
		rt.kind = rPresence
		return rt, nil
	case 1:
		for _, a := range actions {
			if strings.EqualFold(segs[0], a) || strings.EqualFold(segs[0], "microsoft.graph."+a) {
				if method != http.MethodPost {
					return rt, methodNotAllowed(method, "POST")
				}
				rt.kind, rt.action, rt.hasBody = rAction, a, true
				return rt, nil
			}
		}
	}
	return rt, unknownSegment(segs)
}

// splitPath splits a path at '/' into dst without allocating for short
// paths.
func splitPath(dst []string, p string) []string {
	for {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return append(dst, p)
		}
		dst = append(dst, p[:i])
		p = p[i+1:]
	}
}

func unknownSegment(segs []string) *Error {
	s := ""
	if len(segs) > 0 {
		s = segs[0]
	}
	if len(s) > 80 {
		s = s[:80]
	}
	return badRequest("Resource not found for the segment '" + strings.ToValidUTF8(s, "?") + "'.")
}

func methodNotAllowed(method, allowed string) *Error {
	return errf(http.StatusMethodNotAllowed, "Request_BadRequest", "The HTTP method '"+strings.ToValidUTF8(truncate(method, 20), "?")+"' is not allowed here; allowed: "+allowed+".")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// authenticate checks the bearer token's JOSE header, signature,
// audience, issuer and world instance outside the world's lock; the
// lifetime and tenant are checked under it (checkLifetime). The scheme is
// matched case-insensitively (G-TLS-1).
func (h *Handler) authenticate(r *http.Request, rc *reqCtx) *Error {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if scheme == "" {
		return errf(http.StatusUnauthorized, "InvalidAuthenticationToken", entra.ErrNoToken.Error())
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return errf(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure: the Authorization header must be 'Bearer <token>'.")
	}
	c, err := h.auth.parse(strings.TrimSpace(tok))
	if err != nil {
		return errf(http.StatusUnauthorized, "InvalidAuthenticationToken", err.Error())
	}
	rc.claims, rc.appID = c, c.AppID
	return nil
}

// readBody reads at most 1 MiB of the request body, inflating it when the
// client sent it gzip-compressed (the Graph SDKs do by default).
func readBody(r *http.Request) ([]byte, *Error) {
	if r.Body == nil {
		return nil, nil
	}
	const max = 1 << 20
	var body io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(io.LimitReader(r.Body, max+1))
		if err != nil {
			return nil, badRequest("The request body is not valid gzip: " + strings.ToValidUTF8(err.Error(), "?"))
		}
		defer zr.Close()
		body = zr
	default:
		return nil, errf(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Encoding '"+strings.ToValidUTF8(truncate(enc, 40), "?")+"' is not supported; send the body plain or gzip-compressed.")
	}
	buf, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil && body != io.Reader(r.Body) {
		return nil, badRequest("The request body is not valid gzip: " + strings.ToValidUTF8(err.Error(), "?"))
	}
	if len(buf) > max {
		return nil, errf(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The request body is larger than 1 MiB.")
	}
	return buf, nil
}

// dispatch runs an authenticated request inside the live world's Do:
// token lifetime, throttle, faults, then the operation. Injected latency
// is waited out between two Do calls, so the world is not held meanwhile.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, rc *reqCtx, rt route, body []byte) int {
	var res result
	var refused *Error
	var sleep time.Duration
	_ = h.lw.Do(func(*sim.World) error {
		h.stamp(rc)
		c := rc.claims
		if a := h.appByID(c.AppID); a != nil {
			rc.app = a.DisplayName
		}
		if c.Delegated() {
			if u, ok := h.lookup(c.Tid, c.Oid); ok {
				rc.user = h.w.Teams.Dir(u).Name
			}
		}
		if refused = h.checkLifetime(c, rc); refused != nil {
			return nil
		}
		// G-THR-1 limits the presence APIs; the directory has limits of
		// its own, larger than a connector's lookups reach.
		if rt.kind != rUser && rt.kind != rUsers {
			if refused = h.throttle(rc, c); refused != nil {
				return nil
			}
		}
		if refused, sleep = h.fault(rc); refused != nil || sleep > 0 {
			return nil
		}
		res = h.operate(r, rc, rt, body)
		return nil
	})
	if sleep > 0 {
		h.opt.Sleep(sleep)
		if refused == nil {
			_ = h.lw.Do(func(*sim.World) error {
				h.stamp(rc)
				res = h.operate(r, rc, rt, body)
				return nil
			})
		}
	}
	if refused != nil {
		return h.fail(w, rc, refused)
	}
	if res.later != nil {
		res = res.later()
	}
	if res.err != nil {
		return h.fail(w, rc, res.err)
	}
	// Keys are written in canonical form, so net/http need not fix them.
	hd := w.Header()
	ids := []string{rc.requestID, rc.clientRequestID}
	hd["Request-Id"] = ids[0:1:1]
	hd["Client-Request-Id"] = ids[1:2:2]
	if res.location != "" {
		hd.Set("Location", res.location)
	}
	if res.body != nil {
		hd["Content-Type"] = contentTypeJSONValue
		w.WriteHeader(res.status)
		_, _ = w.Write(res.body)
		putBuf(res.body)
	} else {
		hd["Content-Length"] = []string{"0"}
		w.WriteHeader(res.status)
	}
	return res.status
}

// operate runs the request's operation; inside lw.Do, which fires the
// events a change makes due (its notifications) before the answer goes out.
func (h *Handler) operate(r *http.Request, rc *reqCtx, rt route, body []byte) result {
	switch rt.kind {
	case rPresence:
		return h.getPresence(rc, rt)
	case rAction:
		return h.action(rc, rt, body)
	case rBulk:
		return h.bulk(rc, body)
	case rUser:
		return h.getUser(r, rc, rt)
	case rUsers:
		return h.listUsers(r, rc)
	default:
		return h.subscriptionRequest(r.Context(), rc, rt, r.Method, body)
	}
}

const contentTypeJSON = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"

// contentTypeJSONValue is shared by every response; net/http only reads it.
var contentTypeJSONValue = []string{contentTypeJSON}

// result is an operation's answer. later, when set, runs after the world's
// lock is released (the subscription validation handshake) and gives the
// final answer.
type result struct {
	status   int
	body     []byte
	err      *Error
	location string
	later    func() result
}

// checkLifetime finishes the token checks under the world's lock: the
// lifetime on the identity platform's token clock and the token's tenant.
func (h *Handler) checkLifetime(c *Claims, rc *reqCtx) *Error {
	if err := h.auth.entra.CheckIn(h.w, c); err != nil {
		return errf(http.StatusUnauthorized, "InvalidAuthenticationToken", err.Error())
	}
	return nil
}

func (h *Handler) appByID(id string) *App { return h.id.AppByID(id) }

// lookup resolves a user object id within a tenant through an index that
// is rebuilt when an id is missing (users are only ever added).
func (h *Handler) lookup(tenant, oid string) (teams.UserID, bool) {
	x, ok := h.idx[oid]
	if !ok {
		h.reindex()
		x, ok = h.idx[strings.ToLower(oid)]
	}
	if !ok || x.tenant != tenant {
		return 0, false
	}
	return x.u, true
}

func (h *Handler) reindex() {
	us := h.w.Teams.Users()
	if len(h.idx) == len(us) {
		return
	}
	h.idx = make(map[string]indexed, len(us))
	for _, u := range us {
		d := h.w.Teams.Dir(u)
		h.idx[strings.ToLower(d.ID)] = indexed{u: u, tenant: h.id.Tenant(d.Org).ID}
	}
}

// throttle applies G-THR-1 per application per tenant on the world's clock.
func (h *Handler) throttle(rc *reqCtx, c *Claims) *Error {
	if h.layer.Throttle().Off {
		return nil
	}
	e := h.layer.TakeKey(c.Tid + "/" + c.AppID)
	if e == nil {
		return nil
	}
	rc.fault = "throttled"
	return fromLayer(e)
}

// fault draws an injected error or latency from the world's Graph layer.
func (h *Handler) fault(rc *reqCtx) (*Error, time.Duration) {
	e, d := h.layer.Draw()
	if d > 0 {
		rc.fault = "latency " + d.String()
	}
	if e == nil {
		return nil, d
	}
	rc.fault = "injected " + strconv.Itoa(e.Status)
	return fromLayer(e), d
}

// fromLayer renders the layer's error as Graph's HTTP error.
func fromLayer(e *sgraph.Error) *Error {
	return &Error{Status: e.Status, Code: e.Code, Message: e.Message, retryAfter: int((e.RetryAfter + time.Second - 1) / time.Second)}
}
