package explore

import (
	"slices"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/teams"
)

// ShrinkBudget is the default number of replays Shrink may spend. Planted
// faults shrink in a few dozen; the bound only stops a pathological case.
const ShrinkBudget = 5000

// Shrink reduces a failing run to a smaller case that breaks the same
// invariant: it removes chunks of actions (halves, then quarters, down to
// single actions), folds waits into the next action, shortens the time
// between actions and drops people nobody refers to, replaying after each
// attempt. budget bounds the replays, never the time spent, so a case
// shrinks to the same result on a fast and on a loaded machine; it returns
// the smallest failing result found and the replays spent.
func Shrink(res Result, budget int) (Result, int) {
	if res.Violation == nil {
		return res, 0
	}
	target := res.Violation.Invariant
	best, spent := res, 0
	try := func(c Case) bool {
		if spent >= budget {
			return false
		}
		spent++
		r, err := Replay(c)
		if err != nil || r.Violation == nil || r.Violation.Invariant != target {
			return false
		}
		best = r
		return true
	}
	for progress := true; progress && spent < budget; {
		progress = false
		// chunks of actions
		for chunk := len(best.Case.Actions) / 2; chunk >= 1; {
			removed := false
			for i := 0; i+chunk <= len(best.Case.Actions) && spent < budget; {
				c := best.Case
				c.Actions = append(append([]Action(nil), c.Actions[:i]...), c.Actions[i+chunk:]...)
				if try(c) {
					removed, progress = true, true
					continue
				}
				i += chunk
			}
			if !removed {
				chunk /= 2
			}
		}
		// waits fold into the action after them
		for i := 0; i+1 < len(best.Case.Actions) && spent < budget; i++ {
			if best.Case.Actions[i].Op != event.Wait {
				continue
			}
			c := best.Case
			c.Actions = append([]Action(nil), c.Actions...)
			c.Actions[i+1].Gap += c.Actions[i].Gap
			c.Actions = append(c.Actions[:i], c.Actions[i+1:]...)
			if try(c) {
				progress = true
				i--
			}
		}
		// shorter gaps: none at all, else halve while it still fails
		for i := 0; i < len(best.Case.Actions) && spent < budget; i++ {
			for best.Case.Actions[i].Gap > 0 && spent < budget {
				g := best.Case.Actions[i].Gap
				c := best.Case
				c.Actions = append([]Action(nil), c.Actions...)
				c.Actions[i].Gap = 0
				if try(c) {
					progress = true
					break
				}
				c.Actions[i].Gap = (g / 2).Round(60e9)
				if c.Actions[i].Gap == g || !try(c) {
					break
				}
				progress = true
			}
		}
	}
	if c, ok := dropUnusedUsers(best); ok {
		try(c)
	}
	if d := teams.DefaultSettings().IdleTimeout; best.Case.IdleTimeout != d {
		c := best.Case
		c.IdleTimeout = d
		try(c)
	}
	return best, spent
}

// dropUnusedUsers keeps only the people the actions or the violation name.
func dropUnusedUsers(res Result) (Case, bool) {
	c := res.Case
	used := make([]bool, len(c.Users))
	for i, n := range c.Users {
		used[i] = n == res.Violation.User
		for _, a := range c.Actions {
			used[i] = used[i] || slices.Contains(a.Users, n)
		}
	}
	n := 0
	for _, u := range used {
		if u {
			n++
		}
	}
	// a world keeps two people so that a caller exists
	for i := 0; n < 2 && i < len(used); i++ {
		if !used[i] {
			used[i], n = true, n+1
		}
	}
	if n == len(c.Users) {
		return c, false
	}
	out := c
	out.Users = nil
	for i, name := range c.Users {
		if used[i] {
			out.Users = append(out.Users, name)
		}
	}
	return out, true
}
