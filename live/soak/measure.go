package soak

import (
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// measure is what a soak measures the day with: the line tracker of a
// connector that writes a PBX's lines into Teams, the view tracker of a
// reader of Teams.
type measure interface {
	// Fire arms it at the start of the measured day (a clock event).
	clock.Handler
	// entry watches the Teams trace.
	entry(trace.Entry)
	// done says the day has started and no change is open.
	done() bool
	// fill puts the figures into the result (with the world's lock held).
	fill(cfg Config, res *Result)
}

// attacher is a measure that is tied to the served session once the
// connector runs (the XPhone server fake's changes).
type attacher interface {
	attach(s *conformance.Session) error
}

// newMeasure makes the measure for the connector under test and hooks
// what it needs into the target.
func newMeasure(cfg Config, w *sim.World, users []teams.UserID, target *conformance.Target, xp *xphoneDay) measure {
	if xp != nil {
		t := newXPTracker("app:"+conformance.AppName, cfg.Start, cfg.End, cfg.Bucket)
		t.xp = xp
		t.seed(w)
		return t
	}
	if readsTeams(cfg.Target.Integration) {
		rd := newReadTracker(w, users, cfg.Start, cfg.End, cfg.Bucket)
		if prev := target.ObserveView; prev != nil {
			target.ObserveView = func(v conformance.View) { prev(v); rd.view(v) }
		} else {
			target.ObserveView = rd.view
		}
		return rd
	}
	tr := newTracker("app:"+conformance.AppName, pbx.Of(w), cfg.Start, cfg.End, cfg.Bucket)
	if cfg.Target.Integration == "pbx" {
		tr.busy = dialogBusy
	}
	return tr
}

func (t *tracker) fill(cfg Config, res *Result) {
	res.Staleness = t.figures()
	res.Wrong = t.wrong
	for _, f := range res.Staleness[:Lapsed] {
		res.LineChanges += f.Changes
	}
	fillBuckets(cfg, res, t.buckets)
}
