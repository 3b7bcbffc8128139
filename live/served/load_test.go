package served

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// loadClients is how many clients the mixed load runs; each owns one
// writer user of testdata/load-world.json, so writes never collide and every
// read after a write can be judged exactly.
const loadClients = 32

// loadDuration is 3 s so that go test stays fast; PRESENCESIM_LOAD_SECONDS
// runs longer (60 for the full run).
func loadDuration(t *testing.T) time.Duration {
	v := os.Getenv("PRESENCESIM_LOAD_SECONDS")
	if v == "" {
		return 3 * time.Second
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 3600 {
		t.Fatalf("PRESENCESIM_LOAD_SECONDS=%q: write whole seconds from 1 to 3600", v)
	}
	return time.Duration(n) * time.Second
}

// logSink collects what net/http logs, a recovered handler panic among it.
type logSink struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() < 1<<20 {
		s.b.Write(p)
	}
	return len(p), nil
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// captureLog routes the standard logger, which http.Server logs to, into a
// sink until the test ends.
func captureLog(t *testing.T) *logSink {
	s := &logSink{}
	prev := log.Writer()
	log.SetOutput(s)
	t.Cleanup(func() { log.SetOutput(prev) })
	return s
}

// webhook is a subscriber: it answers the validation handshake and records
// notifications.
type webhook struct {
	*httptest.Server
	mu       sync.Mutex
	notes    int
	withSeq  int
	notified map[string]int    // user id → notifications
	lastSeq  map[string]string // subscription/user → last sequenceNumber
	back     []string
}

func newWebhook(t *testing.T) *webhook {
	h := &webhook{notified: map[string]int{}, lastSeq: map[string]string{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *webhook) serve(w http.ResponseWriter, r *http.Request) {
	if tok := r.URL.Query().Get("validationToken"); tok != "" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, tok)
		return
	}
	var p struct {
		Value []struct {
			SubscriptionID string                     `json:"subscriptionId"`
			ResourceData   map[string]json.RawMessage `json:"resourceData"`
		} `json:"value"`
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if json.Unmarshal(b, &p) != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, v := range p.Value {
		var id, seq string
		_ = json.Unmarshal(v.ResourceData["id"], &id)
		h.notes++
		h.notified[strings.ToLower(id)]++
		if raw, ok := v.ResourceData["sequenceNumber"]; ok && json.Unmarshal(raw, &seq) == nil {
			// sequence numbers count per user and restart with a world;
			// a subscription belongs to one world
			h.withSeq++
			key := v.SubscriptionID + "/" + id
			if prev := h.lastSeq[key]; seq < prev && len(h.back) < 10 {
				h.back = append(h.back, fmt.Sprintf("subscription %s: sequenceNumber of %s went from %s to %s", v.SubscriptionID, id, prev, seq))
			}
			h.lastSeq[key] = seq
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *webhook) count(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.notified[strings.ToLower(id)]
}

// loadEnv is what the clients share: the server, its client, the subscriber
// and the failures found.
type loadEnv struct {
	srv   *Server
	c     *http.Client
	hook  *webhook
	start time.Time // the world's time when it is built; no world is earlier

	mu       sync.Mutex
	failures []string
	nfail    int
}

func (e *loadEnv) fail(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nfail++
	if len(e.failures) < 20 {
		e.failures = append(e.failures, fmt.Sprintf(format, args...))
	}
}

// snapshot is what a client knows of the world from /_presencesim/world.
type snapshot struct {
	tenant, appID, secret string
	ids, pw, upn          map[string]string
}

// timed is a presence the writer set: its value, a time no later than when
// the world took it, and how long it lasts.
type timed struct {
	on  bool
	p   string
	at  time.Time
	ttl time.Duration
}

func (t timed) String() string {
	if !t.on {
		return "none"
	}
	return fmt.Sprintf("%s set by %s for %s", t.p, t.at.Format(time.TimeOnly), t.ttl)
}

// writeModel is what a writer knows of its own user: its app session and
// preferred presence, in one world.
type writeModel struct {
	world          *live.World
	known          bool
	session, prefd timed
}

// possible is every presence the writer may read when the world's time is
// at most up; a zero up means no time has passed.
func (m writeModel) possible(up time.Time) []string {
	fade := teams.DefaultSettings().AppSessionFade
	var sess, prefs []string
	if s := m.session; s.on {
		sess = append(sess, s.p)
		if e := up.Sub(s.at); !up.IsZero() {
			if s.p == "Available/Available" && e >= fade {
				sess = append(sess, "Available/AvailableInactive")
			}
			if s.p == "Available/Available" && e >= 2*fade {
				sess = append(sess, "Away/Away")
			}
			if e >= s.ttl {
				sess = append(sess, "")
			}
		}
	} else {
		sess = append(sess, "")
	}
	if p := m.prefd; p.on {
		prefs = append(prefs, p.p)
		if !up.IsZero() && up.Sub(p.at) >= p.ttl {
			prefs = append(prefs, "")
		}
	} else {
		prefs = append(prefs, "")
	}
	var out []string
	for _, s := range sess {
		for _, p := range prefs {
			switch {
			case s == "": // no session: Offline whatever is preferred (T-AGG-3, T-AGG-4)
				out = append(out, "Offline/Offline")
			case p != "":
				out = append(out, p)
			default:
				out = append(out, s)
			}
		}
	}
	return out
}

type seqSeen struct {
	seq   string
	world *live.World
}

type clockSeen struct {
	t     time.Time
	world *live.World
}

// loadClient is one client goroutine with its own seeded random source.
type loadClient struct {
	e     *loadEnv
	n     int
	rnd   *rand.Rand
	name  string // the user this client writes and signs in as
	world snapshot
	app   string // app token
	user  string // delegated token of name
	model writeModel
	seen  map[string]seqSeen
	low   clockSeen
	sub   string // id of the subscription this client made, if any
	// tokWorld is the world the tokens were fetched from, for judging a 401
	tokWorld *live.World

	lat      map[string][]time.Duration
	statuses map[string]map[int]int
}

func newLoadClient(e *loadEnv, n int) *loadClient {
	return &loadClient{e: e, n: n, rnd: rand.New(rand.NewPCG(uint64(n), 0x5eed)), name: fmt.Sprintf("w%02d", n),
		seen: map[string]seqSeen{}, lat: map[string][]time.Duration{}, statuses: map[string]map[int]int{}}
}

// do makes one request and records its latency and status; a 5xx or a
// transport error is a failure (no faults are injected).
func (c *loadClient) do(kind, method, path, tok, ctype, body string) (int, []byte) {
	req, err := http.NewRequest(method, c.e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.e.fail("client %d: %s %s: %v", c.n, method, path, err)
		return 0, nil
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	t0 := time.Now()
	resp, err := c.e.c.Do(req)
	if err != nil {
		c.e.fail("client %d: %s %s: %v", c.n, method, path, err)
		return 0, nil
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.lat[kind] = append(c.lat[kind], time.Since(t0))
	if c.statuses[kind] == nil {
		c.statuses[kind] = map[int]int{}
	}
	c.statuses[kind][resp.StatusCode]++
	if err != nil {
		c.e.fail("client %d: %s %s: reading the answer: %v", c.n, method, path, err)
	}
	if resp.StatusCode >= 500 {
		c.e.fail("client %d: %s %s: %d %s", c.n, method, path, resp.StatusCode, truncate(string(b), 300))
	}
	return resp.StatusCode, b
}

func (c *loadClient) token(form url.Values) (string, int) {
	st, b := c.do("token", http.MethodPost, "/"+c.world.tenant+"/oauth2/v2.0/token", "", "application/x-www-form-urlencoded", form.Encode())
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if st == http.StatusOK && json.Unmarshal(b, &tok) == nil {
		return tok.AccessToken, st
	}
	return "", st
}

// refresh re-reads the world and fetches new tokens, as a client does after
// a reset made its tokens useless.
func (c *loadClient) refresh() bool {
	for range 5 {
		w0 := c.e.srv.World()
		st, b := c.do("world", http.MethodGet, "/_presencesim/world", "", "", "")
		var v worldView
		if st != http.StatusOK || json.Unmarshal(b, &v) != nil || len(v.Tenants) != 1 || len(v.Tenants[0].Apps) != 1 {
			c.e.fail("client %d: GET world: %d %s", c.n, st, truncate(string(b), 200))
			return false
		}
		ten := v.Tenants[0]
		s := snapshot{tenant: ten.ID, appID: ten.Apps[0].AppID, secret: ten.Apps[0].Secret, ids: map[string]string{}, pw: map[string]string{}, upn: map[string]string{}}
		for _, u := range ten.Users {
			s.ids[u.Name], s.pw[u.Name], s.upn[u.Name] = u.ID, u.Password, u.UserPrincipalName
		}
		c.world = s
		app, st1 := c.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {s.appID}, "client_secret": {s.secret}, "scope": {"https://graph.microsoft.com/.default"}})
		user, st2 := c.token(url.Values{"grant_type": {"password"}, "client_id": {s.appID}, "username": {s.upn[c.name]}, "password": {s.pw[c.name]}, "scope": {"https://graph.microsoft.com/.default"}})
		if app != "" && user != "" {
			c.app, c.user, c.tokWorld = app, user, w0
			return true
		}
		if c.e.srv.World() == w0 {
			c.e.fail("client %d: tokens of a world that did not change were refused: %d, %d", c.n, st1, st2)
			return false
		}
	}
	c.e.fail("client %d: the world was reset five times while it read it", c.n)
	return false
}

// graphCall calls Graph with the app's or the user's token; a 401 is
// expected only for an expired token or one of a world since reset, and is
// answered by fetching new ones.
func (c *loadClient) graphCall(kind, method, path string, delegated bool, body string) (int, []byte) {
	for try := 0; ; try++ {
		tok := c.app
		if delegated {
			tok = c.user
		}
		st, b := c.do(kind, method, path, tok, "application/json", body)
		if st != http.StatusUnauthorized {
			return st, b
		}
		msg := string(b)
		// only the fake knows whether it takes a token of an earlier world
		stale := strings.Contains(msg, "expired") || strings.Contains(msg, "not yet valid") || c.e.srv.World() != c.tokWorld
		if !stale || try == 3 {
			c.e.fail("client %d: %s %s refused a token it should take: %s", c.n, method, path, truncate(msg, 200))
			return st, b
		}
		if !c.refresh() {
			return st, b
		}
	}
}

func (c *loadClient) observe(id, seq string, w *live.World) {
	if prev, ok := c.seen[id]; ok && prev.world == w && seq < prev.seq {
		c.e.fail("client %d: sequenceNumber of %s went back from %s to %s", c.n, id, prev.seq, seq)
	}
	c.seen[id] = seqSeen{seq, w}
}

type presenceJSON struct {
	ID             string `json:"id"`
	Availability   string `json:"availability"`
	Activity       string `json:"activity"`
	SequenceNumber string `json:"sequenceNumber"`
}

// read reads one user's presence, or several through getPresencesByUserId,
// and checks each sequenceNumber against the last the client saw.
func (c *loadClient) read(bulk bool, ids ...string) (map[string]presenceJSON, bool) {
	w0 := c.e.srv.World()
	var st int
	var b []byte
	var got []presenceJSON
	if bulk {
		q, _ := json.Marshal(map[string][]string{"ids": ids})
		st, b = c.graphCall("bulk", http.MethodPost, "/v1.0/communications/getPresencesByUserId", false, string(q))
		var v struct {
			Value []presenceJSON `json:"value"`
		}
		if st == http.StatusOK && json.Unmarshal(b, &v) == nil {
			got = v.Value
		}
	} else {
		st, b = c.graphCall("read", http.MethodGet, "/v1.0/users/"+ids[0]+"/presence", false, "")
		var p presenceJSON
		if st == http.StatusOK && json.Unmarshal(b, &p) == nil {
			got = []presenceJSON{p}
		}
	}
	w1 := c.e.srv.World()
	if st != http.StatusOK || len(got) != len(ids) {
		if st != http.StatusUnauthorized {
			c.e.fail("client %d: reading %d presences: %d, %d answers: %s", c.n, len(ids), st, len(got), truncate(string(b), 200))
		}
		return nil, false
	}
	out := map[string]presenceJSON{}
	for _, p := range got {
		if p.SequenceNumber == "" {
			c.e.fail("client %d: presence of %s has no sequenceNumber", c.n, p.ID)
		}
		if w0 == w1 {
			c.observe(p.ID, p.SequenceNumber, w0)
		}
		out[p.ID] = p
	}
	return out, w0 == w1
}

func (c *loadClient) randomUsers(prefix string, n int) []string {
	var names []string
	for name := range c.world.ids {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	c.rnd.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	var ids []string
	for _, name := range names[:min(n, len(names))] {
		ids = append(ids, c.world.ids[name])
	}
	return ids
}

// lowerBound is a time the world had reached before now in world w.
func (c *loadClient) lowerBound(w *live.World) time.Time {
	if c.low.world == w {
		return c.low.t
	}
	return c.e.start
}

// clockNow reads the world's time; ok only when the world stayed w.
func (c *loadClient) clockNow(w *live.World) (time.Time, bool) {
	st, b := c.do("clock", http.MethodGet, "/_presencesim/clock", "", "", "")
	var v clockView
	if st != http.StatusOK || json.Unmarshal(b, &v) != nil {
		c.e.fail("client %d: GET clock: %d %s", c.n, st, truncate(string(b), 200))
		return time.Time{}, false
	}
	if c.e.srv.World() != w {
		return time.Time{}, false
	}
	c.low = clockSeen{v.Now, w}
	return v.Now, true
}

var (
	setPairs  = presence.SetPresencePairs.Pairs
	prefPairs = presence.PreferredPairs.Pairs
)

func pairJSON(p presence.Presence) string {
	return p.Availability.String() + "/" + p.Activity.String()
}

// write changes the client's own user and reads it back before any other
// write to it: what it reads must be what it wrote, or what the world's
// clock can have made of it meanwhile.
func (c *loadClient) write() {
	mine := c.world.ids[c.name]
	base := "/v1.0/users/" + mine + "/presence/"
	w0 := c.e.srv.World()
	if c.model.world != w0 || !c.model.known {
		if c.model.known {
			// a reset since the last write: the user is as the file made it
			c.model = writeModel{world: w0, known: true}
		} else {
			// the last write met a reset: clear both, then it is known
			st1, _ := c.graphCall("write", http.MethodPost, base+"clearUserPreferredPresence", false, `{}`)
			st2, _ := c.graphCall("write", http.MethodPost, base+"clearPresence", false, `{"sessionId":"`+c.world.appID+`"}`)
			if c.e.srv.World() != w0 || st1 != http.StatusOK || st2 != http.StatusOK && st2 != http.StatusNotFound {
				return
			}
			c.model = writeModel{world: w0, known: true}
		}
	}
	at := c.lowerBound(w0)
	var st int
	var b []byte
	m := c.model
	switch r := c.rnd.IntN(10); {
	case r < 5:
		p := setPairs[c.rnd.IntN(len(setPairs))]
		ttl := []time.Duration{time.Hour, 4 * time.Hour}[c.rnd.IntN(2)]
		body := fmt.Sprintf(`{"sessionId":%q,"availability":%q,"activity":%q,"expirationDuration":"PT%dH"}`, c.world.appID, p.Availability, p.Activity, int(ttl/time.Hour))
		st, b = c.graphCall("write", http.MethodPost, base+"setPresence", false, body)
		m.session = timed{true, pairJSON(p), at, ttl}
		if st != http.StatusOK {
			c.e.fail("client %d: setPresence %s: %d %s", c.n, pairJSON(p), st, truncate(string(b), 200))
		}
	case r < 7:
		st, b = c.graphCall("write", http.MethodPost, base+"clearPresence", false, `{"sessionId":"`+c.world.appID+`"}`)
		m.session = timed{}
		if st != http.StatusOK && st != http.StatusNotFound {
			c.e.fail("client %d: clearPresence: %d %s", c.n, st, truncate(string(b), 200))
		}
	case r < 9:
		p := prefPairs[c.rnd.IntN(len(prefPairs))]
		ttl, dur := presence.PreferredExpiry(p.Availability), ""
		if c.rnd.IntN(2) == 0 {
			ttl, dur = 8*time.Hour, `,"expirationDuration":"PT8H"`
		}
		body := fmt.Sprintf(`{"availability":%q,"activity":%q%s}`, p.Availability, p.Activity, dur)
		st, b = c.graphCall("write", http.MethodPost, base+"setUserPreferredPresence", false, body)
		m.prefd = timed{true, pairJSON(p), at, ttl}
		if st != http.StatusOK {
			c.e.fail("client %d: setUserPreferredPresence %s: %d %s", c.n, pairJSON(p), st, truncate(string(b), 200))
		}
	default:
		st, b = c.graphCall("write", http.MethodPost, base+"clearUserPreferredPresence", false, `{}`)
		m.prefd = timed{}
		if st != http.StatusOK {
			c.e.fail("client %d: clearUserPreferredPresence: %d %s", c.n, st, truncate(string(b), 200))
		}
	}
	ids := []string{mine}
	bulk := c.rnd.IntN(3) == 0
	if bulk {
		ids = append(ids, c.randomUsers("e", 2)...)
	}
	got, stable := c.read(bulk, ids...)
	if c.e.srv.World() != w0 || !stable || st != http.StatusOK && st != http.StatusNotFound {
		c.model = writeModel{world: c.e.srv.World()}
		return
	}
	c.model = m
	p, ok := got[mine]
	if !ok {
		return
	}
	read := p.Availability + "/" + p.Activity
	if slices.Contains(m.possible(time.Time{}), read) {
		return
	}
	// the clock may have moved since: judge against what it can have done
	up, ok := c.clockNow(w0)
	if !ok {
		c.model = writeModel{world: c.e.srv.World()}
		return
	}
	if want := m.possible(up); !slices.Contains(want, read) {
		c.e.fail("client %d: lost write: %s read %s, want one of %v (session %s, preferred %s, clock %s)", c.n, c.name, read, want, m.session, m.prefd, up.Format(time.TimeOnly))
		c.model = writeModel{world: w0}
	}
}

var loadEvents = []event.Op{event.SignIn, event.SignOut, event.Use, event.GoIdle, event.Lock, event.Unlock, event.Sleep, event.Wake, event.StartCall, event.EndCall,
	event.JoinMeeting, event.LeaveMeeting, event.StartPresenting, event.StopPresenting, event.SetManual, event.ResetManual, event.AutoRepliesOn, event.AutoRepliesOff}

// event posts a simulated happening to an event user; the model may refuse
// one that is not possible now (400).
func (c *loadClient) event() {
	users := c.randomUsers("e", 2)
	name := func(id string) string {
		for n, x := range c.world.ids {
			if x == id {
				return n
			}
		}
		return id
	}
	ev := event.Event{Op: loadEvents[c.rnd.IntN(len(loadEvents))]}
	if ev.Op.People() > 0 {
		ev.Users = []string{name(users[0])}
	}
	switch ev.Op {
	case event.SignIn, event.SignOut, event.Use, event.GoIdle:
		ev.Client = teams.ClientKinds()[c.rnd.IntN(3)]
	case event.StartCall:
		ev.Users = []string{name(users[0]), name(users[1])}
	case event.SetManual:
		ev.Presence, ev.For = presence.PreferredPairs.Pairs[c.rnd.IntN(len(presence.PreferredPairs.Pairs))], 30*time.Minute
	}
	b, err := ev.EncodeJSON()
	if err != nil {
		c.e.fail("client %d: %v", c.n, err)
		return
	}
	st, body := c.do("event", http.MethodPost, "/_presencesim/events", "", "application/json", string(b))
	if st != http.StatusOK && st != http.StatusBadRequest {
		c.e.fail("client %d: event %s: %d %s", c.n, b, st, truncate(string(body), 200))
	}
}

// subscribe makes, renews, reads or deletes the client's own subscription
// to a few event users, as its writer user with a delegated token.
func (c *loadClient) subscribe() {
	w0 := c.e.srv.World()
	now, ok := c.clockNow(w0)
	if !ok {
		return
	}
	exp := now.Add(45 * time.Minute).UTC().Format(time.RFC3339)
	// the clock may move on meanwhile: an expiry now in the past is refused
	tolerated := func(st int, b []byte) bool {
		return st == http.StatusBadRequest && strings.Contains(string(b), "expiration")
	}
	if c.sub == "" {
		var q []string
		for _, id := range c.randomUsers("e", 3) {
			q = append(q, "'"+id+"'")
		}
		body, _ := json.Marshal(map[string]string{"changeType": "updated", "notificationUrl": fmt.Sprintf("%s/c%02d", c.e.hook.URL, c.n),
			"resource": "communications/presences?$filter=id in (" + strings.Join(q, ",") + ")", "expirationDateTime": exp, "clientState": c.name})
		st, b := c.graphCall("subscribe", http.MethodPost, "/v1.0/subscriptions", true, string(body))
		switch {
		case st == http.StatusCreated:
			var s struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(b, &s)
			c.sub = s.ID
		case st == http.StatusConflict:
			c.dropOwnSubscriptions()
		case !tolerated(st, b) && st != http.StatusUnauthorized:
			c.e.fail("client %d: POST subscription: %d %s", c.n, st, truncate(string(b), 300))
		}
		return
	}
	path := "/v1.0/subscriptions/" + c.sub
	switch c.rnd.IntN(3) {
	case 0:
		st, b := c.graphCall("subscribe", http.MethodGet, path, true, "")
		if st == http.StatusNotFound {
			c.sub = "" // expired, or gone with a reset
		} else if st != http.StatusOK && st != http.StatusUnauthorized {
			c.e.fail("client %d: GET subscription: %d %s", c.n, st, truncate(string(b), 200))
		}
	case 1:
		st, b := c.graphCall("subscribe", http.MethodPatch, path, true, `{"expirationDateTime":"`+exp+`"}`)
		if st == http.StatusNotFound {
			c.sub = ""
		} else if st != http.StatusOK && st != http.StatusUnauthorized && !tolerated(st, b) {
			c.e.fail("client %d: PATCH subscription: %d %s", c.n, st, truncate(string(b), 200))
		}
	default:
		st, b := c.graphCall("subscribe", http.MethodDelete, path, true, "")
		if st != http.StatusNoContent && st != http.StatusNotFound && st != http.StatusUnauthorized {
			c.e.fail("client %d: DELETE subscription: %d %s", c.n, st, truncate(string(b), 200))
		}
		c.sub = ""
	}
}

// dropOwnSubscriptions deletes the live subscriptions the client's user
// made and lost track of (a 409 says there is one).
func (c *loadClient) dropOwnSubscriptions() {
	st, b := c.graphCall("subscribe", http.MethodGet, "/v1.0/subscriptions", true, "")
	var v struct {
		Value []struct {
			ID        string `json:"id"`
			CreatorID string `json:"creatorId"`
		} `json:"value"`
	}
	if st != http.StatusOK || json.Unmarshal(b, &v) != nil {
		if st != http.StatusUnauthorized {
			c.e.fail("client %d: GET subscriptions: %d %s", c.n, st, truncate(string(b), 200))
		}
		return
	}
	for _, s := range v.Value {
		if strings.EqualFold(s.CreatorID, c.world.ids[c.name]) {
			c.graphCall("subscribe", http.MethodDelete, "/v1.0/subscriptions/"+s.ID, true, "")
		}
	}
}

func (c *loadClient) advance() {
	w0 := c.e.srv.World()
	st, b := c.do("clock", http.MethodPost, "/_presencesim/clock", "", "application/json", `{"advance":"1m"}`)
	var v clockView
	if st != http.StatusOK || json.Unmarshal(b, &v) != nil {
		c.e.fail("client %d: advancing the clock: %d %s", c.n, st, truncate(string(b), 200))
		return
	}
	if c.e.srv.World() == w0 {
		c.low = clockSeen{v.Now, w0}
	}
}

func (c *loadClient) reset() {
	if st, b := c.do("reset", http.MethodPost, "/_presencesim/reset", "", "", ""); st != http.StatusOK {
		c.e.fail("client %d: reset: %d %s", c.n, st, truncate(string(b), 200))
	}
	c.refresh()
}

// run draws operations until the deadline. Weights are per thousand; a
// reset is rare, since it makes every client start over.
func (c *loadClient) run(deadline time.Time) {
	if !c.refresh() {
		return
	}
	for time.Now().Before(deadline) {
		if c.rnd.IntN(3000) == 0 {
			c.reset()
			continue
		}
		switch r := c.rnd.IntN(1000); {
		case r < 300:
			ids := c.randomUsers("", 1)
			c.read(false, ids...)
		case r < 400:
			c.read(true, c.randomUsers("", 1+c.rnd.IntN(8))...)
		case r < 700:
			c.write()
		case r < 870:
			c.event()
		case r < 950:
			c.subscribe()
		case r < 953:
			c.advance()
		case r < 990:
			c.clockNow(c.e.srv.World())
		default:
			c.refresh()
		}
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

// TestMixedLoad runs 32 clients of reads, writes, subscriptions, control
// events, clock moves and resets against a served world over loopback HTTP
// (throttling off, so that no client is refused for the others' traffic):
// no 5xx, no panic, no lost write, no sequenceNumber going back.
func TestMixedLoad(t *testing.T) {
	sink := captureLog(t)
	wf, err := LoadWorldFile("testdata/load-world.json")
	if err != nil {
		t.Fatal(err)
	}
	hook := newWebhook(t)
	srv, err := NewServer(wf, Options{Clock: live.Clock{Manual: true}, Graph: graph.Options{Throttle: graph.Throttle{Off: true}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e := &loadEnv{srv: srv, c: srv.Client(), hook: hook}
	probe := newLoadClient(e, loadClients)
	if e.start, _ = probe.clockNow(srv.World()); e.start.IsZero() {
		t.Fatal("no clock")
	}
	d := loadDuration(t)
	deadline := time.Now().Add(d)
	clients := make([]*loadClient, loadClients)
	var wg sync.WaitGroup
	for i := range clients {
		clients[i] = newLoadClient(e, i)
		wg.Add(1)
		go func() { defer wg.Done(); clients[i].run(deadline) }()
	}
	wg.Wait()
	elapsed := d + time.Since(deadline)

	// After the load, a fresh subscriber still hears of a change.
	sentinel := newLoadClient(e, loadClients+1)
	sentinel.name = "sentinel"
	if sentinel.refresh() {
		id := sentinel.world.ids["sentinel"]
		now, _ := sentinel.clockNow(srv.World())
		body, _ := json.Marshal(map[string]string{"changeType": "updated", "notificationUrl": hook.URL + "/sentinel",
			"resource": "communications/presences/" + id, "expirationDateTime": now.Add(30 * time.Minute).UTC().Format(time.RFC3339)})
		if st, b := sentinel.graphCall("subscribe", http.MethodPost, "/v1.0/subscriptions", true, string(body)); st != http.StatusCreated {
			t.Errorf("subscribing after the load: %d %s", st, b)
		}
		before := hook.count(id)
		sentinel.graphCall("write", http.MethodPost, "/v1.0/users/"+id+"/presence/setPresence", false,
			`{"sessionId":"`+sentinel.world.appID+`","availability":"Busy","activity":"InACall","expirationDuration":"PT1H"}`)
		waitFor(t, func() (bool, string) {
			return hook.count(id) > before, "no notification of the sentinel's change after the load"
		})
	}

	lat := map[string][]time.Duration{}
	statuses := map[string]map[int]int{}
	var all []time.Duration
	for _, c := range append(clients, probe, sentinel) {
		for k, v := range c.lat {
			lat[k] = append(lat[k], v...)
			all = append(all, v...)
		}
		for k, m := range c.statuses {
			if statuses[k] == nil {
				statuses[k] = map[int]int{}
			}
			for st, n := range m {
				statuses[k][st] += n
			}
		}
	}
	slices.Sort(all)
	t.Logf("%d requests from %d clients in %s (%.0f/s), %d resets; latency p50 %s, p99 %s, max %s",
		len(all), loadClients, elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(), srv.Resets(),
		percentile(all, 0.50), percentile(all, 0.99), all[len(all)-1])
	kinds := make([]string, 0, len(lat))
	for k := range lat {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		v := lat[k]
		slices.Sort(v)
		t.Logf("  %-9s %6d  p50 %-9s p99 %-9s max %-9s statuses %v", k, len(v), percentile(v, 0.50), percentile(v, 0.99), v[len(v)-1], statuses[k])
	}
	hook.mu.Lock()
	t.Logf("webhook: %d notifications, %d with a sequenceNumber", hook.notes, hook.withSeq)
	for _, b := range hook.back {
		t.Error(b)
	}
	hook.mu.Unlock()
	e.mu.Lock()
	for _, f := range e.failures {
		t.Error(f)
	}
	if e.nfail > len(e.failures) {
		t.Errorf("… %d failures in all", e.nfail)
	}
	e.mu.Unlock()
	if s := sink.String(); strings.Contains(s, "panic") {
		t.Errorf("the server logged a panic:\n%s", truncate(s, 4000))
	}
}
