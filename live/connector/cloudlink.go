package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	pbxapi "github.com/presencesim/presencesim/fakes/pbx"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
)

// CloudLinkOptions are the reference CloudLink connector's decided values.
type CloudLinkOptions struct {
	// Expiration is the expirationDuration of each write (virtual time;
	// 5 min, Graph's shortest, unless set).
	Expiration time.Duration
	// Refresh is how often a session that holds is written again (virtual;
	// a third of Expiration unless set). It must be shorter than Expiration
	// (C-2).
	Refresh time.Duration
	// SyncDND writes DoNotDisturb as DoNotDisturb/Presenting (CL-7).
	SyncDND bool
	// Fault plants a documented fault.
	Fault Fault
	// Tick is how often (real time) the connector compares what it wants
	// with what it wrote (20 ms unless set).
	Tick time.Duration
	// Pace, when set, drives the connector pass by pass on the world's
	// clock instead of every Tick (in process only).
	Pace *Pacer
}

func (o *CloudLinkOptions) defaults() error {
	if o.Expiration == 0 {
		o.Expiration = 5 * time.Minute
	}
	if o.Expiration < 5*time.Minute || o.Expiration > 4*time.Hour {
		return fmt.Errorf("session expiration %s: setPresence takes 5m to 4h (G-SET-1)", o.Expiration)
	}
	if o.Refresh == 0 {
		o.Refresh = o.Expiration / 3
	}
	if o.Refresh <= 0 || o.Refresh >= o.Expiration {
		return fmt.Errorf("refresh interval %s must be positive and shorter than the expiration %s (C-2)", o.Refresh, o.Expiration)
	}
	if o.Tick <= 0 {
		o.Tick = 20 * time.Millisecond
	}
	return nil
}

// clUser is one PBX user as the connector tracks it.
type clUser struct {
	email string
	cl    presence.Availability // CloudLink presence (CL-2)
	// what the session table wants (CL-7, CL-8)
	write bool
	pair  presence.Presence

	// what the connector wrote
	target    string // the Teams user's object id
	session   bool
	written   presence.Presence
	lastWrite time.Time
	preferred bool // PushDND wrote preferred presence
	// refused remembers a write Graph refused for good, so it is not
	// repeated until the wanted state changes or a refresh is due.
	refused     presence.Presence
	refusedAt   time.Time
	refusedSkip bool
	// dirty is set when the PBX changed what the user wants since the
	// user was last reconciled.
	dirty bool
}

// due says whether a pass must reconcile the user, and whether for a
// change (what it wants changed, or what was written differs from it)
// rather than a refresh. A tenant of 20,000 people has a few hundred due
// at a time; handing every one to the workers on every tick costs the
// time their writes need (C-12). Outside a pass (the workers' fields are
// quiet), under c.mu.
func (c *cloudLink) due(st *clUser) (due, change bool) {
	switch c.opt.Fault {
	case NoFault, NoRefresh, IgnoreRetryAfter, NoTokenCache, WrongSession:
	default:
		return true, true // the faults that write more than the table says see everyone
	}
	switch {
	case st.dirty:
		return true, true
	case !st.write:
		return st.session, st.session
	case !st.session || st.written != st.pair:
		return true, true
	}
	return c.opt.Fault != NoRefresh && c.passed(st.lastWrite, c.opt.Refresh), false
}

// dueKeys are the users a pass reconciles: those whose state changed
// first, then the refreshes, each in name order. A refresh has a third
// of the session's lifetime to spare; a call that just started has none,
// and behind a tenant's refreshes it would wait for all of them (C-12).
func (c *cloudLink) dueKeys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var changes, refreshes []string
	for n, st := range c.users {
		switch due, change := c.due(st); {
		case change:
			changes = append(changes, n)
		case due:
			refreshes = append(refreshes, n)
		}
	}
	sort.Strings(changes)
	sort.Strings(refreshes)
	return append(changes, refreshes...)
}

// now is the connector's clock: the wall's, or the world's when paced.
func (c *cloudLink) now() time.Time { return c.graph.clock() }

// passed says whether d of virtual time has passed since t.
func (c *cloudLink) passed(t time.Time, d time.Duration) bool {
	return c.now().Sub(t) >= c.graph.real(d)
}

// cloudLink is the reference CloudLink connector.
type cloudLink struct {
	env   Env
	opt   CloudLinkOptions
	graph *graphClient
	pbx   *pbxClient
	logw  io.Writer

	mu    sync.Mutex
	users map[string]*clUser // by PBX user name
	dir   dirCache           // the directory, read by the writer's workers
	rank  [16]int
}

// writers is how many users the connector reconciles at once.
const writers = 16

// RunCloudLink runs the reference CloudLink connector until ctx ends: it
// follows the PBX's event stream, computes each user's CloudLink presence
// with the built-in tables (CL-1..CL-4) and keeps the user's CloudLink
// session in Teams as the session table says (CL-6..CL-8), refreshing it
// before it expires (C-2) and clearing it when the state ends (C-3).
func RunCloudLink(ctx context.Context, env Env, opt CloudLinkOptions, logw io.Writer) error {
	if err := opt.defaults(); err != nil {
		return err
	}
	if logw == nil {
		logw = io.Discard
	}
	hc, err := env.HTTPClient(10 * time.Second)
	if err != nil {
		return err
	}
	stream, err := env.HTTPClient(0) // the event stream stays open
	if err != nil {
		return err
	}
	c := &cloudLink{env: env, opt: opt, logw: logw, users: map[string]*clUser{},
		graph: &graphClient{env: env, http: hc, budget: clBudget(env, opt.Fault), ignoreRetryAfter: opt.Fault == IgnoreRetryAfter, noTokenCache: opt.Fault == NoTokenCache, pace: opt.Pace},
		pbx:   &pbxClient{env: env, http: stream}}
	c.graph.log = c.logf
	for i, a := range cloudlink.States {
		c.rank[a] = len(cloudlink.States) - i
	}
	c.logf("cloudlink connector: Graph %s, PBX %s, time scale %g, expiration %s, refresh %s, fault %s",
		env.GraphURL, env.PBXURL, env.TimeScale, opt.Expiration, opt.Refresh, opt.Fault)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.follow(ctx)
	}()
	c.writer(ctx)
	wg.Wait()
	c.logf("cloudlink connector: stopped")
	return nil
}

// clBudget is the reference's budget of Graph requests; a connector that
// polls each user (the planted PollEach) keeps none, as such connectors
// do not, and meets Graph's limit as 429s.
func clBudget(env Env, f Fault) *budget {
	if f == PollEach {
		return nil
	}
	return newBudget(env.limit())
}

func (c *cloudLink) logf(format string, a ...any) {
	c.mu.Lock()
	fmt.Fprintf(c.logw, format+"\n", a...)
	c.mu.Unlock()
}

// follow reads the PBX: the users, then the event stream; after a broken
// stream it waits and starts again from the users (C-10).
func (c *cloudLink) follow(ctx context.Context) {
	wait := 2 * time.Second
	for ctx.Err() == nil {
		us, err := c.pbx.users(ctx)
		if err == nil {
			for _, u := range us.Value {
				c.update(u)
			}
			c.took(us.LastEventID)
			c.logf("cloudlink connector: PBX has %d users, streaming events after %d", len(us.Value), us.LastEventID)
			_, err = c.pbx.stream(ctx, us.LastEventID, func(ev pbxapi.Event) {
				if ev.User != nil {
					c.update(*ev.User)
				}
				c.took(ev.ID)
			})
		}
		if ctx.Err() != nil {
			return
		}
		c.logf("cloudlink connector: PBX stream ended (%v); reconnecting", err)
		sleep(ctx, c.env.Real(wait))
	}
}

// took tells a pacer the PBX's events up to id are taken in.
func (c *cloudLink) took(id uint64) {
	if c.opt.Pace != nil {
		c.opt.Pace.take(id)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Compute is the CloudLink presence of a PBX user as the PBX API shows it:
// the best of its lines and its user presence (Mitel One where the PBX has
// none, CL-15) by CL-2. withoutDND leaves DoNotDisturb sources out, as the
// session does while DoNotDisturb is not synced (CL-7).
func (c *cloudLink) compute(u pbxapi.User, withoutDND bool) presence.Availability {
	best, found := presence.AvailabilityUnknown, false
	consider := func(a presence.Availability) {
		if withoutDND && a == presence.DoNotDisturb {
			return
		}
		if !found || c.rank[a] > c.rank[best] {
			best, found = a, true
		}
	}
	for _, l := range u.Lines {
		r := cloudlink.UnregisteredLine
		if l.Registered {
			r = lineRule(l)
		}
		consider(r.Presence)
	}
	if u.Presence != nil {
		for _, s := range pbx.UserStates() {
			if s.ID() != u.Presence.State {
				continue
			}
			for _, r := range cloudlink.DefaultUserTable {
				if r.State == s {
					consider(r.Presence)
				}
			}
		}
	} else {
		for _, r := range cloudlink.DefaultMitelOneTable {
			if r.State.ID() == u.MitelOne {
				consider(r.Presence)
			}
		}
	}
	return best
}

func lineRule(l pbxapi.Line) cloudlink.LineRule {
	st, err := pbx.ParseCallState(l.State)
	if err != nil {
		return cloudlink.UnregisteredLine
	}
	dir := pbx.NoCall
	switch l.Direction {
	case "made":
		dir = pbx.Made
	case "received":
		dir = pbx.Received
	}
	for _, r := range cloudlink.DefaultLineTable {
		if r.State == st && r.Dir == dir {
			return r
		}
	}
	return cloudlink.UnregisteredLine
}

// update takes a user's snapshot from the PBX.
func (c *cloudLink) update(u pbxapi.User) {
	a := c.compute(u, false)
	synced := a
	if !c.opt.SyncDND {
		synced = c.compute(u, true)
	}
	row := cloudlink.DefaultSessionTable[0]
	for _, r := range cloudlink.DefaultSessionTable {
		if r.CloudLink == synced {
			row = r
		}
	}
	if a == presence.DoNotDisturb && c.opt.SyncDND {
		row = cloudlink.DNDSession
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.users[u.Name]
	if st == nil {
		st = &clUser{}
		c.users[u.Name] = st
	}
	if st.cl != a || st.email != u.Email {
		fmt.Fprintf(c.logw, "cloudlink connector: %s is %s (%s)\n", u.Name, a, cloudlink.Label(a))
	}
	if st.email != u.Email || st.cl != a || st.write != row.Write || st.pair != row.Presence {
		st.dirty = true
	}
	st.email, st.cl, st.write, st.pair = u.Email, a, row.Write, row.Presence
}

// writer compares, every tick, what each user's session should hold with
// what was written, and writes the difference.
func (c *cloudLink) writer(ctx context.Context) {
	// Sign in and read the directory first, so a wrong configuration shows
	// at once.
	c.dir.graph = c.graph
	if n, err := c.dir.load(ctx); err != nil {
		c.logf("cloudlink connector: reading the directory: %v", err)
	} else {
		c.logf("cloudlink connector: signed in to Graph; the directory has %d names", n)
	}
	keys := c.dueKeys
	if c.opt.Pace != nil {
		c.opt.Pace.paced(ctx, func() { reconcilePass(ctx, writers, keys, c.reconcile) })
		return
	}
	reconcileEvery(ctx, c.opt.Tick, writers, keys, c.reconcile)
}

// want is a user's wanted state, copied under the lock.
type want struct {
	email string
	cl    presence.Availability
	write bool
	pair  presence.Presence
}

func (c *cloudLink) reconcile(ctx context.Context, name string) {
	c.mu.Lock()
	st := c.users[name]
	w := want{st.email, st.cl, st.write, st.pair}
	st.dirty = false
	c.mu.Unlock()

	target, ok := c.lookup(ctx, w.email)
	if !ok {
		return // CL-14: no user principal name matches; not synced
	}
	if c.opt.Fault == PollEach {
		var got graphPresence
		if err := c.graph.do(ctx, http.MethodGet, "/users/"+url.PathEscape(target)+"/presence", nil, &got); err != nil {
			return // throttled: what it wants waits for the next pass
		}
	}
	if st.session && st.target != target {
		c.clear(ctx, name, st)
	}
	if c.opt.Fault == PushDND {
		c.pushDND(ctx, name, st, target, w.cl == presence.DoNotDisturb)
	}
	if !w.write && c.opt.Fault == WriteAvailable && (st.session || st.written == presence.Of(presence.Available, presence.ActAvailable)) {
		w.write, w.pair = true, presence.Of(presence.Available, presence.ActAvailable)
	}
	switch {
	case !w.write:
		if st.session {
			c.clear(ctx, name, st)
		}
	case !st.session || st.written != w.pair:
		c.set(ctx, name, st, target, w.pair)
	case c.opt.Fault != NoRefresh && c.passed(st.lastWrite, c.opt.Refresh):
		c.set(ctx, name, st, target, w.pair)
	}
}

// lookup finds a user's object id by e-mail, reading the directory again
// (at most every 200 ms) when the e-mail is not in it.
func (c *cloudLink) lookup(ctx context.Context, email string) (string, bool) {
	id, ok, err := c.dir.lookup(ctx, email)
	if err != nil {
		c.logf("cloudlink connector: reading the directory: %v", err)
	}
	return id, ok
}

func (c *cloudLink) set(ctx context.Context, name string, st *clUser, target string, p presence.Presence) {
	if st.refusedSkip && st.refused == p && !c.passed(st.refusedAt, c.opt.Refresh) {
		return
	}
	session := c.env.ClientID
	if c.opt.Fault == WrongSession {
		session = target
	}
	body := map[string]string{"sessionId": session, "availability": p.Availability.String(),
		"activity": p.Activity.String(), "expirationDuration": isoDuration(c.opt.Expiration)}
	path := "/users/" + url.PathEscape(target) + "/presence/setPresence"
	err := c.graph.do(ctx, http.MethodPost, path, body, nil)
	if err != nil {
		c.refuse(name, st, p, err)
		return
	}
	first := !st.session || st.written != p
	st.session, st.written, st.target, st.lastWrite, st.refusedSkip = true, p, target, c.now(), false
	if first {
		c.logf("cloudlink connector: %s: setPresence %s", name, p.Short())
	}
	if c.opt.Fault == Echo {
		c.echo(ctx, name, target, path, body, p)
	}
}

// refuse records a failed write; one Graph refuses as invalid is not
// repeated until something changes or a refresh is due.
func (c *cloudLink) refuse(name string, st *clUser, p presence.Presence, err error) {
	var ge *graphError
	if errors.As(err, &ge) && !ge.retryable() {
		st.refused, st.refusedAt, st.refusedSkip = p, c.now(), true
	}
	if !errors.Is(err, context.Canceled) && !errors.Is(err, errNotYet) {
		c.logf("cloudlink connector: %s: writing %s failed: %v", name, p.Short(), err)
	}
}

// echo is the Echo fault: it reads the presence back, takes its own write
// for a change in Teams and writes it again, many times over: enough that
// some echoes come after the PBX events of the change that caused them,
// however slowly a loaded machine delivers them.
func (c *cloudLink) echo(ctx context.Context, name, target, path string, body map[string]string, p presence.Presence) {
	for i := 0; i < 20 && ctx.Err() == nil; i++ {
		var got graphPresence
		if err := c.graph.do(ctx, http.MethodGet, "/users/"+url.PathEscape(target)+"/presence", nil, &got); err != nil {
			return
		}
		if got.Availability != p.Availability.String() || got.Activity != p.Activity.String() {
			return
		}
		if err := c.graph.do(ctx, http.MethodPost, path, body, nil); err != nil {
			return
		}
		c.logf("cloudlink connector: %s: Teams shows %s/%s, writing it again", name, got.Availability, got.Activity)
	}
}

func (c *cloudLink) clear(ctx context.Context, name string, st *clUser) {
	session := c.env.ClientID
	if c.opt.Fault == WrongSession {
		session = st.target
	}
	err := c.graph.do(ctx, http.MethodPost, "/users/"+url.PathEscape(st.target)+"/presence/clearPresence", map[string]string{"sessionId": session}, nil)
	var ge *graphError
	if err != nil && !(errors.As(err, &ge) && ge.Status == http.StatusNotFound) {
		c.logf("cloudlink connector: %s: clearPresence failed: %v", name, err)
		if errors.As(err, &ge) && !ge.retryable() {
			st.session = false // the session is not ours to clear
		}
		return
	}
	st.session, st.written = false, presence.Presence{}
	c.logf("cloudlink connector: %s: clearPresence", name)
}

// pushDND is the PushDND fault: DoNotDisturb on the PBX becomes preferred
// presence in Teams, against the mapping (CL-7) and C-4.
func (c *cloudLink) pushDND(ctx context.Context, name string, st *clUser, target string, dnd bool) {
	switch {
	case dnd && !st.preferred:
		body := map[string]string{"availability": "DoNotDisturb", "activity": "DoNotDisturb", "expirationDuration": "PT8H"}
		if err := c.graph.do(ctx, http.MethodPost, "/users/"+url.PathEscape(target)+"/presence/setUserPreferredPresence", body, nil); err == nil {
			st.preferred = true
			c.logf("cloudlink connector: %s: setUserPreferredPresence DoNotDisturb", name)
		}
	case !dnd && st.preferred:
		if err := c.graph.do(ctx, http.MethodPost, "/users/"+url.PathEscape(target)+"/presence/clearUserPreferredPresence", map[string]string{}, nil); err == nil {
			st.preferred = false
		}
	}
}
