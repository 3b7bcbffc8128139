package explore

import (
	"net/http"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/nimbus"
	"github.com/presencesim/presencesim/sim/xphone"
)

// Graph's faults are inputs of the event table rather than a setting of
// the run: an outage starts and ends at a moment of the run, so the
// shrinker drops the faults a violation does not need and keeps the
// moment of those it does, and the feature written for a failing run says
// them in the steps' own words.

var (
	// outageStatuses and retryAfters are what an outage may be: every
	// request answered 503 or 429, with a Retry-After. The share is whole
	// so the outage draws nothing from the world's seeded stream: the
	// feature written for a failing run reproduces it in a world of
	// another seed (a scenario's world seed comes from its name).
	outageStatuses = []int{http.StatusServiceUnavailable, http.StatusTooManyRequests}
	retryAfters    = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute}
	// noteDelays are how late Graph may deliver notifications: within
	// its stated band (average 10 s, at most a minute).
	noteDelays = []time.Duration{5 * time.Second, 30 * time.Second, time.Minute}
)

// graphFaultDraws draws Graph's faults in the worlds with a connector,
// whose models reach Teams only through Graph: outages and their end,
// and notifications about a user delayed, reversed, lost or doubled.
func graphFaultDraws() {
	g := func(weight int, draw func(*Run, Chooser, *Action)) drawSpec {
		return drawSpec{system: sysGraph, weight: weight, draw: draw}
	}
	draws[event.GraphOutage] = g(4, func(r *Run, c Chooser, a *Action) {
		if c.IntN(2) == 0 {
			a.Op = event.GraphRecovers
			return
		}
		a.Share = 100
		a.Status = outageStatuses[c.IntN(len(outageStatuses))]
		a.RetryAfter = retryAfters[c.IntN(len(retryAfters))]
	})
	draws[event.GraphRecovers] = drawSpec{drawn: true}
	draws[event.GraphDelayNotes] = g(1, func(r *Run, c Chooser, a *Action) {
		drawFollowed(r, c, a)
		a.For = noteDelays[c.IntN(len(noteDelays))]
	})
	draws[event.GraphReverseNotes] = g(5, drawFollowed)
	draws[event.GraphDropNote] = g(1, drawFollowed)
	draws[event.GraphDuplicateNotes] = g(1, drawFollowed)
}

// drawFollowed draws, three times in four, one of the people a model reads
// through Graph (XPhone's users, Nimbus's agents), whose notifications
// matter to a reader; else anyone.
func drawFollowed(r *Run, c Chooser, a *Action) {
	var followed []int
	xp, hasXP := sim.Find[*xphone.Model](r.w)
	nb, hasNB := sim.Find[*nimbus.Model](r.w)
	for i, u := range r.users {
		switch {
		case hasXP && xp.Uses(u):
			followed = append(followed, i)
		case hasNB:
			if _, ok := nb.Reader().Current(u); ok {
				followed = append(followed, i)
			}
		}
	}
	if len(followed) == 0 || c.IntN(4) == 0 {
		drawU(r, c, a)
		return
	}
	a.Users = r.one(followed[c.IntN(len(followed))])
}

// reversing reports whether Graph holds the notifications about one of
// the people to deliver them reversed: it holds them for seconds, so the
// next action mostly comes within them (as a Nimbus agent mostly answers
// a ringing call at once).
func reversing(r *Run) bool {
	if r.systems&sysGraph == 0 {
		return false
	}
	l := r.w.GraphFaults()
	for _, u := range r.users {
		if l.NotifyFaultsOf(u).Reverse {
			return true
		}
	}
	return false
}

// outage reports whether Graph fails requests now.
func outage(r *Run) bool {
	return r.systems&sysGraph != 0 && r.w.GraphFaults().Faults().ErrorRate > 0
}
