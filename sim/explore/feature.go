package explore

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/teams"
)

// PlantStep is the step phrase that plants a fault; the fault's Step
// follows it.
const PlantStep = "the model is broken on purpose: "

// HoldsStep is the step that checks every invariant now.
const HoldsStep = "every invariant holds"

// Steps renders the case in the step language, without keywords: the
// world first, then one line per action and per stretch of time.
func (c Case) Steps() []string {
	out := []string{"the users " + event.JoinNames(c.Users)}
	if c.IdleTimeout > 0 && c.IdleTimeout != teams.DefaultSettings().IdleTimeout {
		out = append(out, "the idle timeout is "+event.Duration(c.IdleTimeout))
	}
	if c.Fault != "" {
		if f, err := FindFault(c.Fault); err == nil {
			out = append(out, PlantStep+f.Step)
		}
	}
	out = append(out, "it is "+Start.String())
	for _, a := range c.Actions {
		if a.Gap > 0 {
			out = append(out, passes(a.Gap))
		}
		if s := a.Phrase(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// setupSteps is the number of leading steps that build the world.
func (c Case) setupSteps() int {
	n := 2
	if c.IdleTimeout > 0 && c.IdleTimeout != teams.DefaultSettings().IdleTimeout {
		n++
	}
	if c.Fault != "" {
		n++
	}
	return n
}

func passes(d time.Duration) string {
	s := event.Duration(d)
	if strings.HasPrefix(s, "1 ") {
		return s + " passes"
	}
	return s + " pass"
}

// WriteFeature writes a failing result as a feature file that reproduces
// the violation with `presencesim run`. generated is the number of actions
// of the run before shrinking.
func WriteFeature(w io.Writer, res Result, generated int) error {
	v := res.Violation
	if v == nil {
		return fmt.Errorf("the run broke no invariant; there is nothing to reproduce")
	}
	c := res.Case
	var b strings.Builder
	fmt.Fprintf(&b, "# Found by presencesim explore from seed %d", c.Seed)
	if c.Fault != "" {
		fmt.Fprintf(&b, " with the planted fault %s", c.Fault)
	}
	fmt.Fprintf(&b, ";\n# shrunk from %d to %d actions. Reproduce: presencesim run <this file>\n", generated, len(c.Actions))
	tags := []string{"@explore"}
	for _, r := range v.Rules {
		tags = append(tags, "@"+r)
	}
	fmt.Fprintf(&b, "%s\nFeature: Exploration of seed %d breaks %s\n", strings.Join(tags, " "), c.Seed, v.Invariant)
	fmt.Fprintf(&b, "  Invariant %s [%s]: %s.\n", v.Invariant, strings.Join(v.Rules, " "), v.Text)
	fmt.Fprintf(&b, "  Seen at %s for %s: %s\n\n", v.At, v.User, oneLine(v.Why))
	b.WriteString(c.Scenario(fmt.Sprintf("Seed %d, %d actions", c.Seed, len(c.Actions))))
	_, err := io.WriteString(w, b.String())
	return err
}

// Scenario renders the case as a scenario of the step language, ending in
// the check that every invariant holds.
func (c Case) Scenario(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  Scenario: %s\n", title)
	setup := c.setupSteps()
	for i, s := range c.Steps() {
		kw := "And"
		switch i {
		case 0:
			kw = "Given"
		case setup:
			kw = "When"
		}
		fmt.Fprintf(&b, "    %s %s\n", kw, s)
	}
	fmt.Fprintf(&b, "    Then %s\n", HoldsStep)
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ActionTimes returns when each action of the case happens.
func (c Case) ActionTimes() []clock.Time {
	out := make([]clock.Time, len(c.Actions))
	now := Start
	for i, a := range c.Actions {
		now = now.Add(a.Gap)
		out[i] = now
	}
	return out
}
