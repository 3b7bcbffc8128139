package soak

import (
	"context"

	"github.com/presencesim/presencesim/live/connector"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// readKind is a kind of Teams change a presence reader must carry into
// its view.
type readKind uint8

// The kinds of change a reader carries, by what a router does with them:
// a call started makes an agent unselectable (NB-4), a call ended or a
// meeting over selectable again, a sign-out takes the agent off (NB-9).
const (
	CallSeen      readKind = iota // into InACall or InAConferenceCall
	CallEndedSeen                 // out of a call
	MeetingSeen                   // into a meeting or a presentation
	SignOutSeen                   // Offline
	ChangeSeen                    // any other change of availability or activity
	// WentBack is a view that went back to an older presence than one
	// already shown (C-8), until the view agrees with Teams again.
	WentBack
	numReadKinds
)

var readKindNames = [numReadKinds]string{"call started seen", "call ended seen", "meeting started seen",
	"signed out seen", "presence changed seen", "view went back (C-8)"}

func (k readKind) String() string { return readKindNames[k] }

// kindOfChange says which kind a change of presence is.
func kindOfChange(before, after presence.Presence) readKind {
	inCall := func(p presence.Presence) bool {
		return p.Activity == presence.InACall || p.Activity == presence.InAConferenceCall
	}
	switch {
	case inCall(after):
		return CallSeen
	case inCall(before):
		return CallEndedSeen
	case after.Activity == presence.InAMeeting || after.Activity == presence.Presenting:
		return MeetingSeen
	case after.Availability == presence.Offline:
		return SignOutSeen
	}
	return ChangeSeen
}

// viewed is what the reader tracker knows of one person.
type viewed struct {
	truth             presence.Presence // what Teams shows (availability and activity)
	seen              presence.Presence // what the reader last reported
	seq               string            // the newest sequenceNumber it reported
	shown             bool              // it has reported a view
	pending[readKind]                   // the open change, when open
}

// readTracker pairs each change of a person's Teams presence with the
// reader's first view that shows it. Trace entries come inside the world;
// views come from the server's goroutines as they are reported; mu orders
// both (the world's lock, when held, is always taken first).
type readTracker struct {
	mu            sync.Mutex
	byName        map[string]int32
	byID          map[string]int32
	people        []viewed
	day[readKind]     // wrong: views older than one already shown
	views         int // views reported from Start on
}

func newReadTracker(w *sim.World, users []teams.UserID, start, end clock.Time, bucket time.Duration) *readTracker {
	t := &readTracker{byName: make(map[string]int32, len(users)), byID: make(map[string]int32, len(users)),
		people: make([]viewed, len(users)), day: newDay[readKind](int(numReadKinds), start, end, bucket)}
	for i, u := range users {
		d := w.Teams.Dir(u)
		t.byName[w.Teams.Name(u)] = int32(i)
		t.byID[strings.ToLower(d.ID)] = int32(i)
		t.people[i].truth = w.Teams.Presence(u).Pair()
	}
	for i := range t.kinds {
		t.kinds[i].stride = 1
	}
	return t
}

// expect opens a change; one still open was superseded (a change the
// reader had no time to see before the next).
func (t *readTracker) expect(pp *viewed, k readKind, at clock.Time) {
	if t.begin(&pp.pending, k, at) && pp.shown && pp.seen == pp.truth { // the view already agrees
		t.carry(&pp.pending, at)
	}
}

// Fire arms the tracker at the start of the measured day: whoever the
// reader does not show right then is a change to carry from then on.
func (t *readTracker) Fire(now clock.Time, _ clock.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.armed = true
	for i := range t.people {
		if pp := &t.people[i]; !pp.shown || pp.seen != pp.truth {
			t.expect(pp, ChangeSeen, now)
		}
	}
}

// entry watches the Teams trace for changes of the people's presence.
func (t *readTracker) entry(e trace.Entry) {
	if e.Kind != trace.PresenceChange || e.Before.Pair() == e.After.Pair() {
		return // another source, or only the out-of-office flag
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.byName[e.User]
	if !ok {
		return // the presence account itself
	}
	pp := &t.people[i]
	pp.truth = e.After.Pair()
	if t.armed {
		t.expect(pp, kindOfChange(e.Before, e.After), e.At)
	}
}

// view takes a view the reader reported (conformance.Target.ObserveView).
func (t *readTracker) view(v conformance.View) {
	p, parsed := v.Presence()
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.byID[strings.ToLower(v.ID)]
	if !ok {
		return
	}
	pp := &t.people[i]
	// sequenceNumbers sort as strings (G-GET-1); an older one than the
	// reader already showed is a view it should not have taken (C-8)
	back := pp.shown && v.SequenceNumber < pp.seq
	if !back {
		pp.seq = v.SequenceNumber
	}
	pp.shown = true
	pp.seen = presence.Unknown
	if parsed {
		pp.seen = p.Pair()
	}
	if !t.armed {
		return // the warm-up: what it shows at the start counts
	}
	t.views++
	switch {
	case pp.open && pp.seen == pp.truth:
		t.carry(&pp.pending, v.At)
	case back:
		t.wrong++
		if !pp.open && pp.seen != pp.truth {
			t.expect(pp, WentBack, v.At)
		}
	}
}

func (t *readTracker) done() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.armed && t.open == 0
}

// fill closes the day: changes still open were never carried.
func (t *readTracker) fill(cfg Config, res *Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	res.Staleness = t.day.figures(func(yield func(*pending[readKind]) bool) {
		for i := range t.people {
			if !yield(&t.people[i].pending) {
				return
			}
		}
	})
	for _, f := range res.Staleness[:WentBack] {
		res.TeamsChanges += f.Changes
	}
	res.Wrong, res.Views = t.wrong, t.views
	fillBuckets(cfg, res, t.buckets)
}

// fillBuckets puts the day's buckets of changes into the result.
// bucketIn is the tally of the bucket at falls in, of a day from start in
// steps of width (the first for anything before start).
func bucketIn(buckets *[]bucketTally, start clock.Time, width time.Duration, at clock.Time) *bucketTally {
	i := 0
	if at > start {
		i = int(at.Sub(start) / width)
	}
	for len(*buckets) <= i {
		*buckets = append(*buckets, bucketTally{})
	}
	return &(*buckets)[i]
}

func fillBuckets(cfg Config, res *Result, buckets []bucketTally) {
	for i, b := range buckets[:min(len(buckets), int(cfg.End.Sub(cfg.Start)/cfg.Bucket)+1)] {
		bk := bucketOf(cfg, i)
		bk.Changes, bk.Carried = b.changes, b.carried
		_, bk.P95, _ = quantiles(b.samples)
		res.Buckets = append(res.Buckets, bk)
	}
}

// readsTeams says whether an integration's connector reads Teams (a
// presence reader): its staleness is from a Teams change to its view.
func readsTeams(integration string) bool { return integration == "nimbus" }

// Reads says whether the soak measured a reader of Teams.
func (r *Result) Reads() bool { return readsTeams(r.Integration) }

// Measured says what the staleness runs from and to.
func (r *Result) Measured() string {
	if r.Reads() {
		return "from a change of Teams presence to the reader's view that shows it"
	}
	if r.Truth != "" {
		return "from an " + r.Truth + " or Teams change to the connector's matching write"
	}
	return "from a line change to the connector's matching write"
}

// WrongLabel names the count of Wrong.
func (r *Result) WrongLabel() string {
	if r.Reads() {
		return "views older than one already shown (C-8)"
	}
	return "writes that disagreed with " + r.truth() + " when made"
}

// settle waits, in a paced day, until the connector has taken in what the
// step brought: the PBX's events for a connector that reads the PBX, the
// notifications Graph queued for a reader (delivered and answered).
func settle(ctx context.Context, s *conformance.Session, pace *connector.Pacer) error {
	if !readsTeams(s.Target().Integration) {
		return pace.Taken(ctx, s.PBX.LastEventID())
	}
	s.Graph.Flush(ctx)
	return ctx.Err()
}
