package connector

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	pbxapi "github.com/presencesim/presencesim/fakes/pbx"
	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
	"github.com/presencesim/presencesim/sim/presence"
)

// PBXOptions are the reference PBX connector's decided values.
type PBXOptions struct {
	// Expiration is the expirationDuration of each write (virtual time;
	// 5 min, Graph's shortest, unless set).
	Expiration time.Duration
	// Refresh is how often a session that holds is written again (virtual;
	// a third of Expiration unless set), shorter than Expiration (C-2).
	Refresh time.Duration
	// Transport is the SIP transport, "udp" (the default) or "tcp".
	Transport string
	// Fault plants a documented fault.
	Fault Fault
	// Tick is how often (real time) the connector compares what it wants
	// with what it wrote (20 ms unless set).
	Tick time.Duration
}

func (o *PBXOptions) defaults() error {
	cl := CloudLinkOptions{Expiration: o.Expiration, Refresh: o.Refresh, Tick: o.Tick}
	if err := cl.defaults(); err != nil {
		return err
	}
	o.Expiration, o.Refresh, o.Tick = cl.Expiration, cl.Refresh, cl.Tick
	if o.Transport == "" {
		o.Transport = "udp"
	}
	return nil
}

// inCall is the Teams session a call on the line gives: every generic
// PBX connector maps a connected call to Busy/InACall and nothing else.
var inCall = presence.Of(presence.Busy, presence.InACall)

// sipSubscriptionLife is how long each SIP subscription is asked for
// (wall time: SIP timers are the PBX's, not the world's); it is renewed
// at half the life the PBX grants.
const sipSubscriptionLife = time.Hour

// pbxLine is one extension as the connector tracks it. Its fields are
// read and written with the connector's lock held.
type pbxLine struct {
	name, email, ext string
	sub              *watch.Subscription
	renewAt          time.Time // the subscription is refreshed from then on
	retryAt          time.Time // no SUBSCRIBE before then (Retry-After, a failure)
	asked            bool      // a SUBSCRIBE of the line is on its way
	version          uint64    // of the last dialog-info taken
	busy             bool      // a dialog of the extension is confirmed

	// what the connector wrote
	target    string
	session   bool
	lastWrite time.Time
	refused   bool // Graph refused the write for good until busy changes
}

// pbxConnector is the reference PBX connector: line state over SIP, Teams
// through Graph.
type pbxConnector struct {
	env   Env
	opt   PBXOptions
	graph *graphClient
	pbx   *pbxClient
	sip   *watch.Watcher
	logw  io.Writer

	mu    sync.Mutex
	lines map[string]*pbxLine // by extension
	byCID map[string]*pbxLine // by the subscription's Call-ID
	// early keeps the NOTIFYs that came before their SUBSCRIBE's answer
	// named the Call-ID, up to maxEarly subscriptions' worth.
	early map[string][]watch.Notify
	// hold is when the PBX, having answered 503 with Retry-After, takes
	// new SUBSCRIBEs again.
	hold    time.Time
	watched int // lines with a live subscription
	kick    chan struct{}
	dir     dirCache
}

// SIP pacing: at most sipInFlight SUBSCRIBEs wait for their answer at
// once, so that a tenant's subscriptions come as fast as the PBX answers
// and never as a burst of thousands; the subscriber looks for due lines
// every sipScan. A refusal without Retry-After is tried again after
// sipRetry; early NOTIFYs are kept for maxEarly subscriptions.
const (
	sipInFlight = 8
	sipScan     = 100 * time.Millisecond
	sipRetry    = 30 * time.Second
	maxEarly    = 4096
)

// RunPBX runs the reference PBX connector until ctx ends. It registers
// with the PBX over SIP as the environment's extension, subscribes to the
// dialog state (RFC 4235) of every other extension the PBX's user list
// names — a few SUBSCRIBEs at a time, refreshed at half the life the PBX
// grants, again after a terminating NOTIFY and after a 503's Retry-After —
// and keeps a Busy/InACall session in Teams for each extension with a
// confirmed dialog: refreshed while the call lasts (C-2), cleared when
// the dialog is terminated (C-3), under its own app id (C-1). It writes
// no preferred presence (C-4); Graph's waits are the shared client's
// (C-5, C-10).
func RunPBX(ctx context.Context, env Env, opt PBXOptions, logw io.Writer) error {
	if err := opt.defaults(); err != nil {
		return err
	}
	if logw == nil {
		logw = io.Discard
	}
	if env.SIPAddr == "" || env.SIPUser == "" {
		return fmt.Errorf("missing environment: %s and %s (presencesim run --connector pbx=… sets them)", EnvSIPAddr, EnvSIPUser)
	}
	hc, err := env.HTTPClient(10 * time.Second)
	if err != nil {
		return err
	}
	stream, err := env.HTTPClient(0)
	if err != nil {
		return err
	}
	w, err := watch.New(env.SIPAddr, opt.Transport, env.SIPUser, env.SIPPassword)
	if err != nil {
		return fmt.Errorf("SIP: %w", err)
	}
	defer w.Close()
	c := &pbxConnector{env: env, opt: opt, logw: logw, sip: w,
		graph: &graphClient{env: env, http: hc, budget: newBudget(env.limit())},
		pbx:   &pbxClient{env: env, http: stream},
		lines: map[string]*pbxLine{}, byCID: map[string]*pbxLine{}, early: map[string][]watch.Notify{},
		kick: make(chan struct{}, 1)}
	c.graph.log = c.logf
	w.Handle(c.notify)
	c.logf("pbx connector: Graph %s, SIP %s over %s as %s, time scale %g, expiration %s, refresh %s, fault %s",
		env.GraphURL, env.SIPAddr, opt.Transport, env.SIPUser, env.TimeScale, opt.Expiration, opt.Refresh, opt.Fault)
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	res, err := w.Register(rctx, int(sipSubscriptionLife/time.Second))
	cancel()
	switch {
	case err != nil:
		return fmt.Errorf("SIP REGISTER as %s: %w", env.SIPUser, err)
	case !res.IsSuccess():
		return fmt.Errorf("SIP REGISTER as %s answered %d %s", env.SIPUser, res.StatusCode, res.Reason)
	}
	c.logf("pbx connector: registered as %s", env.SIPUser)
	var wg sync.WaitGroup
	for _, fn := range []func(context.Context){c.follow, c.subscriber} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(ctx)
		}()
	}
	c.writer(ctx)
	wg.Wait()
	c.logf("pbx connector: stopped")
	return nil
}

func (c *pbxConnector) logf(format string, a ...any) {
	c.mu.Lock()
	fmt.Fprintf(c.logw, format+"\n", a...)
	c.mu.Unlock()
}

// follow learns the extensions from the PBX's user list and its event
// stream (only who is there: line state comes over SIP); after a broken
// stream it starts again.
func (c *pbxConnector) follow(ctx context.Context) {
	for ctx.Err() == nil {
		us, err := c.pbx.users(ctx)
		if err == nil {
			for _, u := range us.Value {
				c.learn(u)
			}
			_, err = c.pbx.stream(ctx, us.LastEventID, func(ev pbxapi.Event) {
				if ev.User != nil {
					c.learn(*ev.User)
				}
			})
		}
		if ctx.Err() != nil {
			return
		}
		c.logf("pbx connector: PBX user list: %v; reading it again", err)
		sleep(ctx, c.env.Real(2*time.Second))
	}
}

// learn notes a user's extension; the subscriber subscribes to it.
func (c *pbxConnector) learn(u pbxapi.User) {
	if u.Extension == "" || u.Extension == c.env.SIPUser {
		return
	}
	c.mu.Lock()
	l := c.lines[u.Extension]
	if l == nil {
		l = &pbxLine{ext: u.Extension}
		c.lines[u.Extension] = l
		c.poke()
	}
	l.name, l.email = u.Name, u.Email
	c.mu.Unlock()
}

// poke wakes the subscriber.
func (c *pbxConnector) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// subscriber keeps a subscription on every line: it subscribes the lines
// without one and refreshes those due, sipInFlight at a time, in
// extension order.
func (c *pbxConnector) subscriber(ctx context.Context) {
	slots := make(chan struct{}, sipInFlight)
	t := time.NewTicker(sipScan)
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		for _, l := range c.dueLines(time.Now()) {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if c.holding(time.Now()) {
				c.mu.Lock()
				l.asked = false
				c.mu.Unlock()
				<-slots
				continue
			}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				c.subscribe(ctx, l)
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-c.kick:
		}
	}
}

// holding says whether the PBX asked for no SUBSCRIBE until later.
func (c *pbxConnector) holding(now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return now.Before(c.hold)
}

// dueLines are the lines to subscribe or refresh now, marked as asked.
func (c *pbxConnector) dueLines(now time.Time) []*pbxLine {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Before(c.hold) {
		return nil
	}
	var due []*pbxLine
	for _, l := range c.lines {
		if l.asked || now.Before(l.retryAt) || (l.sub != nil && now.Before(l.renewAt)) {
			continue
		}
		l.asked = true
		due = append(due, l)
	}
	sort.Slice(due, func(i, j int) bool { return due[i].ext < due[j].ext })
	return due
}

// subscribe refreshes a line's subscription, or makes one when it has
// none or the PBX no longer knows it.
func (c *pbxConnector) subscribe(ctx context.Context, l *pbxLine) {
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c.mu.Lock()
	sub := l.sub
	c.mu.Unlock()
	life := int(sipSubscriptionLife / time.Second)
	if sub != nil {
		res, err := c.sip.Refresh(sctx, sub, life)
		if err == nil && res == nil {
			err = errors.New("no answer")
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		l.asked = false
		switch {
		case err == nil && res.IsSuccess():
			l.renewAt = time.Now().Add(granted(res, life) / 2)
		case err == nil && res.StatusCode == sip.StatusCallTransactionDoesNotExists:
			c.forgetLocked(l) // the PBX ended it: subscribe again at once
		default:
			// no answer, or a refusal: try again shortly while it may
			// still hold
			l.renewAt = time.Now().Add(c.retryAfter(res))
		}
		return
	}
	// The first NOTIFY can come before the answer; notify keeps it until
	// the answer names its Call-ID.
	sub, res, err := c.sip.Subscribe(sctx, l.ext, "dialog", life)
	c.mu.Lock()
	defer c.mu.Unlock()
	l.asked = false
	if err != nil {
		wait := c.retryAfter(res)
		l.retryAt = time.Now().Add(wait)
		if res != nil && res.StatusCode == sip.StatusServiceUnavailable {
			// the PBX is full or busy: nobody subscribes until it says
			c.hold = l.retryAt
		}
		if ctx.Err() == nil {
			fmt.Fprintf(c.logw, "pbx connector: SUBSCRIBE dialog of %s: %v; again in %s\n", l.ext, err, wait)
		}
		return
	}
	l.sub, l.renewAt, l.version = sub, time.Now().Add(granted(res, life)/2), 0
	c.byCID[sub.CallID] = l
	c.watched++
	if c.watched == len(c.lines) {
		fmt.Fprintf(c.logw, "pbx connector: watching the dialogs of all %d extensions\n", c.watched)
	}
	for _, n := range c.early[sub.CallID] {
		c.takeLocked(l, n)
	}
	delete(c.early, sub.CallID)
}

// forgetLocked drops a line's subscription; with c.mu held.
func (c *pbxConnector) forgetLocked(l *pbxLine) {
	if l.sub == nil {
		return
	}
	delete(c.byCID, l.sub.CallID)
	l.sub = nil
	c.watched--
	c.poke()
}

// retryAfter is how long to wait after an answer: its Retry-After, or
// sipRetry.
func (c *pbxConnector) retryAfter(res *sip.Response) time.Duration {
	if res != nil {
		if h := res.GetHeader("Retry-After"); h != nil {
			v, _, _ := strings.Cut(h.Value(), ";")
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 && n <= 86400 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return sipRetry
}

// granted is the subscription's life the PBX granted in its answer (the
// asked one when it names none).
func granted(res *sip.Response, asked int) time.Duration {
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 && n <= asked {
			return time.Duration(n) * time.Second
		}
	}
	return time.Duration(asked) * time.Second
}

// notify takes one NOTIFY as it comes: the newest dialog-info of each
// extension decides whether it is in a call; a terminating one makes
// the line subscribe again.
func (c *pbxConnector) notify(n watch.Notify) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.byCID[n.CallID]
	if l == nil {
		// its subscription's answer is still on its way
		if _, ok := c.early[n.CallID]; !ok && len(c.early) >= maxEarly {
			for k := range c.early {
				delete(c.early, k)
				break
			}
		}
		if q := c.early[n.CallID]; len(q) < 8 {
			c.early[n.CallID] = append(q, n)
		}
		return
	}
	c.takeLocked(l, n)
}

// takeLocked reads one NOTIFY of a line; with c.mu held.
func (c *pbxConnector) takeLocked(l *pbxLine, n watch.Notify) {
	c.take(l, n)
	state, params, _ := strings.Cut(n.SubscriptionState, ";")
	if !strings.EqualFold(strings.TrimSpace(state), "terminated") {
		return
	}
	c.forgetLocked(l)
	// RFC 6665 4.1.3: deactivated and timeout subscribe again at once,
	// probation and giving-up after retry-after, rejected and noresource
	// not soon.
	wait := time.Duration(0)
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "reason":
			switch strings.ToLower(v) {
			case "probation", "giveup":
				wait = max(wait, sipRetry)
			case "rejected", "noresource":
				wait = max(wait, time.Hour)
			}
		case "retry-after":
			if s, err := strconv.Atoi(v); err == nil && s >= 0 && s <= 86400 {
				wait = time.Duration(s) * time.Second
			}
		}
	}
	l.retryAt = time.Now().Add(wait)
}

// take reads one NOTIFY's dialog-info; with c.mu held.
func (c *pbxConnector) take(l *pbxLine, n watch.Notify) {
	if n.Dialog == nil || (n.Dialog.Version < l.version && l.version > 0) {
		return // not dialog-info, or older than the one taken
	}
	busy, ended := false, len(n.Dialog.Dialogs) > 0
	for _, d := range n.Dialog.Dialogs {
		busy = busy || d.State == "confirmed"
		ended = ended && d.State == "terminated"
	}
	if ended && c.opt.Fault == PBXMissTerminated {
		return
	}
	l.version = n.Dialog.Version
	if l.busy != busy {
		fmt.Fprintf(c.logw, "pbx connector: %s is %s (dialog-info version %d)\n", l.ext, map[bool]string{true: "in a call", false: "free"}[busy], n.Dialog.Version)
		l.refused = false
	}
	l.busy = busy
}

// writer compares, every tick, what each extension's session should hold
// with what was written, and writes the difference.
func (c *pbxConnector) writer(ctx context.Context) {
	c.dir.graph = c.graph
	if n, err := c.dir.load(ctx); err != nil {
		c.logf("pbx connector: reading the directory: %v", err)
	} else {
		c.logf("pbx connector: signed in to Graph; the directory has %d names", n)
	}
	reconcileEvery(ctx, c.opt.Tick, writers, c.dueKeys, c.reconcile)
}

// dueKeys are the extensions a pass reconciles: those whose line changed
// since the last write first, then the refreshes, each in extension order
// (as CloudLink's, C-12). A pass reconciles each key once, so a line's
// write fields are touched by one worker at a time.
func (c *pbxConnector) dueKeys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var changes, refreshes []string
	for e, l := range c.lines {
		switch {
		case l.busy != l.session && !(l.busy && l.refused):
			changes = append(changes, e)
		case l.busy && l.session && c.opt.Fault != PBXNoRefresh && time.Since(l.lastWrite) >= c.env.Real(c.opt.Refresh):
			refreshes = append(refreshes, e)
		}
	}
	sort.Strings(changes)
	sort.Strings(refreshes)
	return append(changes, refreshes...)
}

func (c *pbxConnector) reconcile(ctx context.Context, ext string) {
	c.mu.Lock()
	l := c.lines[ext]
	busy, email, refused, session, last := l.busy, l.email, l.refused, l.session, l.lastWrite
	c.mu.Unlock()
	target, ok := c.lookup(ctx, email)
	if !ok {
		return // no Teams user has the PBX user's e-mail: not synced
	}
	switch {
	case !busy:
		if session {
			c.clear(ctx, l)
		}
	case refused:
	case !session:
		c.set(ctx, l, target)
	case c.opt.Fault != PBXNoRefresh && time.Since(last) >= c.env.Real(c.opt.Refresh):
		c.set(ctx, l, target)
	}
}

// lookup finds a user's object id by e-mail, reading the directory again
// (at most every 200 ms) when the e-mail is not in it.
func (c *pbxConnector) lookup(ctx context.Context, email string) (string, bool) {
	id, ok, err := c.dir.lookup(ctx, email)
	if err != nil {
		c.logf("pbx connector: reading the directory: %v", err)
	}
	return id, ok
}

func (c *pbxConnector) sessionID(target string) string {
	if c.opt.Fault == PBXWrongSession {
		return target
	}
	return c.env.ClientID
}

func (c *pbxConnector) set(ctx context.Context, l *pbxLine, target string) {
	body := map[string]string{"sessionId": c.sessionID(target), "availability": inCall.Availability.String(),
		"activity": inCall.Activity.String(), "expirationDuration": isoDuration(c.opt.Expiration)}
	err := c.graph.do(ctx, http.MethodPost, "/users/"+url.PathEscape(target)+"/presence/setPresence", body, nil)
	if err != nil {
		var ge *graphError
		if errors.As(err, &ge) && !ge.retryable() {
			c.mu.Lock()
			l.refused = true
			c.mu.Unlock()
		}
		if !errors.Is(err, context.Canceled) {
			c.logf("pbx connector: %s: setPresence failed: %v", l.ext, err)
		}
		return
	}
	c.mu.Lock()
	first := !l.session
	l.session, l.target, l.lastWrite = true, target, time.Now()
	c.mu.Unlock()
	if first {
		c.logf("pbx connector: %s: setPresence %s", l.ext, inCall.Short())
	}
}

func (c *pbxConnector) clear(ctx context.Context, l *pbxLine) {
	c.mu.Lock()
	target := l.target
	c.mu.Unlock()
	err := c.graph.do(ctx, http.MethodPost, "/users/"+url.PathEscape(target)+"/presence/clearPresence", map[string]string{"sessionId": c.sessionID(target)}, nil)
	var ge *graphError
	if err != nil && !(errors.As(err, &ge) && ge.Status == http.StatusNotFound) {
		if !errors.Is(err, context.Canceled) {
			c.logf("pbx connector: %s: clearPresence failed: %v", l.ext, err)
		}
		if errors.As(err, &ge) && !ge.retryable() {
			c.mu.Lock()
			l.session = false // the session is not ours to clear
			c.mu.Unlock()
		}
		return
	}
	c.mu.Lock()
	l.session = false
	c.mu.Unlock()
	c.logf("pbx connector: %s: clearPresence", l.ext)
}

func mainPBX(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var opt PBXOptions
	return command{
		name:    "pbx",
		runs:    "the reference PBX connector (line state over SIP, Teams through Graph)",
		serveAt: " (e.g. 127.0.0.1:7071)",
		flags: func(fl *flag.FlagSet) {
			fl.DurationVar(&opt.Expiration, "expiration", 0, "expirationDuration of each setPresence, virtual time (default 5m)")
			fl.DurationVar(&opt.Refresh, "refresh", 0, "rewrite a session that holds this often, virtual time (default a third of --expiration)")
			fl.StringVar(&opt.Transport, "transport", "udp", "SIP transport: udp or tcp")
		},
		run: func(ctx context.Context, env Env, f Fault, out io.Writer) error {
			o := opt
			o.Fault = f
			return RunPBX(ctx, env, o, out)
		},
	}.main(ctx, args, getenv, stdout, stderr)
}
