package follow

import (
	"fmt"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/teams"
)

// Origin says how the reader came by a presence.
type Origin uint8

// Origins of a presence taken.
const (
	Notified Origin = iota // a change notification of the user's subscription
	Polled                 // a read: a poll, a quiet subscription checked
)

func (o Origin) String() string { return [...]string{"notification", "read"}[o] }

// Handler is told of every presence the reader takes, each newer than the
// one it held for the user (C-8).
type Handler interface {
	Seen(now clock.Time, p graph.Presence, o Origin)
}

// Settings are a reader's timings.
type Settings struct {
	// PollInterval is how often a user is read while no subscription
	// brings their changes: notifications lost, or Graph refusing the
	// subscription (C-7).
	PollInterval time.Duration
	// Quiet: a subscribed user of whom nothing came for this long is read
	// once, so a notification Graph lost does not stand for ever (C-7).
	// Zero never reads a subscribed user.
	Quiet time.Duration
	// OlderWins is a planted fault: the reader takes every presence it is
	// given, so a late notification's older sequenceNumber wins (breaks
	// C-8).
	OlderWins bool
}

// The timings the built-in models start with (decided): poll every minute
// while notifications are lost, read a subscription quiet for 10 minutes,
// back off from 2 s to 5 min after 5xx.
const (
	DefaultPollInterval = time.Minute
	DefaultQuiet        = 10 * time.Minute
	DefaultBackoff      = 2 * time.Second
	DefaultMaxBackoff   = 5 * time.Minute
)

// Reader follows users' presence through one app's seam.
type Reader struct {
	g     graph.Seam
	clk   *clock.Clock
	h     Handler
	set   Settings
	bo    *Backoff
	users []watch // by teams.UserID
	// stale are subscriptions to delete once Graph may be asked again: a
	// deletion is a request too, held to the back-off (C-5).
	stale []graph.SubscriptionID
}

// maxStale caps the deletions waiting for the back-off; beyond, a
// subscription is left to expire in Graph (its notifications are ignored).
const maxStale = 1024

type watch struct {
	on     bool // followed
	lost   bool // the subscription's notifications are lost: poll, do not subscribe
	subbed bool
	sub    graph.SubscriptionID
	has    bool
	last   graph.Presence
	// offered is the newest sequenceNumber Graph gave the reader, taken or
	// not: what the view must hold (C-8).
	offered uint64
	timer   clock.Timer
}

// New returns a reader over the seam that reports to h. bo is the back-off
// of every request the app sends, shared with its writes.
func New(g graph.Seam, clk *clock.Clock, h Handler, set Settings, bo *Backoff) *Reader {
	return &Reader{g: g, clk: clk, h: h, set: set, bo: bo}
}

// SetSettings changes the timings; timers already armed keep their time.
func (r *Reader) SetSettings(s Settings) { r.set = s }

// SetSeam points the reader at another seam (the app id changed). The
// subscriptions of the old seam are dropped and made again on the new one.
func (r *Reader) SetSeam(g graph.Seam) {
	for i := range r.users {
		if w := &r.users[i]; w.subbed {
			r.unsubscribe(w)
		}
	}
	r.flush()
	r.stale = r.stale[:0] // the old seam's: not Graph's to delete through the new one
	r.g = g
	for i := range r.users {
		if w := &r.users[i]; w.on && !w.lost {
			r.subscribe(teams.UserID(i), w)
		}
	}
}

func (r *Reader) at(u teams.UserID) *watch {
	for int(u) >= len(r.users) {
		r.users = append(r.users, watch{})
	}
	return &r.users[u]
}

// Watch follows the user: a subscription of their presence, or polling
// while notifications are lost. It reads nothing; Fresh does.
func (r *Reader) Watch(u teams.UserID) {
	if u < 0 {
		return
	}
	w := r.at(u)
	if w.on {
		return
	}
	w.on = true
	if w.lost {
		r.arm(u, w, opPoll, r.set.PollInterval)
		return
	}
	r.subscribe(u, w)
}

// Unwatch stops following the user: their subscription is deleted and
// nothing is read until Watch. The newest sequenceNumber is kept, so an old
// presence cannot win after a restart either.
func (r *Reader) Unwatch(u teams.UserID) {
	if u < 0 || int(u) >= len(r.users) {
		return
	}
	w := &r.users[u]
	r.clk.Cancel(w.timer)
	if w.subbed {
		r.unsubscribe(w)
	}
	w.on = false
}

// SetLost says whether the user's change notifications are lost. Lost, the
// reader polls every PollInterval from now; found again, it subscribes, and
// the caller reads once with Fresh to converge (C-7).
func (r *Reader) SetLost(u teams.UserID, lost bool) {
	if u < 0 {
		return
	}
	w := r.at(u)
	w.lost = lost
	if !w.on {
		return
	}
	r.clk.Cancel(w.timer)
	if lost {
		if w.subbed {
			r.unsubscribe(w)
		}
		r.arm(u, w, opPoll, r.set.PollInterval)
		return
	}
	if !w.subbed {
		r.subscribe(u, w)
	}
}

// Current is the newest presence taken of the user, if any.
func (r *Reader) Current(u teams.UserID) (graph.Presence, bool) {
	if u < 0 || int(u) >= len(r.users) || !r.users[u].has {
		return graph.Presence{}, false
	}
	return r.users[u].last, true
}

// Offered is the newest sequenceNumber Graph gave the reader of the user,
// by notification or read; a reader that keeps C-8 holds it.
func (r *Reader) Offered(u teams.UserID) uint64 {
	if u < 0 || int(u) >= len(r.users) {
		return 0
	}
	return r.users[u].offered
}

// Fresh reads the user now, unless Graph's back-off forbids a request, and
// returns the newest presence known: an older answer does not win over a
// newer notification (C-8). It does not call the handler.
func (r *Reader) Fresh(u teams.UserID) (graph.Presence, bool) {
	if u < 0 {
		return graph.Presence{}, false
	}
	w := r.at(u)
	if now := r.clk.Now(); r.bo.Ready(now) {
		p, err := r.g.Read(u)
		r.bo.Done(now, err)
		if err == nil {
			r.take(w, p)
		}
	}
	return r.Current(u)
}

// take holds p if it is newer than what w holds (C-8).
func (r *Reader) take(w *watch, p graph.Presence) bool {
	w.offered = max(w.offered, p.Sequence)
	if w.has && p.Sequence <= w.last.Sequence && !(r.set.OlderWins && p.Sequence < w.last.Sequence) {
		return false
	}
	w.has, w.last = true, p
	return true
}

// unsubscribe ends w's subscription: deleted now, or once the back-off
// allows a request.
func (r *Reader) unsubscribe(w *watch) {
	w.subbed = false
	if len(r.stale) < maxStale {
		r.stale = append(r.stale, w.sub)
	}
	r.flush()
}

// flush deletes the stale subscriptions while Graph may be asked; one that
// fails transiently waits for the next request.
func (r *Reader) flush() {
	for len(r.stale) > 0 {
		now := r.clk.Now()
		if !r.bo.Ready(now) {
			return
		}
		id := r.stale[len(r.stale)-1]
		if r.bo.Done(now, r.g.Unsubscribe(id)) {
			return
		}
		r.stale = r.stale[:len(r.stale)-1]
	}
}

func (r *Reader) subscribe(u teams.UserID, w *watch) {
	r.clk.Cancel(w.timer)
	r.flush()
	now := r.clk.Now()
	if r.bo.Ready(now) {
		id, err := r.g.Subscribe([]teams.UserID{u}, r)
		r.bo.Done(now, err)
		if err == nil {
			w.subbed, w.sub = true, id
			if r.set.Quiet > 0 {
				r.arm(u, w, opQuiet, r.set.Quiet)
			}
			return
		}
	}
	// no subscription: poll, and try subscribing again at each poll
	r.arm(u, w, opPoll, r.set.PollInterval)
}

// Notified implements graph.Subscriber.
func (r *Reader) Notified(now clock.Time, n graph.Notification) {
	u := n.Presence.User
	if u < 0 || int(u) >= len(r.users) {
		return
	}
	w := &r.users[u]
	if !w.on || !w.subbed || n.Subscription != w.sub {
		return // a subscription deleted already
	}
	if r.set.Quiet > 0 {
		r.arm(u, w, opQuiet, r.set.Quiet)
	}
	if r.take(w, n.Presence) {
		r.h.Seen(now, n.Presence, Notified)
	}
}

const (
	opPoll int32 = iota + 1
	opQuiet
)

var opLabels = [...]string{
	opPoll:  "reads presence: no change notifications (C-7)",
	opQuiet: "reads presence: the subscription is quiet (C-7)",
}

func (r *Reader) arm(u teams.UserID, w *watch, op int32, d time.Duration) {
	r.clk.Cancel(w.timer)
	at := r.clk.Now().Add(d)
	if nb := r.bo.NotBefore(); at < nb {
		at = nb
	}
	w.timer = r.clk.Schedule(at, r, clock.Event{Op: op, A: int32(u), Label: opLabels[op]})
}

// Fire reads a user whose notifications are lost or quiet.
func (r *Reader) Fire(now clock.Time, ev clock.Event) {
	u := teams.UserID(ev.A)
	if u < 0 || int(u) >= len(r.users) {
		return
	}
	w := &r.users[u]
	if !w.on {
		return
	}
	if !r.bo.Ready(now) {
		r.arm(u, w, ev.Op, 0)
		return
	}
	if r.flush(); !r.bo.Ready(now) {
		r.arm(u, w, ev.Op, 0)
		return
	}
	switch {
	case ev.Op == opPoll && !w.lost && !w.subbed:
		r.subscribe(u, w) // arms the next timer
		if !r.bo.Ready(now) {
			return // refused for now: no request before the back-off ends
		}
	case w.subbed && r.set.Quiet > 0:
		r.arm(u, w, opQuiet, r.set.Quiet)
	case !w.subbed:
		r.arm(u, w, opPoll, r.set.PollInterval)
	}
	p, err := r.g.Read(u)
	if r.bo.Done(now, err) {
		r.arm(u, w, ev.Op, 0) // again once the back-off ends (C-5)
		return
	}
	if err == nil && r.take(w, p) {
		r.h.Seen(now, p, Polled)
	}
}

// Describe tells how the user is followed, for explanations.
func (r *Reader) Describe(u teams.UserID) string {
	if u < 0 || int(u) >= len(r.users) || !r.users[u].on {
		return "not followed"
	}
	w := &r.users[u]
	var s string
	switch {
	case w.subbed:
		s = fmt.Sprintf("subscribed (subscription %d)", w.sub)
	case w.lost:
		s = fmt.Sprintf("notifications lost: polling every %s (C-7)", r.set.PollInterval)
	default:
		s = fmt.Sprintf("no subscription: polling every %s and subscribing again (C-7)", r.set.PollInterval)
	}
	if w.has {
		s += fmt.Sprintf("; newest presence %s at sequenceNumber %d", w.last.Presence.Short(), w.last.Sequence)
	}
	if now := r.clk.Now(); !r.bo.Ready(now) {
		s += fmt.Sprintf("; Graph's back-off: no request before %s (C-5)", r.bo.NotBefore())
	}
	return s
}

var _ graph.Subscriber = (*Reader)(nil)
