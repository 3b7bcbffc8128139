package conformance

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// Call is one Graph request of the connector as the harness saw it.
type Call struct {
	Seq    int
	At     clock.Time // when it arrived, virtual
	Method string
	Path   string
	// Action is setPresence, clearPresence, setUserPreferredPresence,
	// clearUserPreferredPresence, setStatusMessage, read, bulk,
	// subscription, token, identity (the identity platform's documents:
	// discovery, keys, user realm), directory or other.
	Action string
	AppID  string
	Target string // the user's object id in the path
	// SessionID is the body's sessionId (HasSession when present).
	SessionID  string
	HasSession bool
	// Pair is the body's availability/activity as written.
	Availability, Activity string
	Expiration             time.Duration // 0: not given (Graph's default)
	Status                 int
	RetryAfter             int // seconds, from the answer

	// Wall is when the request arrived and Answered when its answer was
	// written, on the wall clock, which token lifetimes follow (G-ID-2).
	Wall, Answered time.Time
	// TLS says whether the request came over TLS (G-TLS-1, C-11).
	TLS bool
	// Grant is a token request's grant_type, ExpiresIn its answer's
	// expires_in (seconds).
	Grant     string
	ExpiresIn int
	// Revoked says the harness answered 401 itself: the request carried a
	// token the harness had revoked (RevokeTokens).
	Revoked bool
	// Error is a 401 answer's error code and message.
	Error string

	// the pair, parsed once when recorded
	pair           presence.Presence
	pairOK, parsed bool
}

// Pair is the written presence, when it parses.
func (c Call) Pair() (presence.Presence, bool) {
	if c.parsed {
		return c.pair, c.pairOK
	}
	return parsePair(c.Availability, c.Activity)
}

func parsePair(av, act string) (presence.Presence, bool) {
	a, err1 := presence.ParseAvailability(av)
	ac, err2 := presence.ParseActivity(act)
	if err1 != nil || err2 != nil || av == "" || act == "" {
		return presence.Presence{}, false
	}
	return presence.Of(a, ac), true
}

// PairText is the pair as written.
func (c Call) PairText() string { return c.Availability + "/" + c.Activity }

// OK says whether Graph accepted the request.
func (c Call) OK() bool { return c.Status/100 == 2 }

// Wire is the record of a session's Graph requests.
type Wire struct {
	mu        sync.Mutex
	calls     []Call
	touches   int // every request, to any fake
	graphHit  int
	pbxHit    int
	xphoneHit int
	// issued are the access tokens the identity platform gave the
	// connector; revoked those Graph refuses from RevokeTokens on.
	issued  []string
	revoked map[string]bool
	dropped int
}

// MaxCalls bounds the calls a wire keeps; a scenario never comes near it,
// a soak sees the rest through Target.Observe.
const MaxCalls = 200_000

// Dropped is how many calls came after MaxCalls and were not kept.
func (wr *Wire) Dropped() int {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.dropped
}

// maxIssued bounds the tokens the wire remembers; a connector that asks
// for more breaks C-11 long before.
const maxIssued = 10_000

func newWire() *Wire { return &Wire{revoked: map[string]bool{}} }

// revoke makes Graph refuse every token issued so far; it answers how many.
func (wr *Wire) revoke() int {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	for _, t := range wr.issued {
		wr.revoked[t] = true
	}
	return len(wr.issued)
}

func (wr *Wire) isRevoked(tok string) bool {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return tok != "" && wr.revoked[tok]
}

// Calls returns the recorded requests, oldest first.
func (wr *Wire) Calls() []Call {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return append([]Call(nil), wr.calls...)
}

// touched is how many requests reached the fakes, of any kind.
func (wr *Wire) touched() int {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.touches
}

func (wr *Wire) contacts() (int, int) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.graphHit, wr.pbxHit
}

// statusWriter remembers the status and the start of the body of an
// answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	body   []byte // the first maxKeptBody bytes
}

// maxKeptBody is how much of an answer the wire reads: enough for a token
// answer or an error.
const maxKeptBody = 16 << 10

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if room := maxKeptBody - len(w.body); room > 0 {
		w.body = append(w.body, b[:min(room, len(b))]...)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// handler records each Graph request with its body and passes it to the
// fake.
func (wr *Wire) handler(s *Session, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if r.URL.Path == ViewPath {
			s.view(w, r)
			return
		}
		wr.mu.Lock()
		wr.touches++
		wr.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/xphone/") {
			wr.mu.Lock()
			wr.xphoneHit++
			wr.mu.Unlock()
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/pbx/") {
			wr.mu.Lock()
			wr.pbxHit++
			wr.mu.Unlock()
			next.ServeHTTP(w, r)
			return
		}
		at := s.lw.Now()
		// Graph's clock is the world's: a client that times its
		// subscriptions from the Date header gets them right.
		w.Header().Set("Date", at.Wall().UTC().Format(http.TimeFormat))
		c := Call{At: at, Method: r.Method, Path: r.URL.Path, Wall: time.Now(), TLS: r.TLS != nil}
		classify(&c, r, plain(r.Header.Get("Content-Encoding"), body))
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w}
		switch {
		case c.Action != "token" && c.Action != "identity" && wr.isRevoked(bearer(r.Header.Get("Authorization"))):
			c.Revoked = true
			refuseRevoked(sw)
		default:
			next.ServeHTTP(sw, r)
		}
		c.Status, c.Answered = sw.status, time.Now()
		if c.Action != "token" && c.Action != "identity" && !c.Revoked && (c.Status == http.StatusTooManyRequests || c.Status >= 500) {
			s.faulted()
		}
		if ra, err := strconv.Atoi(sw.Header().Get("Retry-After")); err == nil {
			c.RetryAfter = ra
		}
		var issued string
		switch {
		case c.Action == "token" && c.Status == http.StatusOK:
			var tok struct {
				AccessToken string `json:"access_token"`
				ExpiresIn   int    `json:"expires_in"`
			}
			_ = json.Unmarshal(sw.body, &tok)
			issued, c.ExpiresIn = tok.AccessToken, tok.ExpiresIn
		case c.Status == http.StatusUnauthorized:
			var eb graph.ErrorBody
			if json.Unmarshal(sw.body, &eb) == nil {
				c.Error = eb.Error.Code + ": " + eb.Error.Message
			}
		}
		wr.mu.Lock()
		c.Seq = wr.graphHit
		wr.graphHit++
		if len(wr.calls) < MaxCalls {
			wr.calls = append(wr.calls, c)
		} else {
			wr.dropped++
		}
		if issued != "" && len(wr.issued) < maxIssued {
			wr.issued = append(wr.issued, issued)
		}
		wr.mu.Unlock()
		if s.target.Observe != nil {
			s.target.Observe(c)
		}
	})
}

// refuseRevoked answers a request with a revoked token as Graph answers
// a token it no longer takes.
func refuseRevoked(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="", error="invalid_token", error_description="The token has been revoked"`)
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(w, `{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. The token has been revoked; get a new token."}}`)
}

var presenceActions = []string{"setPresence", "clearPresence", "setUserPreferredPresence", "clearUserPreferredPresence", "setStatusMessage"}

// classify fills the request's action, caller, target and body fields.
func classify(c *Call, r *http.Request, body []byte) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if lp := strings.ToLower(path); strings.HasSuffix(lp, "/oauth2/v2.0/token") || strings.HasSuffix(lp, "/oauth2/token") {
		c.Action = "token"
		_ = r.ParseForm()
		c.AppID, c.Grant = r.PostForm.Get("client_id"), r.PostForm.Get("grant_type")
		if id, _, ok := r.BasicAuth(); ok && c.AppID == "" {
			c.AppID = id
		}
		if c.AppID == "" {
			c.AppID = claim(r.PostForm.Get("client_assertion"), "iss") // RFC 7523: the assertion names the client
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		return
	}
	if !strings.HasPrefix(path, "/v1.0/") {
		c.Action = "identity"
		return
	}
	c.AppID = claim(bearer(r.Header.Get("Authorization")), "appid")
	segs := strings.Split(strings.TrimPrefix(path, "/v1.0/"), "/")
	switch {
	case len(segs) >= 1 && segs[0] == "users" && (len(segs) == 1 || len(segs) == 2) && r.Method == http.MethodGet:
		c.Action = "directory"
		return
	case len(segs) >= 3 && segs[0] == "users" && segs[2] == "presence":
		c.Target = segs[1]
		segs = segs[3:]
	case len(segs) >= 3 && segs[0] == "communications" && segs[1] == "presences":
		c.Target = segs[2]
		segs = segs[3:]
	case len(segs) >= 1 && segs[0] == "subscriptions":
		c.Action = "subscription"
		return
	case len(segs) == 2 && segs[0] == "communications" && segs[1] == "getPresencesByUserId":
		c.Action = "bulk"
		return
	default:
		c.Action = "other"
		return
	}
	if len(segs) == 0 {
		c.Action = "read"
		return
	}
	c.Action = "other"
	for _, a := range presenceActions {
		if strings.EqualFold(strings.TrimPrefix(segs[0], "microsoft.graph."), a) {
			c.Action = a
		}
	}
	var b struct {
		SessionID          *string `json:"sessionId"`
		Availability       string  `json:"availability"`
		Activity           string  `json:"activity"`
		ExpirationDuration string  `json:"expirationDuration"`
	}
	if json.Unmarshal(body, &b) == nil {
		if b.SessionID != nil {
			c.SessionID, c.HasSession = *b.SessionID, true
		}
		c.Availability, c.Activity = b.Availability, b.Activity
		c.pair, c.pairOK = parsePair(b.Availability, b.Activity)
		c.parsed = true
		if b.ExpirationDuration != "" {
			c.Expiration, _ = graph.ParseISODuration(b.ExpirationDuration)
		}
	}
}

// plain is the body as sent before compression: the Graph SDKs gzip their
// request bodies, and the fake accepts that; the harness reads the JSON.
func plain(encoding string, body []byte) []byte {
	if !strings.EqualFold(strings.TrimSpace(encoding), "gzip") {
		return body
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return body
	}
	out, err := io.ReadAll(io.LimitReader(zr, 1<<20))
	if err != nil {
		return body
	}
	return out
}

// bearer is the token of an Authorization header, the scheme matched in
// any case as Graph matches it (G-TLS-1).
func bearer(auth string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(auth), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// claim reads a string claim of a JWT without checking it (the fakes check
// tokens; the harness only needs to know who asked).
func claim(tok, name string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var cl map[string]any
	_ = json.Unmarshal(raw, &cl)
	v, _ := cl[name].(string)
	return v
}
