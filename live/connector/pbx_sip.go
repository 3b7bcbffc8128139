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
	"sync"
	"time"

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
// at half its life.
const sipSubscriptionLife = time.Hour

// pbxLine is one extension as the connector tracks it.
type pbxLine struct {
	name, email, ext string
	sub              *watch.Subscription
	subAt            time.Time
	version          uint64 // of the last dialog-info taken
	busy             bool   // a dialog of the extension is confirmed

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
	dir   dirCache
	// woken is closed when a subscription becomes known, so that its
	// NOTIFYs that came before the answer are taken.
	woken chan struct{}
}

// RunPBX runs the reference PBX connector until ctx ends. It registers
// with the PBX over SIP as the environment's extension, subscribes to the
// dialog state (RFC 4235) of every other extension the PBX's user list
// names, and keeps a Busy/InACall session in Teams for each extension
// with a confirmed dialog: refreshed while the call lasts (C-2), cleared
// when the dialog is terminated (C-3), under its own app id (C-1). It
// writes no preferred presence (C-4); Graph's waits are the shared
// client's (C-5, C-10).
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
		graph: &graphClient{env: env, http: hc},
		pbx:   &pbxClient{env: env, http: stream},
		lines: map[string]*pbxLine{}, byCID: map[string]*pbxLine{}}
	c.graph.log = c.logf
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
	for _, fn := range []func(context.Context){c.follow, c.notifies} {
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
// stream (only who is there: line state comes over SIP) and subscribes to
// each new one; after a broken stream it starts again.
func (c *pbxConnector) follow(ctx context.Context) {
	for ctx.Err() == nil {
		us, err := c.pbx.users(ctx)
		if err == nil {
			for _, u := range us.Value {
				c.learn(ctx, u)
			}
			_, err = c.pbx.stream(ctx, us.LastEventID, func(ev pbxapi.Event) {
				if ev.User != nil {
					c.learn(ctx, *ev.User)
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

// learn subscribes to a user's extension once, and renews the
// subscription at half its life.
func (c *pbxConnector) learn(ctx context.Context, u pbxapi.User) {
	if u.Extension == "" || u.Extension == c.env.SIPUser {
		return
	}
	c.mu.Lock()
	l := c.lines[u.Extension]
	if l == nil {
		l = &pbxLine{ext: u.Extension}
		c.lines[u.Extension] = l
	}
	l.name, l.email = u.Name, u.Email
	sub, at := l.sub, l.subAt
	c.mu.Unlock()
	if sub != nil && time.Since(at) < sipSubscriptionLife/2 {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if sub != nil {
		if res, err := c.sip.Refresh(sctx, sub, int(sipSubscriptionLife/time.Second)); err == nil && res.IsSuccess() {
			c.mu.Lock()
			l.subAt = time.Now()
			c.mu.Unlock()
			return
		}
	}
	// The first NOTIFY can come before the answer; notifies keeps it until
	// the answer names its Call-ID.
	sub, _, err := c.sip.Subscribe(sctx, u.Extension, "dialog", int(sipSubscriptionLife/time.Second))
	if err != nil {
		c.logf("pbx connector: SUBSCRIBE dialog of %s: %v", u.Extension, err)
		return
	}
	c.mu.Lock()
	if l.sub != nil {
		delete(c.byCID, l.sub.CallID)
	}
	l.sub, l.subAt, l.version = sub, time.Now(), 0
	c.byCID[sub.CallID] = l
	c.mu.Unlock()
	c.logf("pbx connector: watching the dialogs of %s (%s)", u.Extension, u.Name)
	c.wake()
}

// wake makes notifies look at the NOTIFYs again (one that came before its
// subscription was known).
func (c *pbxConnector) wake() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.woken != nil {
		close(c.woken)
		c.woken = nil
	}
}

// notifies takes every NOTIFY in order: the newest dialog-info of each
// extension decides whether it is in a call.
func (c *pbxConnector) notifies(ctx context.Context) {
	done := map[int]bool{} // NOTIFYs taken, by index
	for {
		got, ch := c.sip.Notifies()
		woken := make(chan struct{})
		c.mu.Lock()
		c.woken = woken
		for i, n := range got {
			if done[i] {
				continue
			}
			l := c.byCID[n.CallID]
			if l == nil {
				continue // its subscription's answer is still on its way
			}
			done[i] = true
			c.take(l, n)
		}
		c.mu.Unlock()
		select {
		case <-ch:
		case <-woken:
		case <-ctx.Done():
			return
		}
	}
}

// take reads one NOTIFY of a line; with c.mu held.
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
	// one extension at a time: the connector's lines share its lock
	reconcileEvery(ctx, c.opt.Tick, 1, func() []string {
		c.mu.Lock()
		defer c.mu.Unlock()
		exts := make([]string, 0, len(c.lines))
		for e := range c.lines {
			exts = append(exts, e)
		}
		sort.Strings(exts)
		return exts
	}, c.reconcile)
}

func (c *pbxConnector) reconcile(ctx context.Context, ext string) {
	c.mu.Lock()
	l := c.lines[ext]
	busy, email, refused := l.busy, l.email, l.refused
	c.mu.Unlock()
	target, ok := c.lookup(ctx, email)
	if !ok {
		return // no Teams user has the PBX user's e-mail: not synced
	}
	switch {
	case !busy:
		if l.session {
			c.clear(ctx, l)
		}
	case refused:
	case !l.session:
		c.set(ctx, l, target)
	case c.opt.Fault != PBXNoRefresh && time.Since(l.lastWrite) >= c.env.Real(c.opt.Refresh):
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
	first := !l.session
	l.session, l.target, l.lastWrite = true, target, time.Now()
	if first {
		c.logf("pbx connector: %s: setPresence %s", l.ext, inCall.Short())
	}
}

func (c *pbxConnector) clear(ctx context.Context, l *pbxLine) {
	err := c.graph.do(ctx, http.MethodPost, "/users/"+url.PathEscape(l.target)+"/presence/clearPresence", map[string]string{"sessionId": c.sessionID(l.target)}, nil)
	var ge *graphError
	if err != nil && !(errors.As(err, &ge) && ge.Status == http.StatusNotFound) {
		if !errors.Is(err, context.Canceled) {
			c.logf("pbx connector: %s: clearPresence failed: %v", l.ext, err)
		}
		if errors.As(err, &ge) && !ge.retryable() {
			l.session = false // the session is not ours to clear
		}
		return
	}
	l.session = false
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
