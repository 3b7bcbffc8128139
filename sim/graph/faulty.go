package graph

import (
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// Faulty is one app's seam through the world's Layer: each request is
// counted against G-THR-1 for the app in the user's tenant, then draws its
// injected error and latency, then goes to the seam beneath. Notifications
// pass the layer's notification faults. With nothing set beyond the
// default throttle, a request costs a window count and no allocation.
type Faulty struct {
	inner Seam
	l     *Layer
	app   string
	wins  []tenantWindow
	// byUser is 1 + the index in wins of each user's tenant (0: not yet
	// looked up), valid for the directory version dirVersion; last is the
	// index tenantWindow found.
	byUser     []int32
	dirVersion uint64
	last       int
	late       []lateWrite
	free       []int32
}

type tenantWindow struct {
	tenant string
	w      Window
}

// lateWrite is a write that reaches Graph later by an injected latency.
type lateWrite struct {
	op     Op
	u      teams.UserID
	p      presence.Presence
	expiry time.Duration
	used   bool
}

// maxLate caps the writes in flight under latency; beyond, a write is
// served at once.
const maxLate = 100_000

// NewFaulty returns the seam of app over inner through the layer.
func NewFaulty(inner Seam, l *Layer, app string) *Faulty {
	return &Faulty{inner: inner, l: l, app: app}
}

// App is the application whose seam this is.
func (f *Faulty) App() string { return f.app }

// Inner is the seam beneath the layer.
func (f *Faulty) Inner() Seam { return f.inner }

// window is the G-THR-1 window of the user's tenant. Which window a user
// counts against is kept by user until the directory changes, so the hot
// path neither copies a directory entry nor compares tenant names.
func (f *Faulty) window(u teams.UserID) *Window {
	tm := f.l.tm
	if tm == nil || int(u) < 0 || int(u) >= tm.NumUsers() {
		return f.tenantWindow("")
	}
	if v := tm.DirVersion(); v != f.dirVersion {
		f.byUser, f.dirVersion = f.byUser[:0], v
	}
	if int(u) < len(f.byUser) && f.byUser[u] > 0 {
		return &f.wins[f.byUser[u]-1].w
	}
	w := f.tenantWindow(tm.Dir(u).Org)
	for len(f.byUser) <= int(u) {
		f.byUser = append(f.byUser, 0)
	}
	f.byUser[u] = int32(f.last + 1)
	return w
}

func (f *Faulty) tenantWindow(tenant string) *Window {
	for i := range f.wins {
		if f.wins[i].tenant == tenant {
			f.last = i
			return &f.wins[i].w
		}
	}
	f.wins = append(f.wins, tenantWindow{tenant: tenant})
	f.last = len(f.wins) - 1
	return &f.wins[f.last].w
}

// admit runs the throttle and the fault draw for one request.
func (f *Faulty) admit(op Op, u teams.UserID, throttled bool) (*Error, time.Duration) {
	l := f.l
	var err *Error
	var d time.Duration
	if throttled && !l.thr.Off {
		err = l.Take(f.window(u))
	}
	if err == nil {
		err, d = l.Draw()
	}
	if l.journal.on {
		r := Request{At: l.clock.Now(), App: f.app, Op: op, User: u, Status: 200}
		if err != nil {
			r.Status, r.RetryAfter = err.Status, err.RetryAfter
		}
		l.journal.add(r)
	}
	return err, d
}

// answer is the inner seam's error, recorded in the journal when it
// refused the request.
func (f *Faulty) answer(err error) error {
	if err == nil || !f.l.journal.on {
		return err
	}
	if ge, ok := err.(*Error); ok && len(f.l.journal.ring) > 0 {
		j := &f.l.journal
		last := (j.next + len(j.ring) - 1) % len(j.ring)
		j.ring[last].Status = ge.Status
	}
	return err
}

// defer schedules a write d later; false when too many are in flight.
func (f *Faulty) later(d time.Duration, w lateWrite) bool {
	if len(f.late)-len(f.free) >= maxLate {
		return false
	}
	w.used = true
	var i int32
	if k := len(f.free); k > 0 {
		i = f.free[k-1]
		f.free = f.free[:k-1]
		f.late[i] = w
	} else {
		f.late = append(f.late, w)
		i = int32(len(f.late) - 1)
	}
	f.l.clock.Schedule(f.l.clock.Now().Add(d), f, clock.Event{Op: int32(w.op), A: i, Label: "a write reaches Graph after its latency"})
	return true
}

// Fire serves a write whose latency has passed; what Graph refuses then
// is traced, as the caller was answered already.
func (f *Faulty) Fire(now clock.Time, ev clock.Event) {
	i := ev.A
	if i < 0 || int(i) >= len(f.late) || !f.late[i].used {
		return
	}
	w := f.late[i]
	f.late[i] = lateWrite{}
	f.free = append(f.free, i)
	if err := f.serve(w); err != nil && f.l.trace != nil {
		name := ""
		if tm := f.l.tm; tm != nil && int(w.u) < tm.NumUsers() {
			name = tm.Name(w.u)
		}
		f.l.trace.Record(trace.Entry{At: now, Kind: trace.SourceChange, User: name, Source: "graph", Note: f.app + "'s delayed " + w.op.String() + " was refused: " + err.Error()})
	}
}

func (f *Faulty) serve(w lateWrite) error {
	switch w.op {
	case OpSetPresence:
		return f.inner.SetPresence(w.u, w.p, w.expiry)
	case OpClearPresence:
		return f.inner.ClearPresence(w.u)
	case OpSetUserPreferredPresence:
		return f.inner.SetUserPreferredPresence(w.u, w.p, w.expiry)
	case OpClearUserPreferredPresence:
		return f.inner.ClearUserPreferredPresence(w.u)
	}
	return nil
}

func (f *Faulty) write(w lateWrite) error {
	err, d := f.admit(w.op, w.u, true)
	if err != nil {
		return err
	}
	if d > 0 && f.later(d, w) {
		return nil
	}
	return f.answer(f.serve(w))
}

// SetPresence implements Seam.
func (f *Faulty) SetPresence(u teams.UserID, p presence.Presence, expiry time.Duration) error {
	return f.write(lateWrite{op: OpSetPresence, u: u, p: p, expiry: expiry})
}

// ClearPresence implements Seam.
func (f *Faulty) ClearPresence(u teams.UserID) error {
	return f.write(lateWrite{op: OpClearPresence, u: u})
}

// SetUserPreferredPresence implements Seam.
func (f *Faulty) SetUserPreferredPresence(u teams.UserID, p presence.Presence, expiry time.Duration) error {
	return f.write(lateWrite{op: OpSetUserPreferredPresence, u: u, p: p, expiry: expiry})
}

// ClearUserPreferredPresence implements Seam.
func (f *Faulty) ClearUserPreferredPresence(u teams.UserID) error {
	return f.write(lateWrite{op: OpClearUserPreferredPresence, u: u})
}

// Read implements Seam. A read's latency is counted but not waited: the
// answer is what Graph holds when it is served.
func (f *Faulty) Read(u teams.UserID) (Presence, error) {
	if err, _ := f.admit(OpRead, u, true); err != nil {
		return Presence{}, err
	}
	p, err := f.inner.Read(u)
	return p, f.answer(err)
}

// ReadMany implements Seam; the request counts once, in the first user's
// tenant.
func (f *Faulty) ReadMany(ids []teams.UserID, dst []Presence) ([]Presence, error) {
	var first teams.UserID = -1
	if len(ids) > 0 {
		first = ids[0]
	}
	if err, _ := f.admit(OpReadMany, first, true); err != nil {
		return dst, err
	}
	out, err := f.inner.ReadMany(ids, dst)
	return out, f.answer(err)
}

// Subscribe implements Seam: the subscriber gets its notifications
// through the layer's notification faults.
func (f *Faulty) Subscribe(ids []teams.UserID, s Subscriber) (SubscriptionID, error) {
	var first teams.UserID = -1
	if len(ids) > 0 {
		first = ids[0]
	}
	if err, _ := f.admit(OpSubscribe, first, true); err != nil {
		return 0, err
	}
	id, err := f.inner.Subscribe(ids, &relay{nf: &f.l.notify, s: s})
	return id, f.answer(err)
}

// Unsubscribe implements Seam.
func (f *Faulty) Unsubscribe(id SubscriptionID) error {
	if err, _ := f.admit(OpUnsubscribe, -1, true); err != nil {
		return err
	}
	return f.answer(f.inner.Unsubscribe(id))
}

// Directory implements Seam. The directory is not held to G-THR-1 (it has
// limits of its own, beyond a connector's lookups) but faults reach it.
func (f *Faulty) Directory(dst []teams.Directory) ([]teams.Directory, error) {
	if err, _ := f.admit(OpDirectory, -1, false); err != nil {
		return dst, err
	}
	out, err := f.inner.Directory(dst)
	return out, f.answer(err)
}

// DirectoryVersion implements DirectoryDelta when the seam beneath does.
func (f *Faulty) DirectoryVersion() (uint64, bool) {
	if d, ok := f.inner.(DirectoryDelta); ok {
		return d.DirectoryVersion()
	}
	return 0, false
}

var _ Seam = (*Faulty)(nil)
var _ DirectoryDelta = (*Faulty)(nil)
