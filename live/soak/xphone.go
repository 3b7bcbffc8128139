package soak

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	xphoneapi "github.com/presencesim/presencesim/fakes/xphone"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
	"github.com/presencesim/presencesim/sim/workload"
)

// XPKind is a kind of change a two-way XPhone sync carries.
type XPKind uint8

// The kinds of change an XPhone connector carries, XPhone to Teams first.
const (
	XPCallStarted   XPKind = iota // XPhone went busy with a call (XP-3): Teams should show the connector's session
	XPCallEnded                   // XPhone's last call or meeting ended by a call: the session should go
	XPMeetingJoined               // XPhone went busy with an XPhone Connect meeting (XP-2)
	XPMeetingLeft                 // the last meeting ended it
	XPLapsed                      // the connector's session ended while XPhone stayed busy
	XPDNDSelected                 // the user selected a Do-not-disturb profile: preferred presence in Teams (XP-10)
	XPDNDLeft                     // the user left it: the preferred presence should be cleared (C-4)
	TeamsDNDSet                   // Teams went Do not disturb of its own (focus time, presenting): XPhone's first DND profile (XP-6)
	TeamsDNDEnded                 // Teams' Do not disturb ended: XPhone back to the profile before (XP-14)
	numXPKinds
)

var xpKindNames = [numXPKinds]string{"XPhone call started", "XPhone call ended", "XPhone meeting joined", "XPhone meeting left",
	"session lapsed in an XPhone call", "XPhone Do not disturb selected", "XPhone Do not disturb left",
	"Teams Do not disturb to XPhone", "Teams Do not disturb ended"}

func (k XPKind) String() string {
	if k < numXPKinds {
		return xpKindNames[k]
	}
	return "XPKind(" + strconv.Itoa(int(k)) + ")"
}

// xpChannel is one thing the connector keeps in step for a person: what
// it should show (want), what it shows (has), and the change open.
type xpChannel struct {
	want, has bool
	pending[XPKind]
}

// The channels of a person.
const (
	chSession = iota // XPhone busy → the connector's session in Teams
	chPref           // XPhone Do not disturb → preferred presence in Teams
	chMirror         // Teams' own Do not disturb → the connector's XPhone selection
	numChannels
)

type xpPerson struct {
	calls, meetings int
	ch              [numChannels]xpChannel
}

// xpTracker pairs each XPhone change with the connector's Graph write that
// carries it, and each Teams Do not disturb of its own with the
// connector's selection in XPhone. It is told the XPhone changes as they
// happen (the journal keeps only the last MaxJournal) and watches the
// Teams trace, both with the world held.
type xpTracker struct {
	source      string
	people      map[string]*xpPerson
	day[XPKind] // wrong: writes that disagreed with XPhone when made
	xp          *xphoneDay
}

func newXPTracker(source string, start, end clock.Time, bucket time.Duration) *xpTracker {
	return &xpTracker{source: source, people: map[string]*xpPerson{}, day: newDay[XPKind](int(numXPKinds), start, end, bucket)}
}

func (t *xpTracker) who(name string) *xpPerson {
	p := t.people[name]
	if p == nil {
		p = &xpPerson{}
		t.people[name] = p
	}
	return p
}

// set changes what a channel should show; once armed, the change is one
// to carry, and an open one not carried by then was superseded.
func (t *xpTracker) set(c *xpChannel, want bool, k XPKind, at clock.Time) {
	if c.want == want {
		return
	}
	c.want = want
	if t.armed {
		t.expect(c, k, at)
	}
}

func (t *xpTracker) expect(c *xpChannel, k XPKind, at clock.Time) {
	if t.begin(&c.pending, k, at) && c.has == c.want {
		t.carry(&c.pending, at)
	}
}

// shown records what the connector made a channel show; lapse is the
// kind to open when it stops showing what it should (a session that
// ended), or numXPKinds when such a stop is just wrong.
func (t *xpTracker) shown(c *xpChannel, has bool, lapse XPKind, at clock.Time) {
	if c.has == has {
		return
	}
	c.has = has
	if !t.armed {
		return // the warm-up: what shows at the start counts
	}
	switch {
	case c.open && has == c.want:
		t.carry(&c.pending, at)
	case !has && c.want && lapse < numXPKinds:
		t.expect(c, lapse, at)
	case has != c.want:
		t.wrong++
	}
}

// Fire arms the tracker at the start of the measured day: what should
// show then (a call, a Do not disturb) is a change to carry from then on,
// carried at once where it shows; what shows and should not, one to
// undo.
func (t *xpTracker) Fire(now clock.Time, _ clock.Event) {
	t.armed = true
	starts := [numChannels][2]XPKind{chSession: {XPCallStarted, XPCallEnded}, chPref: {XPDNDSelected, XPDNDLeft}, chMirror: {TeamsDNDSet, TeamsDNDEnded}}
	for _, name := range sortedNames(t.people) {
		pp := t.people[name]
		for i := range pp.ch {
			switch c := &pp.ch[i]; {
			case c.want:
				t.expect(c, starts[i][0], now)
			case c.has:
				t.expect(c, starts[i][1], now)
			}
		}
	}
}

// seed takes in what Teams shows when the tracker starts watching: a
// Do not disturb of its own from the morning (focus time) is one the
// connector should mirror from the start.
func (t *xpTracker) seed(w *sim.World) {
	for _, u := range w.Teams.Users() {
		p := w.Teams.Presence(u)
		if p.Availability == presence.DoNotDisturb && w.Teams.Rule(u) != preferredRule {
			t.who(w.Teams.Dir(u).Name).ch[chMirror].want = true
		}
	}
}

// xphone takes one change of the XPhone side (the fake's listener).
func (t *xpTracker) xphone(c xphoneapi.Change) {
	pp := t.who(c.User)
	switch {
	case c.By == xphoneapi.ByHarness && c.Kind >= xphoneapi.CallStarted && c.Kind <= xphoneapi.MeetingLeft:
		n, start, end := &pp.calls, XPCallStarted, XPCallEnded
		if c.Kind == xphoneapi.MeetingJoined || c.Kind == xphoneapi.MeetingLeft {
			n, start, end = &pp.meetings, XPMeetingJoined, XPMeetingLeft
		}
		if c.Kind == xphoneapi.CallStarted || c.Kind == xphoneapi.MeetingJoined {
			*n++
		} else {
			*n = max(0, *n-1)
		}
		busy := pp.calls+pp.meetings > 0
		k := end
		if busy {
			k = start
		}
		t.set(&pp.ch[chSession], busy, k, c.At)
	case c.By == xphoneapi.ByHarness && (c.Kind == xphoneapi.Selected || c.Kind == xphoneapi.Profiles):
		dnd := c.Presence.Availability == presence.DoNotDisturb
		k := XPDNDLeft
		if dnd {
			k = XPDNDSelected
		}
		t.set(&pp.ch[chPref], dnd, k, c.At)
	case c.By == xphoneapi.ByConnector && c.Kind == xphoneapi.Selected:
		t.shown(&pp.ch[chMirror], c.Presence.Availability == presence.DoNotDisturb, numXPKinds, c.At)
	}
}

// entry watches the Teams trace: the connector's session, its preferred
// presence, and Teams' Do not disturb of its own.
func (t *xpTracker) entry(e trace.Entry) {
	switch {
	case e.Kind == trace.SourceChange && e.Source == t.source:
		pp := t.who(e.User)
		on := e.After != presence.Unknown && e.After.Pair() != presence.Of(presence.Offline, presence.ActOffline)
		t.shown(&pp.ch[chSession], on, XPLapsed, e.At)
	case e.Kind == trace.SourceChange && e.Source == preferredSource:
		// the workload sets no preferred presence by hand: it is the
		// connector's
		pp := t.who(e.User)
		t.shown(&pp.ch[chPref], e.After.Availability == presence.DoNotDisturb, numXPKinds, e.At)
	case e.Kind == trace.PresenceChange:
		pp := t.who(e.User)
		// Teams' own Do not disturb, not the one the connector wrote
		own := e.After.Availability == presence.DoNotDisturb && e.Rule != preferredRule
		k := TeamsDNDEnded
		if own {
			k = TeamsDNDSet
		}
		t.set(&pp.ch[chMirror], own, k, e.At)
	}
}

// The Teams model's names of a preferred presence: its source in the
// trace and the rule that makes it win (T-AGG-1).
const (
	preferredSource = "preferred"
	preferredRule   = "T-AGG-1"
)

func (t *xpTracker) figures() []Figures {
	return t.day.figures(func(yield func(*pending[XPKind]) bool) {
		for _, p := range t.people {
			for i := range p.ch {
				if !yield(&p.ch[i].pending) {
					return
				}
			}
		}
	})
}

// xpClient is the workload's XPhone client: the fake's Direct inputs once
// the world is served, refusing before (the morning before the warm-up).
type xpClient struct{ d *xphoneapi.Direct }

var errNotServed = errors.New("the XPhone server is not served yet")

func (c *xpClient) Call(w *sim.World, u teams.UserID, on bool) error {
	if c.d == nil {
		return errNotServed
	}
	return c.d.Call(w, u, on)
}

func (c *xpClient) Meeting(w *sim.World, u teams.UserID, on bool) error {
	if c.d == nil {
		return errNotServed
	}
	return c.d.Meeting(w, u, on)
}

func (c *xpClient) SelectProfile(w *sim.World, u teams.UserID, p string) error {
	if c.d == nil {
		return errNotServed
	}
	return c.d.SelectProfile(w, u, p)
}

// xphoneDay is the XPhone part of a soak's day: the client that drives it
// into the XPhone server fake once the connector is served, and when it
// begins.
type xphoneDay struct {
	client *xpClient
	from   clock.Time
}

// scheduleXPhone schedules the XPhone part of the day for an XPhone
// connector (nil for the others). It begins a third of the warm-up before
// the measured day, when the connector has long been served: the same
// seed gives the same day.
func scheduleXPhone(cfg Config, w *sim.World, users []teams.UserID) (*xphoneDay, error) {
	if cfg.Target.Integration != "xphone" {
		return nil, nil
	}
	d := &xphoneDay{client: &xpClient{}, from: cfg.Start.Add(-cfg.Warmup / 3)}
	if _, err := workload.ScheduleXPhone(w, users, d.client, workload.XPhoneOptions{From: d.from}); err != nil {
		return nil, err
	}
	return d, nil
}

// attach ties the tracker and the XPhone day to the served XPhone server
// fake; a connector that came up after the XPhone day began is refused,
// for the day would not be the seed's.
func (t *xpTracker) attach(s *conformance.Session) error {
	s.XPhone.Tell(t.xphone)
	d := s.XPhone.Direct()
	var served clock.Time
	_ = s.World().Do(func(w *sim.World) error { t.xp.client.d, served = &d, w.Clock.Now(); return nil })
	if served >= t.xp.from {
		return fmt.Errorf("soak: %s came up at %s, after the XPhone day began (%s): a longer warm-up or a lower speed gives it the time",
			s.Target().Label(), served, t.xp.from)
	}
	return nil
}

func (t *xpTracker) fill(cfg Config, res *Result) {
	res.Truth = "XPhone"
	res.Staleness = t.figures()
	res.Wrong = t.wrong
	for k, f := range res.Staleness {
		if XPKind(k) != XPLapsed {
			res.LineChanges += f.Changes
		}
	}
	fillBuckets(cfg, res, t.buckets)
}

// sortedNames lists the people by name, for an order that does not
// depend on the map's.
func sortedNames(m map[string]*xpPerson) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
