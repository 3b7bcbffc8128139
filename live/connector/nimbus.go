package connector

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// NimbusOptions are the reference presence reader's decided values; the
// durations are virtual time.
type NimbusOptions struct {
	// SubscriptionLife is how far ahead each subscription expires (10 min;
	// Graph allows at most 60).
	SubscriptionLife time.Duration
	// RenewBefore renews a subscription this long before it expires (three
	// quarters of its life: a reader stalled for half its life still
	// renews in time).
	RenewBefore time.Duration
	// StaleAfter: with no notification for this long, poll (C-7).
	StaleAfter time.Duration
	// Poll is the polling interval while notifications are stale.
	Poll time.Duration
	// PollRest is how often the users beyond the subscription's 650 are
	// read in bulk (10 s): a presence account holds one subscription
	// (G-SUB-1), so in a larger tenant the rest can only be polled. At
	// 20,000 users that is 30 requests per 10 s, 90 of Graph's 1,500 per
	// 30 s (G-THR-1).
	PollRest time.Duration
	// Tick is how often (real time) the reader looks at its state.
	Tick time.Duration
	// Fault plants NoRenew or Rewind.
	Fault Fault
	// Pace, when set, runs the reader pass by pass on the world's clock
	// (a paced soak): no ticker, every wait counted on the world's time,
	// the rest read within the pass.
	Pace *Pacer
}

func (o *NimbusOptions) defaults() {
	if o.SubscriptionLife <= 0 {
		o.SubscriptionLife = 10 * time.Minute
	}
	if o.RenewBefore <= 0 || o.RenewBefore >= o.SubscriptionLife {
		o.RenewBefore = o.SubscriptionLife * 3 / 4
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 30 * time.Second
	}
	if o.PollRest <= 0 {
		o.PollRest = 10 * time.Second
	}
	if o.Tick <= 0 {
		o.Tick = 20 * time.Millisecond
	}
}

// MaxIDs is Graph's limit of ids per subscription and per bulk read.
const MaxIDs = 650

// nimbus is the reference presence reader of a router like Luware Nimbus
// with presence accounts: it subscribes to its agents' presence, answers
// Graph's validation and notifications at once, renews its subscription
// before it expires, recreates it after a 404, reads changed presence in
// bulk, ignores an older presence than the one it has (C-8), and polls
// when notifications stop (C-7).
type nimbus struct {
	env   Env
	opt   NimbusOptions
	graph *graphClient
	logw  io.Writer
	hc    *http.Client

	mu       sync.Mutex
	dirty    map[string]bool
	lastNote time.Time
	renewNow bool
	// wake tells the loop a notification came, so that it reads at once
	// rather than at its next tick; poked is set while a timer will
	wake  chan struct{}
	poked bool

	// viewMu orders taking presences and reporting them: a poll of the
	// rest and a read of notified users run at once, and the harness must
	// hear the views in the order they were taken (C-8)
	viewMu sync.Mutex
	view   map[string]graphPresence
	// polling is the poll of the users beyond the subscription, in the
	// background; polled is set while one is in flight
	polling sync.WaitGroup
	polled  atomic.Bool

	// writer-only
	self     string
	ids      []string
	lastRead time.Time
	subID    string
	subExp   time.Time
	subTry   time.Time
	// lastRenew is the last renewal: Graph sends reauthorizationRequired
	// from its lead before the expiry on (10 min), and a subscription of a
	// shorter life is inside it as soon as it is renewed
	lastRenew time.Time
	lastPoll  time.Time
	lastRest  time.Time
	lastDir   time.Time
	hookURL   string
}

// RunNimbus runs the reference presence reader until ctx ends.
func RunNimbus(ctx context.Context, env Env, opt NimbusOptions, logw io.Writer) error {
	opt.defaults()
	if env.Username == "" || env.Password == "" {
		return fmt.Errorf("a presence reader signs in as a presence account: set %s and %s", EnvUsername, EnvPassword)
	}
	if logw == nil {
		logw = io.Discard
	}
	hc, err := env.HTTPClient(10 * time.Second)
	if err != nil {
		return err
	}
	n := &nimbus{env: env, opt: opt, logw: logw, hc: hc, dirty: map[string]bool{}, view: map[string]graphPresence{},
		graph: &graphClient{env: env, http: hc, delegated: true, budget: newBudget(env.limit())}, wake: make(chan struct{}, 1)}
	n.graph.pace = opt.Pace
	n.lastNote = n.clock()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(n.hook), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	n.hookURL = "http://" + l.Addr().String() + "/notifications"
	n.logf("nimbus reader: Graph %s, notifications at %s, time scale %g", env.GraphURL, n.hookURL, env.TimeScale)
	defer n.polling.Wait()
	if opt.Pace != nil {
		n.step(ctx) // sign in, read the directory, subscribe: the harness waits for it
		opt.Pace.paced(ctx, func() { n.step(ctx) })
		n.logf("nimbus reader: stopped")
		return nil
	}
	t := time.NewTicker(opt.Tick)
	defer t.Stop()
	for {
		n.step(ctx)
		select {
		case <-ctx.Done():
			n.logf("nimbus reader: stopped")
			return nil
		case <-t.C:
		case <-n.wake:
		}
	}
}

// clock is the time the reader's waits count: the wall clock, or the
// world's when paced.
func (n *nimbus) clock() time.Time { return n.graph.clock() }

func (n *nimbus) since(t time.Time) time.Duration { return n.clock().Sub(t) }

func (n *nimbus) logf(format string, a ...any) {
	n.mu.Lock()
	fmt.Fprintf(n.logw, format+"\n", a...)
	n.mu.Unlock()
}

// hook answers Graph: the validation token echoed as text/plain, and
// notifications with 202 at once; the presence is read afterwards.
func (n *nimbus) hook(w http.ResponseWriter, r *http.Request) {
	ids, lifecycle, done := answerGraph(w, r)
	if done {
		return
	}
	n.mu.Lock()
	n.lastNote = n.clock()
	n.renewNow = n.renewNow || lifecycle
	for _, id := range ids {
		n.dirty[id] = true
	}
	n.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	n.wakeUp()
}

// wakeUp makes the loop look at once.
func (n *nimbus) wakeUp() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// poke is the timer of a read held back by MinReadGap.
func (n *nimbus) poke() {
	n.mu.Lock()
	n.poked = false
	n.mu.Unlock()
	n.wakeUp()
}

func (n *nimbus) step(ctx context.Context) {
	if n.ids == nil || n.since(n.lastDir) > n.graph.real(n.opt.StaleAfter) && n.stale() {
		n.readDirectory(ctx)
	}
	if len(n.ids) == 0 {
		return
	}
	n.mu.Lock()
	renew := n.renewNow
	n.renewNow = false
	var dirty []string
	if n.since(n.lastRead) >= n.graph.real(MinReadGap) {
		// notified users wait for the next read at most MinReadGap: a
		// busy subscription is read in bulk, not once per notification
		for id := range n.dirty {
			dirty = append(dirty, id)
		}
		n.dirty = map[string]bool{}
	} else if len(n.dirty) > 0 && n.opt.Pace == nil && !n.poked {
		// come back when the gap has passed, not a tick later
		n.poked = true
		time.AfterFunc(n.graph.real(MinReadGap)-n.since(n.lastRead), n.poke)
	}
	n.mu.Unlock()
	if n.subID != "" && n.opt.Fault != NoRenew && n.graph.now().After(n.subExp) {
		// it expired (a renewal failed or came too late): subscribe again
		// at once rather than after the usual wait (C-6)
		n.logf("nimbus reader: subscription %s expired; subscribing again", n.subID)
		n.subID, n.subTry = "", time.Time{}
	}
	switch {
	case n.subID == "" && n.since(n.subTry) >= n.graph.real(30*time.Second):
		n.subscribe(ctx)
	case n.subID != "" && n.opt.Fault != NoRenew && (renew && n.since(n.lastRenew) >= n.graph.real(MinRenewGap) || n.graph.now().After(n.subExp.Add(-n.opt.RenewBefore))):
		n.renew(ctx)
	}
	if len(dirty) > 0 {
		sort.Strings(dirty)
		n.lastRead = n.clock()
		n.read(ctx, dirty)
	}
	switch {
	case n.polled.Load():
	case n.stale() && n.since(n.lastPoll) >= n.graph.real(n.opt.Poll):
		n.lastPoll, n.lastRest = n.clock(), n.clock()
		n.read(ctx, n.ids)
	case len(n.ids) > MaxIDs && n.since(n.lastRest) >= n.graph.real(n.opt.PollRest):
		// the users the subscription cannot hold are read in bulk, in the
		// background: the notified ones are not kept waiting behind them
		n.lastRest = n.clock()
		rest := n.ids[MaxIDs:] // readDirectory replaces n.ids, never changes it
		if n.opt.Pace != nil {
			n.read(ctx, rest) // a pass is whole: the same seed, the same reads
			break
		}
		n.polled.Store(true)
		n.polling.Add(1)
		go func() {
			defer n.polling.Done()
			defer n.polled.Store(false)
			n.read(ctx, rest)
		}()
	}
}

// MinReadGap is the least virtual time between two reads of notified
// users; MinRenewGap between two renewals a lifecycle event asked for.
const (
	MinReadGap  = time.Second
	MinRenewGap = time.Minute
)

func (n *nimbus) stale() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.subID == "" || n.since(n.lastNote) > n.graph.real(n.opt.StaleAfter)
}

func (n *nimbus) readDirectory(ctx context.Context) {
	n.lastDir = n.clock()
	us, err := n.graph.users(ctx)
	if err != nil {
		n.logf("nimbus reader: reading the directory: %v", err)
		return
	}
	var ids []string
	for _, u := range us {
		if strings.EqualFold(u.UserPrincipalName, n.env.Username) {
			n.self = u.ID
			continue
		}
		ids = append(ids, strings.ToLower(u.ID))
	}
	sort.Strings(ids)
	if strings.Join(ids, ",") != strings.Join(n.ids, ",") {
		n.logf("nimbus reader: tracking %d users", len(ids))
		if n.subID != "" {
			_ = n.graph.do(ctx, http.MethodDelete, "/subscriptions/"+n.subID, nil, nil)
			n.subID = ""
		}
		n.ids = ids
		n.subTry = time.Time{}
	}
	if n.ids == nil {
		n.ids = []string{}
	}
}

func (n *nimbus) subscribe(ctx context.Context) {
	n.subTry = n.clock()
	ids := n.ids
	if len(ids) > MaxIDs {
		ids = ids[:MaxIDs] // the rest is polled (PollRest)
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "'" + id + "'"
	}
	exp := n.graph.now().Add(n.opt.SubscriptionLife)
	body := map[string]string{"changeType": "updated", "notificationUrl": n.hookURL, "lifecycleNotificationUrl": n.hookURL,
		"resource": "/communications/presences?$filter=id in (" + strings.Join(quoted, ",") + ")", "expirationDateTime": exp.UTC().Format(time.RFC3339)}
	var res struct {
		ID                 string    `json:"id"`
		ExpirationDateTime time.Time `json:"expirationDateTime"`
	}
	if err := n.graph.do(ctx, http.MethodPost, "/subscriptions", body, &res); err != nil {
		n.logf("nimbus reader: subscribing: %v", err)
		return
	}
	n.subID, n.subExp = res.ID, res.ExpirationDateTime
	n.mu.Lock()
	n.lastNote = n.clock()
	n.mu.Unlock()
	n.logf("nimbus reader: subscribed to %d users until %s", len(ids), res.ExpirationDateTime.Format(time.RFC3339))
	n.read(ctx, n.ids)
}

func (n *nimbus) renew(ctx context.Context) {
	n.lastRenew = n.clock()
	exp := n.graph.now().Add(n.opt.SubscriptionLife)
	var res struct {
		ExpirationDateTime time.Time `json:"expirationDateTime"`
	}
	body := map[string]string{"expirationDateTime": exp.UTC().Format(time.RFC3339)}
	err := n.graph.do(ctx, http.MethodPatch, "/subscriptions/"+n.subID, body, &res)
	if ge, ok := err.(*graphError); ok && ge.Status == http.StatusUnauthorized {
		// the token was refused and dropped: renew at once with a new one,
		// not a tick later, when the subscription may have lapsed (C-6)
		err = n.graph.do(ctx, http.MethodPatch, "/subscriptions/"+n.subID, body, &res)
	}
	if ge, ok := err.(*graphError); ok && ge.Status == http.StatusNotFound {
		n.logf("nimbus reader: subscription %s is gone; subscribing again", n.subID)
		n.subID = ""
		n.subTry = time.Time{}
		return
	}
	if err != nil {
		n.logf("nimbus reader: renewing: %v", err)
		return
	}
	n.subExp = res.ExpirationDateTime
	n.logf("nimbus reader: renewed until %s", res.ExpirationDateTime.Format(time.RFC3339))
}

// read fetches presence in bulk, at most MaxIDs a request and up to
// bulkReaders requests at once, and takes what came in the order of ids.
func (n *nimbus) read(ctx context.Context, ids []string) {
	type part struct {
		ids  []string
		got  []reportedView
		fail error
	}
	var parts []part
	for len(ids) > 0 {
		k := min(len(ids), MaxIDs)
		parts = append(parts, part{ids: ids[:k]})
		ids = ids[k:]
	}
	next := make(chan int, len(parts))
	for i := range parts {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(bulkReaders, len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := &parts[i]
				_, p.fail = readPresences(ctx, n.graph.do, p.ids, func(id string, g graphPresence) {
					p.got = append(p.got, reportedView{ID: id, Availability: g.Availability, Activity: g.Activity, SequenceNumber: g.SequenceNumber})
				})
			}
		}()
	}
	wg.Wait()
	n.viewMu.Lock()
	defer n.viewMu.Unlock()
	var taken []reportedView
	for _, p := range parts {
		for _, v := range p.got {
			n.take(v.ID, graphPresence{Availability: v.Availability, Activity: v.Activity, SequenceNumber: v.SequenceNumber}, &taken)
		}
		if p.fail != nil {
			n.logf("nimbus reader: reading presence: %v", p.fail)
			n.mu.Lock()
			for _, id := range p.ids {
				n.dirty[id] = true
			}
			n.mu.Unlock()
		}
	}
	reportViews(ctx, n.hc, n.env.ReportURL, taken)
}

// bulkReaders is how many bulk reads a reader has in flight at once: a
// tenant of 20,000 is 31 reads of 650, which one after another take the
// sum of their answer times, and the presences of the last read are that
// much older when taken.
const bulkReaders = 4

// take keeps a presence unless an older one (C-8), adding it to the
// views to report after the read; viewMu is held.
func (n *nimbus) take(id string, p graphPresence, taken *[]reportedView) {
	old, ok := n.view[id]
	if ok && p.SequenceNumber < old.SequenceNumber {
		return
	}
	if ok && old == p {
		return
	}
	n.view[id] = p
	n.logf("nimbus reader: %s is %s/%s (%s)", id, p.Availability, p.Activity, p.SequenceNumber)
	*taken = append(*taken, reportedView{ID: id, Availability: p.Availability, Activity: p.Activity, SequenceNumber: p.SequenceNumber})
	if n.opt.Fault == Rewind && ok {
		n.view[id] = old
		n.logf("nimbus reader: %s is %s/%s again (%s), an older read taken late", id, old.Availability, old.Activity, old.SequenceNumber)
		*taken = append(*taken, reportedView{ID: id, Availability: old.Availability, Activity: old.Activity, SequenceNumber: old.SequenceNumber})
	}
}
