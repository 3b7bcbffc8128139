package xphone

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
)

// Origin is where an input change that XPhone handles comes from.
type Origin uint8

// The origins of input changes.
const (
	FromXPhone Origin = iota // the user or the administrator acted in XPhone
	FromTeams                // XPhone read a Teams presence (notification or poll)
	FromTimer                // an XPhone timer: session refresh, appointment cleanup, poll
	numOrigins
)

var originNames = [numOrigins]string{"XPhone", "Teams", "timer"}

func (o Origin) String() string { return originNames[o] }

// JournalKind tells an input change from a write to Teams.
type JournalKind uint8

// Journal entry kinds.
const (
	Input JournalKind = iota
	Write
)

// JournalEntry is one input change or one Graph write of XPhone. A write
// names the input that caused it.
type JournalEntry struct {
	At     clock.Time
	Kind   JournalKind
	User   string
	Input  int // sequence number of the input; a write carries its cause's
	Origin Origin
	Target Target // for a write: the Teams state it touches
	What   string
	Rule   string
}

// Target is one of the two Teams states XPhone owns.
type Target uint8

// The Teams states XPhone writes.
const (
	TargetSession   Target = iota // its app session (setPresence, clearPresence)
	TargetPreferred               // the preferred presence (setUserPreferredPresence, clear…)
)

func (e JournalEntry) String() string {
	k := "input"
	if e.Kind == Write {
		k = "write"
	}
	s := fmt.Sprintf("%s #%d %s %s from %s: %s", e.At, e.Input, k, e.User, e.Origin, e.What)
	if e.Rule != "" {
		s += " [" + e.Rule + "]"
	}
	return s
}

// Bounds are the most Graph writes one input change may cause to each Teams
// state XPhone owns, per origin of the change (XP-13, C-9). A change read
// from Teams causes none: what came from Teams is never written back.
type Bounds [numOrigins]int

// DefaultBounds: per Teams state, one write per change in XPhone or per
// timer, none per change read from Teams.
func DefaultBounds() Bounds { return Bounds{FromXPhone: 1, FromTeams: 0, FromTimer: 1} }

// CheckEcho checks the journal against the bounds and describes every input
// that caused more writes than its origin allows (XP-13). It relies only on
// the journal, not on the model's echo filter.
func CheckEcho(j []JournalEntry, b Bounds) error {
	type tally struct {
		in     JournalEntry
		writes []JournalEntry
		per    [2]int
	}
	var order []int
	byInput := map[int]*tally{}
	for _, e := range j {
		t := byInput[e.Input]
		if t == nil {
			t = &tally{}
			byInput[e.Input] = t
			order = append(order, e.Input)
		}
		if e.Kind == Input {
			t.in = e
		} else {
			t.writes = append(t.writes, e)
			t.per[e.Target&1]++
		}
	}
	var bad []string
	for _, id := range order {
		t := byInput[id]
		if max := b[t.in.Origin]; t.per[0] > max || t.per[1] > max {
			var ws []string
			for _, w := range t.writes {
				ws = append(ws, "    "+w.String())
			}
			bad = append(bad, fmt.Sprintf("  %s caused %d writes to Teams, at most %d per Teams state allowed for a change from %s:\n%s", t.in, len(t.writes), max, t.in.Origin, strings.Join(ws, "\n")))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("XPhone echoes (XP-13): a change must not be written back or written more than once\n%s", strings.Join(bad, "\n"))
	}
	return nil
}
