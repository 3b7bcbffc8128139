package invariant

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Invariant is one property checked for every user after every event.
type Invariant struct {
	// Name is short and stable: it names the property in reports and tells
	// one violation from another when a failing run is shrunk.
	Name string
	// Rules are the rulebook ids the property follows from.
	Rules []string
	// Text states the property for people.
	Text string
	// Check looks at user u. It reports whether the property's premise held
	// (a property whose premise never holds was never exercised) and, when
	// the property is broken, why. It must not allocate unless it fails.
	Check func(c *Checker, u teams.UserID) (applies bool, why string)
	// PerWorld invariants look at a whole integration model once per check
	// (u is -1); they name the user concerned with Checker.Blame.
	PerWorld bool
	// Explain, when set, adds the integration's own explanation of the
	// blamed user to a violation.
	Explain func(c *Checker, u teams.UserID) string
}

// Violation is a broken invariant: which, when, after what, and why.
type Violation struct {
	Invariant   string
	Rules       []string
	Text        string
	At          clock.Time
	User        string
	Cause       string // the event or action after which it was seen
	Why         string
	Explanation string // the user's explanation at that moment
}

func (v *Violation) Error() string {
	who := v.User
	if who == "" {
		who = "the world"
	}
	return fmt.Sprintf("invariant %q [%s] broken at %s for %s, after %s: %s\n  (%s)\n\nwhy the model derived this:\n%s",
		v.Invariant, strings.Join(v.Rules, " "), v.At, who, v.Cause, v.Why, v.Text, v.Explanation)
}

// userState is what the checker remembers of a user between checks, for
// properties about change (sequence numbers, writes per input).
type userState struct {
	seen bool
	p    presence.Presence
	seq  uint64
}

// Checker checks a world's invariants.
type Checker struct {
	w    *sim.World
	invs []Invariant

	// Applied counts, per invariant (same order as Invariants), the checks
	// in which its premise held.
	Applied []uint64
	// Checks counts the times the world was looked at.
	Checks uint64

	v     *Violation
	last  []userState
	src   []teams.LiveSource
	ext   map[string]any
	dirty []teams.UserID
	mark  []bool
	blame teams.UserID
}

// Blame names the user a per-world invariant is about to report on, so the
// violation carries that user's explanation.
func (c *Checker) Blame(u teams.UserID) { c.blame = u }

// FullCheckUpTo is the world size up to which every user is checked after
// every event. Larger worlds (a day of a thousand people) check after an
// event only the users whose presence was recomputed, so checking stays
// cheap; after an external action every user is checked whatever the size.
const FullCheckUpTo = 32

// New returns a checker of the given invariants over w.
func New(w *sim.World, invs []Invariant) *Checker {
	return &Checker{w: w, invs: invs, Applied: make([]uint64, len(invs)), ext: map[string]any{}}
}

// Install returns a checker of every invariant (All) over w and has the
// world's clock call it after every event.
func Install(w *sim.World) *Checker {
	c := New(w, All())
	w.GraphFaults().Watch() // the connector invariants read what was asked of Graph
	w.Clock.SetAfterFire(c.afterFire)
	w.Teams.SetOnUpdate(c.touch)
	return c
}

func (c *Checker) touch(u teams.UserID) {
	for int(u) >= len(c.mark) {
		c.mark = append(c.mark, false)
	}
	if !c.mark[u] {
		c.mark[u] = true
		c.dirty = append(c.dirty, u)
	}
}

func (c *Checker) afterFire(_ clock.Time, ev clock.Event) {
	if c.v != nil {
		return
	}
	if c.w.Teams.NumUsers() <= FullCheckUpTo {
		c.Check(ev.Label)
		return
	}
	c.Checks++
	c.grow()
	for _, u := range c.dirty {
		c.mark[u] = false
		if c.checkUser(u, ev.Label) {
			break
		}
	}
	c.dirty = c.dirty[:0]
	if c.v == nil {
		c.checkWorld(ev.Label)
	}
}

func (c *Checker) grow() {
	for n := c.w.Teams.NumUsers(); len(c.last) < n; {
		c.last = append(c.last, userState{})
	}
}

// Invariants are the properties checked, in order.
func (c *Checker) Invariants() []Invariant { return c.invs }

// Violation is the first violation seen, nil while every invariant held.
func (c *Checker) Violation() *Violation { return c.v }

// Check looks at every user now; cause names what just happened. It returns
// the first violation (also kept: later checks return it again).
func (c *Checker) Check(cause string) *Violation {
	if c.v != nil {
		return c.v
	}
	c.Checks++
	c.grow()
	for _, u := range c.dirty {
		c.mark[u] = false
	}
	c.dirty = c.dirty[:0]
	for i := range c.last {
		if c.checkUser(teams.UserID(i), cause) {
			return c.v
		}
	}
	c.checkWorld(cause)
	return c.v
}

// checkWorld runs the per-world invariants.
func (c *Checker) checkWorld(cause string) {
	for k := range c.invs {
		inv := &c.invs[k]
		if !inv.PerWorld {
			continue
		}
		c.blame = -1
		applies, why := inv.Check(c, -1)
		if applies {
			c.Applied[k]++
		}
		if why != "" {
			c.fail(inv, c.blame, cause, why)
			return
		}
	}
}

func (c *Checker) fail(inv *Invariant, u teams.UserID, cause, why string) {
	m := c.w.Teams
	v := &Violation{Invariant: inv.Name, Rules: inv.Rules, Text: inv.Text, At: c.w.Clock.Now(), Cause: cause, Why: why}
	if u >= 0 && int(u) < m.NumUsers() {
		v.User, v.Explanation = m.Name(u), m.Explain(u).String()
	}
	if inv.Explain != nil {
		v.Explanation += inv.Explain(c, u)
	}
	c.v = v
}

// checkUser checks every invariant for one user and reports a violation.
func (c *Checker) checkUser(u teams.UserID, cause string) bool {
	m := c.w.Teams
	for k := range c.invs {
		if c.invs[k].PerWorld {
			continue
		}
		applies, why := c.invs[k].Check(c, u)
		if applies {
			c.Applied[k]++
		}
		if why != "" {
			c.fail(&c.invs[k], u, cause, why)
			return true
		}
	}
	c.last[u] = userState{seen: true, p: m.Presence(u), seq: m.Sequence(u)}
	return false
}

// aggregated says the user shows what the live sources offer: no preferred
// presence is set and a session is live.
func (c *Checker) aggregated(u teams.UserID) bool {
	_, _, _, on := c.w.Teams.Preferred(u)
	return !on && c.w.Teams.Sessions(u) != 0
}

// sources returns the user's live sources in the checker's reused buffer.
func (c *Checker) sources(u teams.UserID) []teams.LiveSource {
	c.src = c.w.Teams.LiveSources(u, c.src[:0])
	return c.src
}

// State returns the named per-run state of an invariant, creating it; an
// invariant about change keeps what it saw last there.
func State[T any](c *Checker, key string, mk func() T) T {
	if v, ok := c.ext[key]; ok {
		return v.(T)
	}
	v := mk()
	c.ext[key] = v
	return v
}

// All is every invariant the project states: the Teams model's first, then
// those of the integration models (which apply only to worlds they are
// attached to).
func All() []Invariant {
	out := append([]Invariant(nil), Teams...)
	return append(out, Integrations...)
}

// Integrations are the invariants of the integration models.
var Integrations []Invariant

// Find returns the invariant of that name.
func Find(name string) (Invariant, bool) {
	for _, inv := range All() {
		if inv.Name == name {
			return inv, true
		}
	}
	return Invariant{}, false
}
