package soak

import (
	"slices"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/trace"
)

// Kind is a kind of change the connector must carry.
type Kind uint8

// The kinds of change a PBX connector carries into Teams.
const (
	CallStarted Kind = iota // the desk phone went busy (CL-3): Teams should show the call
	CallEnded               // the line went idle: the connector's session should go
	Lapsed                  // the connector's session ended while the line stayed busy
	numKinds
)

var kindNames = [numKinds]string{"call started", "call ended", "session lapsed in a call"}

func (k Kind) String() string { return kindNames[k] }

// pending is a change the connector has not carried yet.
type pending struct {
	kind Kind
	at   clock.Time
	open bool
}

// person is what the tracker knows of one person.
type person struct {
	busy bool // the desk-phone line is not idle
	on   bool // the connector's app session shows something
	p    pending
}

// maxSamples bounds the staleness samples kept per kind; beyond it every
// other sample is kept (the percentiles stay close, memory stays bounded).
const maxSamples = 1 << 20

// tracker pairs each line change with the connector's write that carries
// it. It runs inside the world (a PBX listener and a trace watcher), so
// it needs no lock of its own.
type tracker struct {
	source  string              // the connector's source in the Teams trace
	busy    func(pbx.Line) bool // a line in a call the connector must carry
	pbx     *pbx.Model
	people  map[string]*person
	start   clock.Time
	end     clock.Time
	armed   bool // from start on
	bucket  time.Duration
	kinds   [numKinds]kindTally
	wrong   int // writes that disagreed with the line when made
	open    int // changes not carried yet
	buckets []bucketTally
}

type kindTally struct {
	changes, carried, superseded int
	samples                      []time.Duration
	stride, skip                 int
	max                          time.Duration
}

type bucketTally struct {
	changes, carried    int
	samples             []time.Duration
	requests, throttled int
}

func newTracker(source string, phones *pbx.Model, start, end clock.Time, bucket time.Duration) *tracker {
	t := &tracker{source: source, busy: lineBusy, pbx: phones, people: map[string]*person{}, start: start, end: end, bucket: bucket}
	for i := range t.kinds {
		t.kinds[i].stride = 1
	}
	return t
}

func (t *tracker) who(name string) *person {
	p := t.people[name]
	if p == nil {
		p = &person{}
		t.people[name] = p
	}
	return p
}

func (t *tracker) bucketAt(at clock.Time) *bucketTally {
	return bucketIn(&t.buckets, t.start, t.bucket, at)
}

// expect opens a change; an open one not carried by now was superseded
// (a call shorter than the connector's carry time, mostly).
func (t *tracker) expect(pp *person, k Kind, at clock.Time) {
	if pp.p.open {
		t.kinds[pp.p.kind].superseded++
		pp.p.open = false
		t.open--
	}
	if at >= t.end {
		return // after the day: carried or not, it is not measured
	}
	t.kinds[k].changes++
	t.bucketAt(at).changes++
	pp.p = pending{kind: k, at: at, open: true}
	t.open++
	if pp.on == pp.busy { // Teams already agrees
		t.carry(pp, at)
	}
}

func (t *tracker) carry(pp *person, at clock.Time) {
	d := at.Sub(pp.p.at)
	t.kinds[pp.p.kind].add(d)
	t.bucketAt(pp.p.at).add(d)
	pp.p.open = false
	t.open--
}

// add counts a change carried after d, keeping a bounded sample.
func (k *kindTally) add(d time.Duration) {
	k.carried++
	k.max = max(k.max, d)
	if k.skip++; k.skip >= k.stride {
		k.skip = 0
		k.samples = append(k.samples, d)
		if len(k.samples) >= maxSamples {
			half := k.samples[:0]
			for i := 0; i < len(k.samples); i += 2 {
				half = append(half, k.samples[i])
			}
			k.samples = half
			k.stride *= 2
		}
	}
}

// add counts a change of the bucket carried after d, keeping a bounded
// sample for its p95.
func (b *bucketTally) add(d time.Duration) {
	b.carried++
	if len(b.samples) < maxSamples/64 {
		b.samples = append(b.samples, d)
	}
}

// Fire arms the tracker at the start of the measured day (a clock
// event): the lines busy then are changes to carry from then on.
func (t *tracker) Fire(now clock.Time, _ clock.Event) {
	t.armed = true
	for i := 0; i < t.pbx.Len(); i++ {
		u := t.pbx.UserAt(i)
		pp := t.who(u.Name)
		if t.busy(u.Line(pbx.DeskPhone)) {
			pp.busy = true
			t.expect(pp, CallStarted, now)
		}
	}
	t.pbx.Listen(t)
}

// PBXChanged is the PBX listener: desk-phone lines going busy or idle.
func (t *tracker) PBXChanged(now clock.Time, ev pbx.Event) {
	if ev.Kind != pbx.LineChanged || ev.Device != pbx.DeskPhone || ev.User < 0 {
		return
	}
	was, is := t.busy(ev.Before), t.busy(ev.Line)
	if was == is {
		return
	}
	t.line(now, t.pbx.UserAt(ev.User).Name, is)
}

// lineBusy says whether a desk-phone line makes its user Busy by CL-3's
// table: a call made from off-hook on, a call received once answered (a
// line ringing in is no call to carry yet).
func lineBusy(l pbx.Line) bool {
	for _, r := range cloudlink.DefaultLineTable {
		if r.State == l.State && r.Dir == l.Dir {
			return r.Presence == presence.Busy
		}
	}
	return false
}

// line records the line of a person going busy or idle.
func (t *tracker) line(now clock.Time, name string, busy bool) {
	pp := t.who(name)
	pp.busy = busy
	if busy {
		t.expect(pp, CallStarted, now)
	} else {
		t.expect(pp, CallEnded, now)
	}
}

// entry watches the Teams trace for the connector's app session.
func (t *tracker) entry(e trace.Entry) {
	if e.Kind != trace.SourceChange || e.Source != t.source {
		return
	}
	on := e.After != presence.Unknown && e.After.Pair() != presence.Of(presence.Offline, presence.ActOffline)
	pp := t.who(e.User)
	if on == pp.on {
		return
	}
	pp.on = on
	if !t.armed {
		return // the warm-up: what Teams shows at the start counts
	}
	switch {
	case pp.p.open && on == pp.busy:
		t.carry(pp, e.At)
	case !on && pp.busy:
		// the session ended (expired, cleared) while the call goes on
		t.expect(pp, Lapsed, e.At)
	case on != pp.busy:
		t.wrong++
	}
}

// Figures are the staleness of one kind of change.
type Figures struct {
	Kind       string        `json:"kind"`
	Changes    int           `json:"changes"`
	Carried    int           `json:"carried"`
	Superseded int           `json:"superseded"` // the next change came first
	Never      int           `json:"never"`      // still open at the end of the day
	P50        time.Duration `json:"p50"`
	P95        time.Duration `json:"p95"`
	P99        time.Duration `json:"p99"`
	Max        time.Duration `json:"max"`
}

// figures closes the day: changes still open were never carried.
func (t *tracker) figures() []Figures {
	var never [numKinds]int
	for _, p := range t.people {
		if p.p.open {
			never[p.p.kind]++
		}
	}
	out := make([]Figures, 0, numKinds)
	for k := range t.kinds {
		kt := &t.kinds[k]
		f := Figures{Kind: Kind(k).String(), Changes: kt.changes, Carried: kt.carried, Superseded: kt.superseded, Never: never[k], Max: kt.max}
		f.P50, f.P95, f.P99 = quantiles(kt.samples)
		out = append(out, f)
	}
	return out
}

func quantiles(s []time.Duration) (p50, p95, p99 time.Duration) {
	if len(s) == 0 {
		return 0, 0, 0
	}
	s = slices.Clone(s)
	slices.Sort(s)
	q := func(f float64) time.Duration { return s[min(len(s)-1, int(f*float64(len(s))))] }
	return q(0.50), q(0.95), q(0.99)
}
