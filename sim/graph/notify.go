package graph

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// NotifyFaults are what Graph may do to the change notifications about a
// user: deliver them late, lose them, send them twice or out of order. A
// reader that keeps C-7 and C-8 shows the true presence regardless.
type NotifyFaults struct {
	// Delay is how much later than the change a notification is delivered.
	Delay time.Duration
	// Reverse holds the notifications for Hold (after Delay) and delivers
	// what was held newest first.
	Reverse bool
	Hold    time.Duration // DefaultHold when zero
	// Duplicate delivers every notification twice.
	Duplicate bool
	// DropNext loses the next DropNext notifications; LossRate a drawn
	// share of the rest.
	DropNext int
	LossRate float64
	// Mean and Max are a latency band: every notification is delivered
	// after Delay plus a latency drawn from an exponential distribution of
	// mean Mean/2, cut at Max, so none comes later than Max and a handful
	// of them already averages under Mean (Graph states less than 10 s on
	// average, 60 s at most). Each copy draws its own latency, so close
	// changes may overtake.
	Mean, Max time.Duration
}

// DefaultHold is how long reversed notifications are held: Graph's stated
// average notification latency.
const DefaultHold = 10 * time.Second

// MaxNotifyDelay bounds Delay and Hold: Graph's stated worst latency is a
// minute; an hour leaves room for scenarios about a stalled service.
const MaxNotifyDelay = time.Hour

// maxHeld caps the notifications waiting in the layer; beyond, a new one
// is delivered at once rather than held.
const maxHeld = 100_000

// Check says what is wrong with the notification faults, if anything.
func (n NotifyFaults) Check() error {
	if n.Delay < 0 || n.Delay > MaxNotifyDelay || n.Hold < 0 || n.Hold > MaxNotifyDelay {
		return fmt.Errorf("notification delay %s and hold %s: give 0 to %s", n.Delay, n.Hold, MaxNotifyDelay)
	}
	if n.LossRate < 0 || n.LossRate > 1 {
		return fmt.Errorf("notification loss rate %g: give a share from 0 to 1", n.LossRate)
	}
	if n.Mean < 0 || n.Max < 0 || n.Max > MaxNotifyDelay || (n.Max > 0) != (n.Mean > 0) || n.Mean > n.Max {
		return fmt.Errorf("notification latency of %s on average, %s at most: give both, the average no more than the most, up to %s", n.Mean, n.Max, MaxNotifyDelay)
	}
	if n.DropNext < 0 || n.DropNext > 1_000_000 {
		return fmt.Errorf("drop the next %d notifications: give 0 to 1000000", n.DropNext)
	}
	return nil
}

func (n NotifyFaults) on() bool {
	return n.Delay > 0 || n.Reverse || n.Duplicate || n.DropNext > 0 || n.LossRate > 0 || n.Max > 0
}

// latency draws one notification's latency in the band, 0 without one.
func (n *NotifyFaults) latency(rnd *rand.Rand) time.Duration {
	if n.Max <= 0 {
		return 0
	}
	return min(time.Duration(rnd.ExpFloat64()*float64(n.Mean)/2), n.Max)
}

type userNotify struct {
	set bool
	nf  NotifyFaults
	// batch holds the reversed notifications until flush.
	batch []int32
	flush clock.Timer
}

type heldNote struct {
	s    Subscriber
	n    Notification
	used bool
}

// notifyFaults is the layer's notification part, a clock handler.
type notifyFaults struct {
	l      *Layer
	all    userNotify
	byUser []userNotify
	any    bool // some user's or everyone's faults are on
	held   []heldNote
	free   []int32
}

const (
	opDeliver int32 = iota + 1
	opFlush
)

// SetNotifyFaults sets the notification faults about u.
func (l *Layer) SetNotifyFaults(u teams.UserID, n NotifyFaults) error {
	if err := n.Check(); err != nil {
		return err
	}
	if u < 0 || (l.tm != nil && int(u) >= l.tm.NumUsers()) {
		return fmt.Errorf("no user #%d to fault notifications about", u)
	}
	nf := &l.notify
	for len(nf.byUser) <= int(u) {
		nf.byUser = append(nf.byUser, userNotify{})
	}
	nf.byUser[u].set, nf.byUser[u].nf = n.on(), n
	nf.recount()
	return nil
}

// SetAllNotifyFaults sets the notification faults about every user without
// faults of its own.
func (l *Layer) SetAllNotifyFaults(n NotifyFaults) error {
	if err := n.Check(); err != nil {
		return err
	}
	l.notify.all.set, l.notify.all.nf = n.on(), n
	l.notify.recount()
	return nil
}

// NotifyFaultsOf is the notification faults about u.
func (l *Layer) NotifyFaultsOf(u teams.UserID) NotifyFaults {
	if int(u) >= 0 && int(u) < len(l.notify.byUser) && l.notify.byUser[u].set {
		return l.notify.byUser[u].nf
	}
	return l.notify.all.nf
}

func (nf *notifyFaults) recount() {
	nf.any = nf.all.set
	for i := range nf.byUser {
		nf.any = nf.any || nf.byUser[i].set
	}
}

func (nf *notifyFaults) rule(u teams.UserID) *userNotify {
	if int(u) >= 0 && int(u) < len(nf.byUser) && nf.byUser[u].set {
		return &nf.byUser[u]
	}
	if nf.all.set {
		return &nf.all
	}
	return nil
}

// relay is a subscription's subscriber as seen through the layer.
type relay struct {
	nf *notifyFaults
	s  Subscriber
}

func (r *relay) Notified(now clock.Time, n Notification) { r.nf.pass(now, r.s, n) }

// Notify passes one notification for s through the notification faults,
// as every in-process subscription's notifications pass: the Graph fake
// sends its webhook notifications this way, so both paths meet the same
// setting and the same seeded draw, in the order the notifications come.
// Without faults about the user s gets n at once.
func (l *Layer) Notify(now clock.Time, s Subscriber, n Notification) { l.notify.pass(now, s, n) }

func (nf *notifyFaults) note(u teams.UserID, what string) {
	l := nf.l
	if l.trace == nil {
		return
	}
	name := ""
	if l.tm != nil && int(u) < l.tm.NumUsers() {
		name = l.tm.Name(u)
	}
	l.trace.Record(trace.Entry{At: l.clock.Now(), Kind: trace.SourceChange, User: name, Source: "graph", Note: what})
}

// pass delivers, holds, drops or doubles one notification.
func (nf *notifyFaults) pass(now clock.Time, s Subscriber, n Notification) {
	l := nf.l
	l.stats.Notifications++
	var un *userNotify
	if nf.any {
		un = nf.rule(n.Presence.User)
	}
	if un == nil {
		s.Notified(now, n)
		return
	}
	u, f := n.Presence.User, &un.nf
	if f.DropNext > 0 {
		f.DropNext--
		un.set = f.on()
		nf.recount()
		l.stats.NotesDropped++
		nf.note(u, fmt.Sprintf("Graph drops the notification of %s (sequenceNumber %d)", n.Presence.Presence.Short(), n.Presence.Sequence))
		return
	}
	if f.LossRate > 0 && l.rnd.Float64() < f.LossRate {
		l.stats.NotesDropped++
		nf.note(u, fmt.Sprintf("Graph loses the notification of %s (sequenceNumber %d)", n.Presence.Presence.Short(), n.Presence.Sequence))
		return
	}
	copies := 1
	if f.Duplicate {
		copies = 2
		l.stats.NotesDuplicated++
		nf.note(u, fmt.Sprintf("Graph sends the notification of %s (sequenceNumber %d) twice", n.Presence.Presence.Short(), n.Presence.Sequence))
	}
	for c := 0; c < copies; c++ {
		switch {
		case f.Reverse && len(nf.held) < maxHeld:
			i := nf.hold(s, n)
			un.batch = append(un.batch, i)
			if _, ok := l.clock.When(un.flush); !ok {
				hold := f.Hold
				if hold == 0 {
					hold = DefaultHold
				}
				var everyone int32
				if un == &nf.all {
					everyone = 1
				}
				un.flush = l.clock.Schedule(now.Add(f.Delay+hold), nf, clock.Event{Op: opFlush, A: int32(u), B: everyone, Label: "Graph delivers the held notifications newest first"})
			}
		case (f.Delay > 0 || f.Max > 0) && len(nf.held) < maxHeld:
			d := f.Delay + f.latency(l.rnd)
			if d <= 0 {
				s.Notified(now, n)
				continue
			}
			l.stats.NotesDelayed++
			i := nf.hold(s, n)
			l.clock.Schedule(now.Add(d), nf, clock.Event{Op: opDeliver, A: i, Label: "Graph delivers a delayed notification"})
			if c == 0 {
				nf.note(u, fmt.Sprintf("Graph holds the notification of %s (sequenceNumber %d) for %s", n.Presence.Presence.Short(), n.Presence.Sequence, d))
			}
		default:
			s.Notified(now, n)
		}
	}
}

func (nf *notifyFaults) hold(s Subscriber, n Notification) int32 {
	h := heldNote{s: s, n: n, used: true}
	if k := len(nf.free); k > 0 {
		i := nf.free[k-1]
		nf.free = nf.free[:k-1]
		nf.held[i] = h
		return i
	}
	nf.held = append(nf.held, h)
	return int32(len(nf.held) - 1)
}

func (nf *notifyFaults) release(i int32) (Subscriber, Notification, bool) {
	if i < 0 || int(i) >= len(nf.held) || !nf.held[i].used {
		return nil, Notification{}, false
	}
	h := nf.held[i]
	nf.held[i] = heldNote{}
	nf.free = append(nf.free, i)
	return h.s, h.n, true
}

// Fire delivers a delayed notification or a reversed batch.
func (nf *notifyFaults) Fire(now clock.Time, ev clock.Event) {
	switch ev.Op {
	case opDeliver:
		if s, n, ok := nf.release(ev.A); ok {
			s.Notified(now, n)
		}
	case opFlush:
		un := &nf.all
		if ev.B == 0 && int(ev.A) < len(nf.byUser) {
			un = &nf.byUser[ev.A]
		}
		batch := un.batch
		un.batch = nil
		if len(batch) > 1 {
			nf.l.stats.NotesReordered += uint64(len(batch))
			nf.note(teams.UserID(ev.A), fmt.Sprintf("Graph delivers %d held notifications newest first", len(batch)))
		}
		for k := len(batch) - 1; k >= 0; k-- {
			if s, n, ok := nf.release(batch[k]); ok {
				s.Notified(now, n)
			}
		}
	}
}

// AllNotifyFaults is the notification faults about every user without
// faults of its own.
func (l *Layer) AllNotifyFaults() NotifyFaults { return l.notify.all.nf }
