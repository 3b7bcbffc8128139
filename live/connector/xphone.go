package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
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

// xpSub is one subscription of at most MaxIDs users (G-SUB-1).
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
	xp       map[string]xpUser // replaced, never changed: a pass reads it unlocked
	xpVer    uint64
	touched  map[string]bool // users the XPhone server changed since the last pass

	ids  []string
	view map[string]graphPresence
	sync map[string]*xpSync
	// again are the users the next pass looks at: changed in XPhone or in
	// Teams, with a session to keep fresh, a selection or a clear to see
	// through, or a request to retry. A pass over a tenant of thousands
	// looks at those, not at everyone.
	again    map[string]bool
	subs     []*xpSub
	lastPoll time.Time
	hookURL  string
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
		sync: map[string]*xpSync{}, again: map[string]bool{}}
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
		m := c.xp
		if len(res.Value) > 0 {
			m = make(map[string]xpUser, max(len(c.xp), len(res.Value)))
			if !first {
				for id, x := range c.xp {
					m[id] = x
				}
			}
		}
		for _, x := range res.Value {
			m[strings.ToLower(x.ID)] = x
			c.touched[strings.ToLower(x.ID)] = true
		}
		c.xp, c.xpVer = m, res.Version
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
	xp := c.xp
	for id := range c.touched {
		c.again[id] = true
	}
	c.touched = map[string]bool{}
	var dirty []string
	for id := range c.dirty {
		dirty = append(dirty, id)
	}
	c.dirty = map[string]bool{}
	renew := c.renewNow
	c.renewNow = false
	c.mu.Unlock()
	if len(xp) == 0 {
		return // the XPhone server has not answered yet
	}
	if c.ids == nil {
		for id := range xp {
			c.ids = append(c.ids, id)
		}
		sort.Strings(c.ids)
		for i := 0; i < len(c.ids); i += MaxIDs {
			c.subs = append(c.subs, &xpSub{ids: c.ids[i:min(len(c.ids), i+MaxIDs)]})
		}
		for _, id := range c.ids {
			c.again[id] = true
		}
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
	if len(dirty) > 0 {
		sort.Strings(dirty)
		c.read(ctx, dirty)
	}
	if c.opt.Fault != NoPollFallback && c.stale() && time.Since(c.lastPoll) >= c.env.Real(c.opt.Poll) {
		c.lastPoll = time.Now()
		c.read(ctx, c.ids)
	}
	// what XPhone shows now, not before the reads: the reads may take a
	// while (a subscription's validation), and XPhone may have changed
	c.mu.Lock()
	xp = c.xp
	for id := range c.touched {
		c.again[id] = true
	}
	c.touched = map[string]bool{}
	c.mu.Unlock()
	todo := make([]string, 0, len(c.again))
	for id := range c.again {
		todo = append(todo, id)
	}
	sort.Strings(todo)
	c.again = map[string]bool{}
	for _, id := range todo {
		x, ok := xp[id]
		if !ok {
			continue
		}
		st := c.sync[id]
		if st == nil {
			st = &xpSync{lastOwn: x.firstNotDND()}
			c.sync[id] = st
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
		if st.retry || st.hasSession || st.awaitSel != "" || !st.cleared.IsZero() && time.Since(st.cleared) < c.env.Real(echoGrace) {
			c.again[id] = true
		}
	}
}

func (c *xphoneConn) stale() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sb := range c.subs {
		if sb.id == "" {
			return true
		}
	}
	return time.Since(c.lastNote) > c.env.Real(c.opt.StaleAfter)
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
		if err := c.graph(c.app, ctx, http.MethodPost, path+"clearPresence", map[string]string{"sessionId": c.env.ClientID}, nil); err != nil {
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
	gp, ok := c.view[id]
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
		return
	}
	if err != nil {
		c.logf("xphone connector: renewing: %v", err)
		return
	}
	sb.exp, sb.renewed = res.ExpirationDateTime, time.Now()
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
	old, ok := c.view[id]
	if ok && (p.SequenceNumber < old.SequenceNumber || old == p) {
		return
	}
	c.view[id] = p
	c.again[id] = true
	c.report(ctx, id, p)
	if c.opt.Fault == OldWins && ok {
		c.view[id] = old
		c.report(ctx, id, old)
	}
}

// report tells the harness what the connector now believes Teams shows.
func (c *xphoneConn) report(ctx context.Context, id string, p graphPresence) {
	reportView(ctx, c.hc, c.env.ReportURL, id, p)
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
