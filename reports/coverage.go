package reports

import "strings"

// Coverage is one rule with the scenarios that carry its tag.
type Coverage struct {
	Rule      Rule
	Known     bool // false for a tag that looks like a rule id but is not in the rulebook
	Scenarios []*Scenario
	Passed    int
	Failed    int // every outcome but passed
}

// State is covered-and-passing, failing or uncovered.
func (c Coverage) State() string {
	switch {
	case !c.Known:
		return "unknown"
	case len(c.Scenarios) == 0:
		return "uncovered"
	case c.Failed > 0:
		return "failing"
	}
	return "passing"
}

// ruleCoverage lists every rule of the rulebook with the scenarios tagged
// with it, then tags that look like rule ids but are not in the rulebook.
func ruleCoverage(rules []Rule, fs []*Feature) []Coverage {
	idx := map[string]int{}
	out := make([]Coverage, len(rules))
	for i, r := range rules {
		out[i] = Coverage{Rule: r, Known: true}
		idx[r.ID] = i
	}
	for _, f := range fs {
		for _, s := range f.Scenarios {
			seen := map[string]bool{}
			for _, t := range s.Tags {
				id := strings.TrimPrefix(t, "@")
				if seen[id] || !RuleID.MatchString(id) {
					continue
				}
				seen[id] = true
				i, ok := idx[id]
				if !ok {
					i = len(out)
					idx[id] = i
					out = append(out, Coverage{Rule: Rule{ID: id, Title: "not in the rulebook"}})
				}
				c := &out[i]
				c.Scenarios = append(c.Scenarios, s)
				if s.Status == Passed {
					c.Passed++
				} else {
					c.Failed++
				}
			}
		}
	}
	return out
}

// CoverageCounts are the totals of the coverage table.
type CoverageCounts struct{ Rules, Covered, Passing, Failing, Uncovered, Unknown int }

func coverageCounts(cs []Coverage) CoverageCounts {
	var n CoverageCounts
	for _, c := range cs {
		switch c.State() {
		case "unknown":
			n.Unknown++
			continue
		case "uncovered":
			n.Uncovered++
		case "failing":
			n.Failing++
			n.Covered++
		case "passing":
			n.Passing++
			n.Covered++
		}
		n.Rules++
	}
	return n
}
