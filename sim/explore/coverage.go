package explore

import (
	"fmt"
	"io"
	"sort"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/invariant"
)

// TeamsRules are the rules by which the Teams model decides a presence or
// changes a source; an exploration that never saw one act has not
// exercised it.
var TeamsRules = []string{
	"T-ACT-1", "T-ACT-2", "T-AGG-1", "T-AGG-2", "T-AGG-3", "T-AGG-4", "T-AGG-5",
	"T-CAL-1", "T-CAL-2", "T-CALL-1", "T-PRES-1", "T-SRC-2", "T-OOF-1", "T-MAN-2",
	"T-LOCAL-1", "G-SET-1", "G-SET-2", "G-CLR-1",
}

// IntegrationRules are the rules the integration models cite when they
// change a source: PBX lines and presence (CL-3..CL-5), CloudLink's user
// matching (CL-14), XPhone's writes and appointments.
var IntegrationRules = []string{
	"CL-3", "CL-4", "CL-5", "CL-14", "XP-3", "XP-4", "XP-8", "XP-10", "XP-13", "C-3", "C-4",
}

// DecisionRules are all the rules the coverage report looks for.
var DecisionRules = append(append([]string(nil), TeamsRules...), IntegrationRules...)

// Coverage sums what many runs exercised: "sometimes" properties next to
// the "always" ones the invariants check.
type Coverage struct {
	Runs    int
	Actions int
	Refused int
	Events  uint64
	Checks  uint64
	Decided map[string]int
	Sourced map[string]int
	Applied map[string]uint64
	Ops     [event.NumOps]int
}

// NewCoverage returns an empty tally.
func NewCoverage() *Coverage {
	return &Coverage{Decided: map[string]int{}, Sourced: map[string]int{}, Applied: map[string]uint64{}}
}

// Add counts one run.
func (c *Coverage) Add(r Result) {
	c.Runs++
	c.Actions += len(r.Case.Actions)
	c.Refused += r.Refused
	c.Events += r.Events
	c.Checks += r.Checks
	for k, v := range r.Decided {
		c.Decided[k] += v
	}
	for k, v := range r.Sourced {
		c.Sourced[k] += v
	}
	for k, v := range r.Applied {
		c.Applied[k] += v
	}
	for _, a := range r.Case.Actions {
		c.Ops[a.Op]++
	}
}

// NeverDecided lists the decision rules no run saw decide a presence.
func (c *Coverage) NeverDecided() []string {
	var out []string
	for _, r := range DecisionRules {
		if c.Decided[r] == 0 {
			out = append(out, r)
		}
	}
	return out
}

// NeverExercised lists the decision rules no run saw either decide a
// presence or change a source.
func (c *Coverage) NeverExercised() []string {
	var out []string
	for _, r := range DecisionRules {
		if c.Decided[r] == 0 && c.Sourced[r] == 0 {
			out = append(out, r)
		}
	}
	return out
}

// NeverApplied lists the invariants whose premise never held: they were
// checked but never had anything to say.
func (c *Coverage) NeverApplied() []string {
	var out []string
	for _, inv := range invariant.All() {
		if c.Applied[inv.Name] == 0 {
			out = append(out, inv.Name)
		}
	}
	return out
}

// Write prints the tally for people.
func (c *Coverage) Write(w io.Writer) {
	fmt.Fprintln(w, "rules (presence changes decided, source changes made):")
	seen := map[string]bool{}
	var rules []string
	for _, m := range []map[string]int{c.Decided, c.Sourced} {
		for r := range m {
			if !seen[r] {
				seen[r] = true
				rules = append(rules, r)
			}
		}
	}
	sort.Strings(rules)
	for _, r := range rules {
		name := r
		if name == "" {
			name = "(no rule)"
		}
		fmt.Fprintf(w, "  %-10s %9d %9d\n", name, c.Decided[r], c.Sourced[r])
	}
	if n := c.NeverDecided(); len(n) > 0 {
		fmt.Fprintf(w, "  never decided a presence: %v\n", n)
	}
	if n := c.NeverExercised(); len(n) > 0 {
		fmt.Fprintf(w, "  never exercised at all: %v\n", n)
	}
	fmt.Fprintln(w, "invariants (checks in which the premise held):")
	for _, inv := range invariant.All() {
		fmt.Fprintf(w, "  %-36s %9d  %v\n", inv.Name, c.Applied[inv.Name], inv.Rules)
	}
	if n := c.NeverApplied(); len(n) > 0 {
		fmt.Fprintf(w, "  never exercised: %v\n", n)
	}
	fmt.Fprintln(w, "actions performed:")
	for _, o := range Drawn() {
		fmt.Fprintf(w, "  %-36s %9d\n", o.Name(), c.Ops[o])
	}
}
