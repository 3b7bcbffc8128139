package soak

import (
	"iter"
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

// pending is a change the connector has not carried yet, of one of a
// tracker's kinds.
type pending[K ~uint8] struct {
	kind K
	at   clock.Time
	open bool
}

// day is what every tracker tallies over the measured day: each kind's
// changes and staleness, the buckets of the plots, and the changes still
// open. A tracker embeds it with its own kinds.
// kind is a tracker's kind of change: a small number with a name.
type kind interface {
	~uint8
	String() string
}

type day[K kind] struct {
	start   clock.Time
	end     clock.Time
	armed   bool // from start on
	bucket  time.Duration
	kinds   []kindTally
	wrong   int // what the connector made show wrongly (the tracker says what)
	open    int // changes not carried yet
	buckets []bucketTally
}

func newDay[K kind](kinds int, start, end clock.Time, bucket time.Duration) day[K] {
	d := day[K]{start: start, end: end, bucket: bucket, kinds: make([]kindTally, kinds)}
	for i := range d.kinds {
		d.kinds[i].stride = 1
	}
	return d
}

func (d *day[K]) bucketAt(at clock.Time) *bucketTally {
	return bucketIn(&d.buckets, d.start, d.bucket, at)
}

// begin opens a change of kind k at at (one still open was superseded:
// a change shorter than the connector's carry time, mostly), and says
// whether it is measured: one after the day, carried or not, is not.
func (d *day[K]) begin(p *pending[K], k K, at clock.Time) bool {
	if p.open {
		d.kinds[p.kind].superseded++
		p.open = false
		d.open--
	}
	if at >= d.end {
		return false
	}
	d.kinds[k].changes++
	d.bucketAt(at).changes++
	*p = pending[K]{kind: k, at: at, open: true}
	d.open++
	return true
}

// carry counts an open change carried at at.
func (d *day[K]) carry(p *pending[K], at clock.Time) {
	s := max(0, at.Sub(p.at))
	d.kinds[p.kind].add(s)
	d.bucketAt(p.at).add(s)
	p.open = false
	d.open--
}

func (d *day[K]) done() bool { return d.armed && d.open == 0 }

// person is what the tracker knows of one person.
type person struct {
	busy bool // the desk-phone line is not idle
	on   bool // the connector's app session shows something
	p    pending[Kind]
}

// maxSamples bounds the staleness samples kept per kind; beyond it every
// other sample is kept (the percentiles stay close, memory stays bounded).
const maxSamples = 1 << 20

// tracker pairs each line change with the connector's write that carries
// it. It runs inside the world (a PBX listener and a trace watcher), so
// it needs no lock of its own.
type tracker struct {
	source    string              // the connector's source in the Teams trace
	busy      func(pbx.Line) bool // a line in a call the connector must carry
	pbx       *pbx.Model
	people    map[string]*person
	day[Kind] // wrong: writes that disagreed with the line when made
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
	return &tracker{source: source, busy: lineBusy, pbx: phones, people: map[string]*person{}, day: newDay[Kind](int(numKinds), start, end, bucket)}
}

func (t *tracker) who(name string) *person {
	p := t.people[name]
	if p == nil {
		p = &person{}
		t.people[name] = p
	}
	return p
}

// expect opens a change; an open one not carried by now was superseded
// (a call shorter than the connector's carry time, mostly).
func (t *tracker) expect(pp *person, k Kind, at clock.Time) {
	if t.begin(&pp.p, k, at) && pp.on == pp.busy { // Teams already agrees
		t.carry(&pp.p, at)
	}
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
		t.carry(&pp.p, e.At)
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

// figures closes the day: the changes still open (of those open gives)
// were never carried.
func (d *day[K]) figures(open iter.Seq[*pending[K]]) []Figures {
	never := make([]int, len(d.kinds))
	for p := range open {
		if p.open {
			never[p.kind]++
		}
	}
	out := make([]Figures, 0, len(d.kinds))
	for k := range d.kinds {
		kt := &d.kinds[k]
		f := Figures{Kind: K(k).String(), Changes: kt.changes, Carried: kt.carried, Superseded: kt.superseded, Never: never[k], Max: kt.max}
		f.P50, f.P95, f.P99 = quantiles(kt.samples)
		out = append(out, f)
	}
	return out
}

func (t *tracker) figures() []Figures {
	return t.day.figures(func(yield func(*pending[Kind]) bool) {
		for _, p := range t.people {
			if !yield(&p.p) {
				return
			}
		}
	})
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
