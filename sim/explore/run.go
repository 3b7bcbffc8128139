package explore

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/invariant"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
	"github.com/presencesim/presencesim/sim/xphone"
)

// Chooser is where a run's choices come from: a seeded stream, or a
// property-testing library that shrinks them.
type Chooser interface {
	// IntN returns a number in [0, n).
	IntN(n int) int
}

// Fault is a planted fault: a test hook that breaks one rule, so the
// exploration can show it finds and shrinks a real violation.
type Fault struct {
	Name string
	// Step is the phrase (after "the model is broken on purpose: ") that
	// plants the fault in a scenario.
	Step string
	Rule string
	// Held says the violation shows only once Graph delivers the
	// notifications it holds: a shrunk case ends in the wait for that,
	// which is time passing rather than an input.
	Held bool
	// Apply breaks the world's model; a scenario's step and a run call the
	// same function at the same moment (after the people, before 08:00).
	Apply func(*sim.World) error
}

// teamsFault breaks the Teams model's settings.
func teamsFault(fn func(*teams.Settings)) func(*sim.World) error {
	return func(w *sim.World) error {
		set := w.Teams.Settings()
		fn(&set)
		return w.Teams.SetSettings(set)
	}
}

// Faults are the faults that can be planted.
var Faults = []Fault{
	{Name: "available-above-busy", Step: "Available ranks above Busy", Rule: "T-AGG-2",
		Apply: teamsFault(func(s *teams.Settings) { s.Precedence.SwapAvailability(presence.Busy, presence.Available) })},
	{Name: "away-above-dnd", Step: "Away ranks above DoNotDisturb", Rule: "T-AGG-2",
		Apply: teamsFault(func(s *teams.Settings) { s.Precedence.SwapAvailability(presence.DoNotDisturb, presence.Away) })},
	{Name: "cloudlink-no-away-session", Step: "CloudLink keeps no session for Away", Rule: "CL-8",
		Apply: func(w *sim.World) error {
			cl := cloudlink.Of(w)
			set := cl.Settings()
			for i, r := range set.SessionTable {
				if r.CloudLink == presence.Away {
					set.SessionTable[i] = cloudlink.SessionRule{CloudLink: presence.Away, Rule: "CL-8"}
				}
			}
			return cl.SetSettings(set)
		}},
	{Name: "cloudlink-ignores-retry-after", Step: "CloudLink ignores Graph's Retry-After", Rule: "C-5",
		Apply: func(w *sim.World) error {
			cl := cloudlink.Of(w)
			set := cl.Settings()
			set.IgnoreRetryAfter = true
			return cl.SetSettings(set)
		}},
	{Name: "xphone-older-notification-wins", Step: "XPhone's reader lets an older notification win", Rule: "C-8", Held: true,
		Apply: func(w *sim.World) error {
			xp := xphone.Attach(w)
			set := xp.Settings()
			set.Faults.OlderWins = true
			return xp.SetSettings(set)
		}},
	{Name: "xphone-echoes-dnd", Step: "XPhone writes Teams' Do Not Disturb back", Rule: "XP-13",
		Apply: func(w *sim.World) error {
			xp := xphone.Attach(w)
			set := xp.Settings()
			set.Faults.EchoDND = true
			return xp.SetSettings(set)
		}},
}

// FindFault looks a fault up by name or by its step phrase.
func FindFault(s string) (Fault, error) {
	var names []string
	for _, f := range Faults {
		if strings.EqualFold(f.Name, s) || strings.EqualFold(f.Step, s) {
			return f, nil
		}
		names = append(names, f.Name+" ("+f.Step+")")
	}
	return Fault{}, fmt.Errorf("unknown planted fault %q; valid: %s", s, strings.Join(names, ", "))
}

// userNames are the people of generated worlds, in order.
var userNames = []string{"alice", "bob", "carol", "dave", "erin"}

// idleTimeouts are the idle timeouts a world may draw (T-ACT-2 is decided:
// the sources say "a few minutes" to 15 minutes).
var idleTimeouts = []time.Duration{2 * time.Minute, 5 * time.Minute, 15 * time.Minute}

// Start is when every run begins: a Monday morning.
var Start = clock.At(1, 8, 0)

// Case is a world and the actions done to it: everything a run depends on.
type Case struct {
	Seed        uint64
	Users       []string
	IdleTimeout time.Duration
	Fault       string
	Actions     []Action
}

// Config bounds a generated run.
type Config struct {
	Actions int    // actions per run (default 60)
	Fault   string // planted fault name, empty for none
}

// Result is what a run did and found.
type Result struct {
	// Case holds the actions performed: refused ones are dropped (their
	// time kept as a wait), and nothing after a violation.
	Case      Case
	Violation *invariant.Violation
	Events    uint64 // clock events fired
	Checks    uint64 // invariant checks (after every event and action)
	Refused   int
	// Decided counts presence changes by the rule that decided them;
	// Sourced counts source changes by the rule that changed the source.
	Decided map[string]int
	Sourced map[string]int
	// Applied counts per invariant how often its premise held.
	Applied map[string]uint64
	World   *sim.World
}

// Run is a world under exploration.
type Run struct {
	w       *sim.World
	systems system // integrations drawn for this world (generation only)
	chk     *invariant.Checker
	names   []string
	users   []teams.UserID
}

func newRun(c Case) (*Run, error) {
	set := teams.DefaultSettings()
	if c.IdleTimeout > 0 {
		set.IdleTimeout = c.IdleTimeout
	}
	w, err := sim.New(c.Seed, set)
	if err != nil {
		return nil, err
	}
	r := &Run{w: w, names: c.Users}
	for _, n := range c.Users {
		id, err := w.AddUser(n, "")
		if err != nil {
			return nil, err
		}
		r.users = append(r.users, id)
	}
	r.chk = invariant.Install(w)
	if c.Fault != "" {
		f, err := FindFault(c.Fault)
		if err != nil {
			return nil, err
		}
		if err := f.Apply(w); err != nil {
			return nil, err
		}
	}
	if err := w.Clock.RunUntil(Start); err != nil {
		return nil, err
	}
	return r, nil
}

// do performs one action: time passes (every fired event checked), the
// action acts, due events settle, and the invariants are checked. It
// reports whether the model accepted the action.
func (r *Run) do(a *Action) bool {
	if a.Gap > 0 {
		_ = r.w.Clock.Advance(a.Gap)
		if r.chk.Violation() != nil {
			*a = wait(a.Gap) // broken while time passed
			return true
		}
	}
	if err := r.w.Apply(&a.Event); err != nil {
		r.chk.Check("refused " + a.Op.Name())
		return false
	}
	_ = r.w.Clock.RunUntil(r.w.Clock.Now())
	r.chk.Check(a.Op.Name())
	return true
}

// Generate draws a world from the chooser and runs up to cfg.Actions
// actions drawn from it, stopping at the first violation. The world's own
// random streams come from seed.
func Generate(seed uint64, ch Chooser, cfg Config) (Result, error) {
	if cfg.Actions <= 0 {
		cfg.Actions = 60
	}
	c := Case{Seed: seed, Fault: cfg.Fault}
	c.Users = append([]string(nil), userNames[:2+ch.IntN(len(userNames)-1)]...)
	c.IdleTimeout = idleTimeouts[ch.IntN(len(idleTimeouts))]
	r, err := newRun(c)
	if err != nil {
		return Result{}, err
	}
	// each integration joins half the worlds, so Teams alone stays common
	for _, s := range []system{sysCloudLink, sysXPhone, sysNimbus} {
		if ch.IntN(2) == 0 {
			r.systems |= s
		}
	}
	if r.systems != 0 {
		r.systems |= sysGraph
	}
	res := Result{}
	for len(c.Actions) < cfg.Actions && r.chk.Violation() == nil {
		r.take(drawAction(r, ch), &c, &res)
	}
	return r.finish(res, c), nil
}

// Explore runs the seed's case from its own stream.
func Explore(seed uint64, cfg Config) (Result, error) {
	return Generate(seed, clock.Seed(seed).Stream("explore"), cfg)
}

// Replay runs a case again. Actions the model refuses are kept as waits,
// so a shrunk case that lost an action's premise stays replayable; it stops
// at the first violation.
func Replay(c Case) (Result, error) {
	r, err := newRun(c)
	if err != nil {
		return Result{}, err
	}
	res := Result{}
	done := Case{Seed: c.Seed, Users: c.Users, IdleTimeout: c.IdleTimeout, Fault: c.Fault}
	for i := range c.Actions {
		if r.chk.Violation() != nil {
			break
		}
		r.take(c.Actions[i], &done, &res)
	}
	return r.finish(res, done), nil
}

// take does a and records it in c; an action the model refuses is counted
// and kept as its wait, so the clock moves as it did.
func (r *Run) take(a Action, c *Case, res *Result) {
	if r.do(&a) {
		c.Actions = append(c.Actions, a)
		return
	}
	res.Refused++
	if a.Gap > 0 {
		c.Actions = append(c.Actions, wait(a.Gap))
	}
}

func (r *Run) finish(res Result, c Case) Result {
	res.Case, res.World = c, r.w
	res.Violation = r.chk.Violation()
	res.Events = r.w.Clock.Fired()
	res.Checks = r.chk.Checks
	res.Decided, res.Sourced = map[string]int{}, map[string]int{}
	r.w.Trace.Each(func(e trace.Entry) {
		if e.Kind == trace.PresenceChange {
			res.Decided[e.Rule]++
		} else {
			res.Sourced[e.Rule]++
		}
	})
	res.Applied = map[string]uint64{}
	for i, inv := range r.chk.Invariants() {
		res.Applied[inv.Name] = r.chk.Applied[i]
	}
	return res
}

// drawAction draws the gap before the next action and the action.
func drawAction(r *Run, ch Chooser) Action {
	a := Action{}
	out := outage(r)
	// an outage lasts a while: minutes between actions, not hours, until
	// the recovery drawn below
	span := 100
	if out {
		span = 80
	}
	switch g := ch.IntN(span); {
	case g < 35 || reversing(r) && ch.IntN(2) == 0:
	case g < 80:
		a.Gap = time.Duration(1+ch.IntN(10)) * time.Minute
	case g < 95:
		a.Gap = time.Duration(11+ch.IntN(50)) * time.Minute
	default:
		a.Gap = time.Duration(1+ch.IntN(26)) * time.Hour
	}
	total := 0
	for i := range draws {
		if r.systems&draws[i].system == draws[i].system {
			total += draws[i].weight
		}
	}
	pick := ch.IntN(total)
	if out && ch.IntN(3) == 0 {
		a.Op = event.GraphRecovers
		return a
	}
	if r.systems&sysNimbus != 0 && nimbusRinging(r) && ch.IntN(2) == 0 {
		// a Nimbus call rings for seconds: the agent mostly reacts at once
		a.Op = event.NimbusAccept
	} else {
		a.Op = pickOp(r, pick)
	}
	draws[a.Op].draw(r, ch, &a)
	return a
}

// pickOp returns the input at position pick of the weighted list of the
// inputs the world's systems allow.
func pickOp(r *Run, pick int) event.Op {
	for i := range draws {
		if r.systems&draws[i].system != draws[i].system {
			continue
		}
		if pick < draws[i].weight {
			return event.Op(i)
		}
		pick -= draws[i].weight
	}
	return event.Wait
}
