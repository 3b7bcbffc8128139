package invariant

import (
	"fmt"

	"github.com/presencesim/presencesim/sim/teams"
)

// layerRank is G-LOC-1's order of the layers as the rulebook states it,
// independently of the model: manual > automatic > scheduled.
var layerRank = [...]int{teams.LocationNone: 0, teams.LocationScheduled: 1, teams.LocationAutomatic: 2, teams.LocationManual: 3}

// precision is G-LOC-1's "more granular wins": a place says more than a
// type alone, a type more than unspecified.
func precision(t teams.WorkLocationType, place string) int {
	switch {
	case t == teams.WorkUnspecified:
		return 0
	case place == "":
		return 1
	}
	return 2
}

// locState is what the work location invariants keep between checks.
type locState struct {
	buf  []teams.LayerSignal
	last []lastLocation
}

type lastLocation struct {
	seen bool
	loc  teams.WorkLocation
	seq  uint64
}

func init() {
	Teams = append(Teams,
		Invariant{
			Name:  "work-location-from-highest-layer",
			Rules: []string{"G-LOC-1"},
			Text:  "the reported work location comes from the highest layer that holds a signal (manual > automatic > scheduled), and no signal of that layer is more precise; none when no layer holds one",
			Check: checkWorkLocation,
		},
		Invariant{
			Name:  "work-location-change-grows-sequence",
			Rules: []string{"G-LOC-1", "G-GET-1"},
			Text:  "a change of the work location is a change of the presence object: the sequence number grows",
			Check: checkLocationSequence,
		},
	)
}

func locationState(c *Checker) *locState {
	return State(c, "work location", func() *locState { return &locState{} })
}

func checkWorkLocation(c *Checker, u teams.UserID) (bool, string) {
	m := c.w.Teams
	st := locationState(c)
	st.buf = m.AppendLocationSignals(u, st.buf[:0])
	got := m.WorkLocation(u)
	if len(st.buf) == 0 {
		if got != (teams.WorkLocation{}) {
			return true, fmt.Sprintf("no layer holds a signal, yet the work location is %s", got)
		}
		return false, ""
	}
	top := teams.LocationNone
	for _, s := range st.buf {
		if layerRank[s.Layer] > layerRank[top] {
			top = s.Layer
		}
	}
	if got.Source != top {
		return true, fmt.Sprintf("the work location is %s, but the highest layer holding a signal is %s", got, top)
	}
	found, best := false, -1
	for _, s := range st.buf {
		if s.Layer != top {
			continue
		}
		if s.Type == got.Type && s.PlaceID == got.PlaceID {
			found = true
		}
		if p := precision(s.Type, s.PlaceID); p > best {
			best = p
		}
	}
	switch {
	case !found:
		return true, fmt.Sprintf("the work location is %s, which no %s signal says", got, top)
	case precision(got.Type, got.PlaceID) < best:
		return true, fmt.Sprintf("the work location is %s, but a more precise %s signal is in force", got, top)
	}
	return true, ""
}

func checkLocationSequence(c *Checker, u teams.UserID) (bool, string) {
	m := c.w.Teams
	st := locationState(c)
	for int(u) >= len(st.last) {
		st.last = append(st.last, lastLocation{})
	}
	last := &st.last[u]
	loc, seq := m.WorkLocation(u), m.Sequence(u)
	prev := *last
	*last = lastLocation{seen: true, loc: loc, seq: seq}
	if !prev.seen || prev.loc == loc {
		return false, ""
	}
	if seq <= prev.seq {
		return true, fmt.Sprintf("the work location changed from %s to %s but the sequence number stayed %d", prev.loc, loc, seq)
	}
	return true, ""
}
