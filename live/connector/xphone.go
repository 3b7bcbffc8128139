package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/sim/presence"
)

// EnvXPhoneURL names the XPhone Connect server's API root (ends in
// /xphone) for an XPhone connector.
const EnvXPhoneURL = "PRESENCESIM_XPHONE_URL"

// XPhoneOptions are the reference XPhone connector's decided values; the
// durations are virtual time.
type XPhoneOptions struct {
	// Expiration is the expirationDuration of its session (5 min); it is
	// rewritten every third of it while the state holds (C-2).
	Expiration time.Duration
	// SubscriptionLife (30 min), StaleAfter and Poll are the reading
	// side's, as the presence reader's (NimbusOptions). A life beyond
	// Graph's 10-minute lifecycle lead keeps reauthorizationRequired
	// notices from coming at every renewal.
	SubscriptionLife time.Duration
	StaleAfter       time.Duration
	Poll             time.Duration
	// RestPoll is how often the users beyond the subscription's 650 are
	// read in bulk (1 min): 20,000 users take 30 reads each time.
	RestPoll time.Duration
	// Tick is how often (real time) the connector looks at its state.
	Tick time.Duration
	// Fault plants one of the XPhone faults.
	Fault Fault
}

func (o *XPhoneOptions) defaults() {
	if o.Expiration <= 0 {
		o.Expiration = 5 * time.Minute
	}
	if o.SubscriptionLife <= 0 {
		o.SubscriptionLife = 30 * time.Minute
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 30 * time.Second
	}
	if o.RestPoll <= 0 {
		o.RestPoll = time.Minute
	}
	if o.Tick <= 0 {
		o.Tick = 20 * time.Millisecond
	}
}

// The names XPhone Connect shows (seed 001).
const (
	teamsCallText    = "Am Telefon (MS Teams)"
	teamsMeetingText = "Besprechung (MS Teams)"
	teamsProfile     = "MS Teams"
	apptProfile      = "Termin"
	echoRepeats      = 20
	// echoGrace is how long after clearing its session a read of that
	// session's pair still counts as its own (virtual time).
	echoGrace = 30 * time.Second
)

// xpUser is a user of the XPhone server as GET /xphone/users shows it.
type xpUser struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Profiles []struct {
		Name         string `json:"name"`
		Availability string `json:"availability"`
	} `json:"profiles"`
	Selected     string `json:"selected"`
	Calls        int    `json:"calls"`
	Meetings     int    `json:"meetings"`
	Appointments []struct {
		ID     int    `json:"id"`
		Source string `json:"source"`
	} `json:"appointments"`
}

func (u xpUser) profileDND(name string) bool {
	for _, p := range u.Profiles {
		if strings.EqualFold(p.Name, name) {
			return p.Availability == "DoNotDisturb"
		}
	}
	return false
}

// firstNotDND is the profile XPhone returns to from a Do not disturb it
// knows nothing before: the first that is not one.
func (u xpUser) firstNotDND() string {
	for _, p := range u.Profiles {
		if p.Availability != "DoNotDisturb" {
			return p.Name
		}
	}
	return ""
}

func (u xpUser) has(name string) bool {
	for _, p := range u.Profiles {
		if strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

// xpSync is what the connector keeps per user.
type xpSync struct {
	session     presence.Presence // its own session, when written
	hasSession  bool
	written     time.Time // real time of the last session write
	cleared     time.Time // real time it cleared its session
	ownDND      bool      // it wrote preferred DoNotDisturb
	sawOwnDND   bool      // Teams has shown it since
	mirroredDND bool      // it selected a DND profile for Teams' DND
	before      string    // the profile before (XP-14)
	lastOwn     string    // the last profile not selected for Teams
	appt        int       // the appointment it keeps, and for what
	apptSource  string
	echoes      int
	// awaitSel is a profile it selected that the XPhone server's answers
	// do not show yet: until they do, it counts as selected.
	awaitSel string
	// retry: a request for the user failed, the next pass tries again
	retry bool
}

// xpSub is a subscription of at most MaxIDs users (G-SUB-1).
type xpSub struct {
	ids     []string
	id      string
	exp     time.Time
	try     time.Time
	renewed time.Time // real time of the last renewal: a lifecycle notice renews at most every quarter life
}

// xphoneConn is the reference XPhone Connect sync: XPhone's calls and
// meetings go to Teams as its own session, a Do-not-disturb profile as
// preferred presence; Teams calls and meetings come back as appointments,
// Teams' Do-not-disturb as the first DND profile. It reads Teams by a
// subscription, polling when notifications stop, and never writes back
// what it wrote itself (XP-13).
type xphoneConn struct {
	env    Env
	opt    XPhoneOptions
	app    *graphClient // writes, as the application
	reader *graphClient // reads, as the presence account
	hc     *http.Client
	logw   io.Writer
	base   string

	mu       sync.Mutex
	dirty    map[string]bool
	lastNote time.Time
	renewNow bool
	xp       map[string]xpUser // a pass copies out the users it looks at
	xpVer    uint64
	touched  map[string]bool // users the XPhone server changed since the last pass

	ids  []string
	view map[string]graphPresence
	sync map[string]*xpSync
	// again are the users the next pass looks at: changed in XPhone or in
	// Teams, with a session to keep fresh, a selection or a clear to see
	// through, or a request to retry. A pass over a tenant of thousands
	// looks at those, not at everyone.
	again    map[string]bool      // under mu, as the lanes' fields
	due      map[string]time.Time // sessions: when each falls due for a refresh
	inB      map[string]bool      // the users of the second lane's batch
	bRunning bool
	viewMu   sync.RWMutex // view: the second lane reads it beside the takes
	subs     []*xpSub
	rest     []string                 // the users beyond the subscription's 650, polled
	polled   map[string]graphPresence // what the reads read, for the next pass
	// unsubscribed counts the subscriptions not made (under mu): the
	// reads poll everyone meanwhile
	unsubscribed int
	bg           sync.WaitGroup
	lastPoll     time.Time
	lastRest     time.Time
	hookURL      string

	views      chan xpView
	unreported int // reports dropped, the queue full
}

// RunXPhone runs the reference XPhone connector until ctx ends.
func RunXPhone(ctx context.Context, env Env, opt XPhoneOptions, logw io.Writer) error {
	opt.defaults()
	if env.XPhoneURL == "" {
		return fmt.Errorf("an XPhone connector reads the XPhone server: set %s", EnvXPhoneURL)
	}
	if env.Username == "" || env.Password == "" {
		return fmt.Errorf("an XPhone connector subscribes to presence as a presence account: set %s and %s", EnvUsername, EnvPassword)
	}
	if logw == nil {
		logw = io.Discard
	}
	hc, err := env.HTTPClient(10 * time.Second)
	if err != nil {
		return err
	}
	long, err := env.HTTPClient(MaxPoll + 10*time.Second)
	if err != nil {
		return err
	}
	c := &xphoneConn{env: env, opt: opt, hc: hc, logw: logw, base: env.XPhoneURL,
		app: &graphClient{env: env, http: hc}, reader: &graphClient{env: env, http: hc, delegated: true},
		dirty: map[string]bool{}, lastNote: time.Now(), xp: map[string]xpUser{}, touched: map[string]bool{}, view: map[string]graphPresence{},
		sync: map[string]*xpSync{}, again: map[string]bool{}, due: map[string]time.Time{}, inB: map[string]bool{}, views: make(chan xpView, maxViewsQueued), polled: map[string]graphPresence{}}
	defer c.bg.Wait()
	c.app.peer, c.reader.peer = c.reader, c.app
	c.app.budget = newBudget(env.limit())
	c.reader.budget = c.app.budget
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(c.hook), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	c.hookURL = "http://" + l.Addr().String() + "/notifications"
	c.logf("xphone connector: Graph %s, XPhone %s, notifications at %s, time scale %g", env.GraphURL, env.XPhoneURL, c.hookURL, env.TimeScale)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.followXPhone(ctx, long) }()
	wg.Add(1)
	go func() { defer wg.Done(); c.reporter(ctx) }()
	defer wg.Wait()
	t := time.NewTicker(opt.Tick)
	defer t.Stop()
	for {
		c.step(ctx)
		select {
		case <-ctx.Done():
			c.logf("xphone connector: stopped")
			return nil
		case <-t.C:
		}
	}
}

// graph makes one Graph request as the application or the presence
// account; both wait out the same Retry-After and backoff, since Graph
// throttles the connector's app as one (C-5).
func (c *xphoneConn) graph(g *graphClient, ctx context.Context, method, path string, body, out any) error {
	err := g.do(ctx, method, path, body, out)
	a, b := c.app, c.reader
	a.mu.Lock()
	b.mu.Lock()
	if ge, ok := err.(*graphError); ok && ge.Status == http.StatusUnauthorized {
		// one app registration: a token of it refused, neither is trusted
		a.token, b.token = "", ""
	}
	nb, bo := a.notBefore, max(a.backoff, b.backoff)
	if b.notBefore.After(nb) {
		nb = b.notBefore
	}
	a.notBefore, b.notBefore = nb, nb
	if err != nil {
		a.backoff, b.backoff = bo, bo
	}
	b.mu.Unlock()
	a.mu.Unlock()
	return err
}

// MaxPoll is the wait of each long poll of the XPhone server.
const MaxPoll = 2 * time.Second

func (c *xphoneConn) logf(format string, a ...any) {
	c.mu.Lock()
	fmt.Fprintf(c.logw, format+"\n", a...)
	c.mu.Unlock()
}

// followXPhone long-polls the XPhone server for its users.
func (c *xphoneConn) followXPhone(ctx context.Context, hc *http.Client) {
	for ctx.Err() == nil {
		c.mu.Lock()
		after, first := c.xpVer, len(c.xp) == 0
		c.mu.Unlock()
		u := c.base + "/users"
		if !first {
			// the first read answers at once with everyone; later ones wait
			// for a change and answer only the users changed
			u += "?after=" + strconv.FormatUint(after, 10) + "&wait=" + MaxPoll.String() + "&changed=true"
		}
		var res struct {
			Version uint64   `json:"version"`
			Value   []xpUser `json:"value"`
		}
		if err := c.xphone(ctx, hc, http.MethodGet, u, nil, &res); err != nil {
			if ctx.Err() == nil {
				c.logf("xphone connector: reading the XPhone server: %v", err)
				select {
				case <-ctx.Done():
				case <-time.After(500 * time.Millisecond):
				}
			}
			continue
		}
		c.mu.Lock()
		for _, x := range res.Value {
			c.xp[strings.ToLower(x.ID)] = x
			c.touched[strings.ToLower(x.ID)] = true
		}
		c.xpVer = res.Version
		c.mu.Unlock()
	}
}

// maxXPhoneAnswer bounds an answer of the XPhone server: the first list
// of a tenant of 100,000 users, about 400 bytes each.
const maxXPhoneAnswer = 64 << 20

// xphone makes one request to the XPhone server.
func (c *xphoneConn) xphone(ctx context.Context, hc *http.Client, method, u string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxXPhoneAnswer+1))
	if len(data) > maxXPhoneAnswer {
		return fmt.Errorf("%s %s answered more than %d MiB", method, u, maxXPhoneAnswer>>20)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s answered %d: %s", method, u, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// hook answers Graph's validation and notifications at once.
func (c *xphoneConn) hook(w http.ResponseWriter, r *http.Request) {
	ids, lifecycle, done := answerGraph(w, r)
	if done {
		return
	}
	c.mu.Lock()
	c.lastNote = time.Now()
	c.renewNow = c.renewNow || lifecycle
	for _, id := range ids {
		c.dirty[id] = true
	}
	c.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (c *xphoneConn) step(ctx context.Context) {
	c.mu.Lock()
	known := len(c.xp) > 0
	if known && c.ids == nil {
		for id := range c.xp {
			c.ids = append(c.ids, id)
		}
	}
	renew := c.renewNow
	c.renewNow = false
	c.mu.Unlock()
	if !known {
		return // the XPhone server has not answered yet
	}
	if c.subs == nil {
		sort.Strings(c.ids)
		// Graph takes one presence subscription per account and app, of
		// at most 650 ids (G-SUB-1): the rest are read in bulk every Poll
		c.subs = []*xpSub{{ids: c.ids[:min(len(c.ids), MaxIDs)]}}
		c.mu.Lock()
		c.unsubscribed = len(c.subs)
		c.mu.Unlock()
		c.rest = c.ids[len(c.subs[0].ids):]
		if len(c.rest) > 0 {
			c.bg.Add(1)
			go func() { defer c.bg.Done(); c.readLoop(ctx) }()
		}
		c.mu.Lock()
		for _, id := range c.ids {
			c.again[id] = true
			c.sync[id] = &xpSync{lastOwn: c.xp[id].firstNotDND()}
		}
		c.mu.Unlock()
		c.logf("xphone connector: syncing %d users", len(c.ids))
	}
	for _, sb := range c.subs {
		switch {
		case sb.id == "" && time.Since(sb.try) >= c.env.Real(30*time.Second):
			c.subscribe(ctx, sb)
		case sb.id != "" && (renew && time.Since(sb.renewed) >= c.env.Real(c.opt.SubscriptionLife/4) || c.reader.now().After(sb.exp.Add(-c.opt.SubscriptionLife*3/4))):
			c.renew(ctx, sb)
		}
	}
	if len(c.rest) == 0 {
		// a tenant that fits one subscription is read in the pass, one
		// request after the other, as a Retry-After finds none in flight
		c.readOnce(ctx, &c.lastRest)
	}
	c.mu.Lock()
	polled := c.polled
	c.polled = map[string]graphPresence{}
	c.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(polled)) {
		c.take(ctx, id, polled[id])
	}
	// what XPhone shows now, not before the reads: the reads may take a
	// while (a subscription's validation), and XPhone may have changed
	// Two lanes: the users XPhone changed and the sessions due for a
	// refresh go first, each pass; the others (Teams' changes to mirror,
	// the start's backlog) go maxPass at a time beside them, the next
	// batch when the last is done. A user is in one lane at a time. An
	// XPhone call that has just started does not wait behind a tenant's
	// mirrored Teams changes (C-12).
	now := time.Now()
	c.mu.Lock()
	var first []string
	for _, id := range slices.Sorted(maps.Keys(c.touched)) {
		if !c.inB[id] && len(first) < maxPass {
			first = append(first, id)
			delete(c.touched, id)
			delete(c.again, id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.due)) {
		if !c.inB[id] && !slices.Contains(first, id) && !now.Before(c.due[id]) && len(first) < maxPass {
			first = append(first, id)
			delete(c.due, id)
			delete(c.again, id)
		}
	}
	var second []string
	if !c.bRunning && len(c.again) > 0 {
		for _, id := range slices.Sorted(maps.Keys(c.again)) {
			if len(second) == maxPass {
				break
			}
			if !slices.Contains(first, id) {
				second = append(second, id)
				c.inB[id] = true
			}
		}
		for _, id := range second {
			delete(c.again, id)
		}
		c.bRunning = len(second) > 0
	}
	xp := make(map[string]xpUser, len(first)+len(second))
	for _, id := range append(slices.Clone(first), second...) {
		xp[id] = c.xp[id]
	}
	c.mu.Unlock()
	sync1 := func(ctx context.Context, id string) {
		x, ok := xp[id]
		if !ok || x.ID == "" {
			return
		}
		st := c.sync[id]
		if st == nil {
			return // not among the users of the XPhone server's first answer
		}
		st.retry = false
		if st.awaitSel != "" {
			if strings.EqualFold(x.Selected, st.awaitSel) {
				st.awaitSel = ""
			} else {
				x.Selected = st.awaitSel
			}
		}
		c.toTeams(ctx, id, x, st)
		c.toXPhone(ctx, id, x, st)
		c.mu.Lock()
		if st.retry || st.awaitSel != "" || !st.cleared.IsZero() && time.Since(st.cleared) < c.env.Real(echoGrace) {
			c.again[id] = true
		}
		if st.hasSession {
			c.due[id] = st.written.Add(c.env.Real(c.opt.Expiration / 3))
		} else {
			delete(c.due, id)
		}
		c.mu.Unlock()
	}
	if len(c.rest) == 0 {
		// one lane for a tenant that fits one subscription
		reconcilePass(ctx, xphoneWriters, func() []string { return append(first, second...) }, sync1)
		c.mu.Lock()
		for _, id := range second {
			delete(c.inB, id)
		}
		c.bRunning = false
		c.mu.Unlock()
		return
	}
	if len(second) > 0 {
		c.bg.Add(1)
		go func() {
			defer c.bg.Done()
			reconcilePass(ctx, xphoneWriters, func() []string { return second }, sync1)
			c.mu.Lock()
			for _, id := range second {
				delete(c.inB, id)
			}
			c.bRunning = false
			c.mu.Unlock()
		}()
	}
	reconcilePass(ctx, xphoneWriters, func() []string { return first }, sync1)
}

// maxPass bounds the users one pass looks at.
const maxPass = 256

func (c *xphoneConn) stale() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.unsubscribed > 0 || time.Since(c.lastNote) > c.env.Real(c.opt.StaleAfter)
}

var (
	inACall = presence.Of(presence.Busy, presence.InACall)
	dndPair = presence.Of(presence.DoNotDisturb, presence.ActDoNotDisturb)
	// dndSession is what the dnd-as-session fault writes: the only
	// Do-not-disturb pair setPresence takes (G-SET-1).
	dndSession = presence.Of(presence.DoNotDisturb, presence.Presenting)
)

// toTeams writes XPhone's own state: calls and meetings as its session
// (XP-2, XP-3), a Do-not-disturb profile as preferred presence (XP-10).
func (c *xphoneConn) toTeams(ctx context.Context, id string, x xpUser, st *xpSync) {
	if !st.mirroredDND && !x.profileDND(x.Selected) {
		st.lastOwn = x.Selected
	}
	wantDND := x.profileDND(x.Selected) && !st.mirroredDND
	want, has := presence.Presence{}, false
	switch {
	case x.Calls > 0 || x.Meetings > 0:
		want, has = inACall, true
	case wantDND && c.opt.Fault == DNDAsSession:
		want, has = dndSession, true
	}
	path := "/users/" + url.PathEscape(id) + "/presence/"
	switch {
	case has && (!st.hasSession || st.session != want || time.Since(st.written) >= c.env.Real(c.opt.Expiration/3)):
		body := map[string]string{"sessionId": c.env.ClientID, "availability": want.Availability.String(), "activity": want.Activity.String(), "expirationDuration": isoDuration(c.opt.Expiration)}
		if err := c.graph(c.app, ctx, http.MethodPost, path+"setPresence", body, nil); err != nil {
			c.logf("xphone connector: %s: setPresence %s: %v", x.Name, want.Short(), err)
			st.retry = true
			return
		}
		if !st.hasSession || st.session != want {
			c.logf("xphone connector: %s: setPresence %s", x.Name, want.Short())
		}
		st.session, st.hasSession, st.written, st.echoes = want, true, time.Now(), 0
	case !has && st.hasSession:
		err := c.graph(c.app, ctx, http.MethodPost, path+"clearPresence", map[string]string{"sessionId": c.env.ClientID}, nil)
		if ge, ok := err.(*graphError); ok && ge.Status == http.StatusNotFound {
			err = nil // the session expired before: nothing left to clear
		}
		if err != nil {
			c.logf("xphone connector: %s: clearPresence: %v", x.Name, err)
			st.retry = true
			return
		}
		c.logf("xphone connector: %s: clearPresence", x.Name)
		st.hasSession, st.cleared = false, time.Now()
	}
	if c.opt.Fault == DNDAsSession {
		return
	}
	switch {
	case wantDND && !st.ownDND:
		// no expirationDuration: Teams resets a Do-not-disturb after 24 h (XP-10)
		body := map[string]string{"availability": "DoNotDisturb", "activity": "DoNotDisturb"}
		if err := c.graph(c.app, ctx, http.MethodPost, path+"setUserPreferredPresence", body, nil); err != nil {
			c.logf("xphone connector: %s: setUserPreferredPresence: %v", x.Name, err)
			st.retry = true
			return
		}
		c.logf("xphone connector: %s: setUserPreferredPresence DoNotDisturb", x.Name)
		st.ownDND, st.sawOwnDND = true, false
	case !wantDND && st.ownDND:
		if err := c.graph(c.app, ctx, http.MethodPost, path+"clearUserPreferredPresence", map[string]string{}, nil); err != nil {
			c.logf("xphone connector: %s: clearUserPreferredPresence: %v", x.Name, err)
			st.retry = true
			return
		}
		c.logf("xphone connector: %s: clearUserPreferredPresence", x.Name)
		st.ownDND = false
	}
}

// toXPhone mirrors what Teams shows of its own into XPhone: calls and
// meetings as an appointment (XP-4, XP-7, deleted when they end, XP-8),
// Do-not-disturb as the first DND profile (XP-6), returning to the
// profile before (XP-14). What it wrote itself it ignores (XP-13).
func (c *xphoneConn) toXPhone(ctx context.Context, id string, x xpUser, st *xpSync) {
	c.viewMu.RLock()
	gp, ok := c.view[id]
	c.viewMu.RUnlock()
	if !ok {
		return
	}
	a, _ := presence.ParseAvailability(gp.Availability)
	act, _ := presence.ParseActivity(gp.Activity)
	p := presence.Of(a, act)
	// a read of its own session may come in after it cleared it: within
	// a grace after the clear, that pair is still its own
	ownSession := st.hasSession || (!st.cleared.IsZero() && time.Since(st.cleared) < c.env.Real(echoGrace))
	echo := (ownSession && p == st.session) || (st.ownDND && a == presence.DoNotDisturb)
	if st.ownDND && a == presence.DoNotDisturb {
		st.sawOwnDND = true
	}
	if st.ownDND && st.sawOwnDND && a != presence.DoNotDisturb && a != presence.Offline {
		// Teams ended its Do-not-disturb (the 24 h reset, or a reset in
		// Teams): XPhone follows, back to the profile before (XP-10).
		c.logf("xphone connector: %s: Teams ended the Do not disturb; back to %q", x.Name, st.lastOwn)
		st.ownDND = false
		if st.lastOwn != "" && c.selectProfile(ctx, id, x, st.lastOwn) {
			x.Selected = st.lastOwn
		}
	}
	if c.opt.Fault == XPhoneEcho && st.hasSession && p == st.session {
		echo = false
		if st.echoes < echoRepeats {
			st.echoes++
			body := map[string]string{"sessionId": c.env.ClientID, "availability": p.Availability.String(), "activity": p.Activity.String(), "expirationDuration": isoDuration(c.opt.Expiration)}
			_ = c.graph(c.app, ctx, http.MethodPost, "/users/"+url.PathEscape(id)+"/presence/setPresence", body, nil)
		}
	}
	source := ""
	if !echo {
		switch {
		case a == presence.Busy && (act == presence.InACall || act == presence.InAConferenceCall):
			source = "teams-call"
		case a == presence.Busy && act == presence.InAMeeting:
			source = "teams-meeting"
		}
	}
	if st.appt != 0 && st.apptSource != source && c.opt.Fault != NoCleanup {
		err := c.xphone(ctx, c.hc, http.MethodDelete, c.base+"/users/"+url.PathEscape(id)+"/appointments/"+strconv.Itoa(st.appt), nil, nil)
		if err != nil {
			c.logf("xphone connector: %s: deleting the appointment: %v", x.Name, err)
			st.retry = true
			return
		}
		c.logf("xphone connector: %s: appointment deleted", x.Name)
		st.appt, st.apptSource = 0, ""
	}
	if source != "" && st.apptSource != source {
		text := teamsCallText
		if source == "teams-meeting" {
			text = teamsMeetingText
		}
		profile := apptProfile
		if x.has(teamsProfile) {
			profile = teamsProfile
		}
		var res struct {
			ID int `json:"id"`
		}
		if err := c.xphone(ctx, c.hc, http.MethodPost, c.base+"/users/"+url.PathEscape(id)+"/appointments", map[string]string{"text": text, "profile": profile, "source": source}, &res); err != nil {
			c.logf("xphone connector: %s: creating an appointment: %v", x.Name, err)
			st.retry = true
			return
		}
		c.logf("xphone connector: %s: appointment %q with profile %q", x.Name, text, profile)
		st.appt, st.apptSource = res.ID, source
	}
	teamsDND := !echo && a == presence.DoNotDisturb
	switch {
	case teamsDND && !st.mirroredDND:
		name := c.dndProfile(x)
		if name == "" {
			return
		}
		st.before = x.Selected
		if c.selectProfile(ctx, id, x, name) {
			st.mirroredDND = true
		}
	case !teamsDND && st.mirroredDND && !(st.ownDND && a == presence.DoNotDisturb):
		// Teams showing its own session again (an XPhone call that went on
		// through the Do not disturb) is the end of the Do not disturb too
		if c.selectProfile(ctx, id, x, st.before) {
			st.mirroredDND = false
		}
	}
}

// dndProfile is the first profile whose presence is Do not disturb (XP-6);
// the first-dnd-wrong fault takes the last.
func (c *xphoneConn) dndProfile(x xpUser) string {
	name := ""
	for _, p := range x.Profiles {
		if p.Availability == "DoNotDisturb" {
			name = p.Name
			if c.opt.Fault != FirstDNDWrong {
				break
			}
		}
	}
	return name
}

func (c *xphoneConn) selectProfile(ctx context.Context, id string, x xpUser, name string) bool {
	if err := c.xphone(ctx, c.hc, http.MethodPut, c.base+"/users/"+url.PathEscape(id)+"/profile", map[string]string{"name": name}, nil); err != nil {
		c.logf("xphone connector: %s: selecting %q: %v", x.Name, name, err)
		if st := c.sync[id]; st != nil {
			st.retry = true
		}
		return false
	}
	c.logf("xphone connector: %s: profile %q", x.Name, name)
	if st := c.sync[id]; st != nil {
		st.awaitSel = name
	}
	return true
}

func (c *xphoneConn) subscribe(ctx context.Context, sb *xpSub) {
	sb.try = time.Now()
	c.reader.mu.Lock()
	known := !c.reader.serverNow.IsZero()
	c.reader.mu.Unlock()
	if !known {
		// a subscription expires in Graph's time, which the first answer's
		// Date header tells
		c.read(ctx, sb.ids)
	}
	quoted := make([]string, len(sb.ids))
	for i, id := range sb.ids {
		quoted[i] = "'" + id + "'"
	}
	exp := c.reader.now().Add(c.opt.SubscriptionLife)
	body := map[string]string{"changeType": "updated", "notificationUrl": c.hookURL, "lifecycleNotificationUrl": c.hookURL,
		"resource": "/communications/presences?$filter=id in (" + strings.Join(quoted, ",") + ")", "expirationDateTime": exp.UTC().Format(time.RFC3339)}
	var res struct {
		ID                 string    `json:"id"`
		ExpirationDateTime time.Time `json:"expirationDateTime"`
	}
	if err := c.graph(c.reader, ctx, http.MethodPost, "/subscriptions", body, &res); err != nil {
		c.logf("xphone connector: subscribing: %v", err)
		return
	}
	sb.id, sb.exp = res.ID, res.ExpirationDateTime
	c.mu.Lock()
	c.unsubscribed--
	c.lastNote = time.Now()
	c.mu.Unlock()
	c.logf("xphone connector: subscribed to %d users until %s", len(sb.ids), res.ExpirationDateTime.Format(time.RFC3339))
	c.read(ctx, sb.ids)
}

func (c *xphoneConn) renew(ctx context.Context, sb *xpSub) {
	exp := c.reader.now().Add(c.opt.SubscriptionLife)
	var res struct {
		ExpirationDateTime time.Time `json:"expirationDateTime"`
	}
	err := c.graph(c.reader, ctx, http.MethodPatch, "/subscriptions/"+sb.id, map[string]string{"expirationDateTime": exp.UTC().Format(time.RFC3339)}, &res)
	if ge, ok := err.(*graphError); ok && ge.Status == http.StatusNotFound {
		sb.id, sb.try = "", time.Time{}
		c.mu.Lock()
		c.unsubscribed++
		c.mu.Unlock()
		return
	}
	if err != nil {
		c.logf("xphone connector: renewing: %v", err)
		return
	}
	sb.exp, sb.renewed = res.ExpirationDateTime, time.Now()
}

// readLoop reads presence beside the passes, which take in what it read,
// until ctx ends: a pass does not wait for a tenant's reads.
func (c *xphoneConn) readLoop(ctx context.Context) {
	t := time.NewTicker(c.opt.Tick)
	defer t.Stop()
	var lastRest time.Time
	for {
		c.readOnce(ctx, &lastRest)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// readOnce reads the users Graph notified of, everyone when notifications
// stopped (every Poll), or else the users beyond the subscription every
// RestPoll, for the next pass to take in.
func (c *xphoneConn) readOnce(ctx context.Context, lastRest *time.Time) {
	do := func(ctx context.Context, method, path string, body, out any) error {
		return c.graph(c.reader, ctx, method, path, body, out)
	}
	c.mu.Lock()
	dirty := slices.Sorted(maps.Keys(c.dirty))
	c.dirty = map[string]bool{}
	c.mu.Unlock()
	ids := dirty
	switch {
	case c.opt.Fault != NoPollFallback && c.stale() && time.Since(c.lastPoll) >= c.env.Real(c.opt.Poll):
		c.lastPoll, *lastRest = time.Now(), time.Now()
		ids = c.ids
	case len(c.rest) > 0 && time.Since(*lastRest) >= c.env.Real(c.opt.RestPoll):
		*lastRest = time.Now()
		ids = append(dirty, c.rest...)
	}
	unread, err := readPresences(ctx, do, ids, func(id string, p graphPresence) {
		c.mu.Lock()
		if old, ok := c.polled[id]; !ok || old.SequenceNumber <= p.SequenceNumber {
			c.polled[id] = p // the newest read; take keeps the order (C-8)
		}
		c.mu.Unlock()
	})
	if err != nil && ctx.Err() == nil {
		c.logf("xphone connector: reading presence: %v", err)
		c.mu.Lock()
		for _, id := range unread {
			c.dirty[id] = true
		}
		c.mu.Unlock()
	}
}

// read fetches presence in bulk, at most MaxIDs a request.
func (c *xphoneConn) read(ctx context.Context, ids []string) {
	do := func(ctx context.Context, method, path string, body, out any) error {
		return c.graph(c.reader, ctx, method, path, body, out)
	}
	unread, err := readPresences(ctx, do, ids, func(id string, p graphPresence) { c.take(ctx, id, p) })
	if err != nil {
		c.logf("xphone connector: reading presence: %v", err)
		c.mu.Lock()
		for _, id := range unread {
			c.dirty[id] = true
		}
		c.mu.Unlock()
	}
}

// take keeps a presence unless it is older than the one it has (C-8) and
// reports it; the old-wins fault takes the older one back after a newer.
func (c *xphoneConn) take(ctx context.Context, id string, p graphPresence) {
	c.viewMu.RLock()
	old, ok := c.view[id]
	c.viewMu.RUnlock()
	if ok && (p.SequenceNumber < old.SequenceNumber || old == p) {
		return
	}
	c.viewMu.Lock()
	c.view[id] = p
	c.viewMu.Unlock()
	c.mu.Lock()
	c.again[id] = true
	c.mu.Unlock()
	c.report(ctx, id, p)
	if c.opt.Fault == OldWins && ok {
		c.viewMu.Lock()
		c.view[id] = old
		c.viewMu.Unlock()
		c.report(ctx, id, old)
	}
}

// report tells the harness what the connector now believes Teams shows,
// through the reporter, in order; a pass does not wait for it.
func (c *xphoneConn) report(_ context.Context, id string, p graphPresence) {
	if c.env.ReportURL == "" {
		return
	}
	select {
	case c.views <- xpView{id, p}:
	default:
		c.mu.Lock()
		c.unreported++
		n := c.unreported
		c.mu.Unlock()
		if n == 1 {
			c.logf("xphone connector: the harness takes its reports slower than Teams changes; reports beyond %d waiting are dropped", maxViewsQueued)
		}
	}
}

// maxViewsQueued bounds the reports waiting for the harness.
const maxViewsQueued = 1 << 14

type xpView struct {
	id string
	p  graphPresence
}

// reporter posts the reports one after the other until ctx ends.
func (c *xphoneConn) reporter(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case v := <-c.views:
			reportView(ctx, c.hc, c.env.ReportURL, v.id, v.p)
		}
	}
}

func mainXPhone(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var opt XPhoneOptions
	return command{
		name: "xphone",
		runs: "the reference XPhone Connect sync (two-way: XPhone calls and Do not disturb to Teams, Teams calls, meetings and Do not disturb to XPhone)",
		flags: func(fl *flag.FlagSet) {
			fl.DurationVar(&opt.Expiration, "expiration", 0, "expirationDuration of its session, virtual time (default 5m)")
			fl.DurationVar(&opt.SubscriptionLife, "subscription", 0, "how far ahead each subscription expires, virtual time (default 30m, at most 60m)")
		},
		run: func(ctx context.Context, env Env, f Fault, out io.Writer) error {
			o := opt
			o.Fault = f
			return RunXPhone(ctx, env, o, out)
		},
	}.main(ctx, args, getenv, stdout, stderr)
}

// xphoneWriters is how many users a pass syncs at once: each may need a
// Graph write and XPhone writes, one after the other.
const xphoneWriters = 2 * writers
