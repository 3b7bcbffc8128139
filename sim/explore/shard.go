package explore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/presencesim/presencesim/sim/event"
)

// An exploration splits across machines by seed range: shard k of n runs
// one contiguous block of the seeds, writes a Summary, and Merge joins the
// summaries into exactly what one run over all the seeds reports. A run
// stops at its first violation, so the merge adds the shards in seed order
// up to the first one that found a violation: the seeds after it are the
// ones a single run would not have reached.

// Shard is one part of a seed range: Index of Of, counted from 1.
type Shard struct{ Index, Of int }

// ParseShard reads "k/n" with 1 ≤ k ≤ n.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want k/n, e.g. 3/8", s)
	}
	if ni < 1 || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("shard %q: want 1 ≤ k ≤ n", s)
	}
	return Shard{Index: ki, Of: ni}, nil
}

func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Of) }

// Seeds is the shard's block of the seeds from..from+count-1: the first
// count%n shards get one seed more. A shard may be empty when count < n.
func (s Shard) Seeds(from uint64, count int) (first uint64, n int) {
	base, extra := count/s.Of, count%s.Of
	i := s.Index - 1
	n = base
	if i < extra {
		n++
	}
	skip := i*base + min(i, extra)
	return from + uint64(skip), n
}

// Range explores the seeds from..from+count-1 in order into cov, calling
// each (when not nil) after every run, and stops at the first violation,
// which it returns.
func Range(from uint64, count int, cfg Config, cov *Coverage, each func(Result)) (*Result, error) {
	for i := 0; i < count; i++ {
		res, err := Explore(from+uint64(i), cfg)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", from+uint64(i), err)
		}
		cov.Add(res)
		if each != nil {
			each(res)
		}
		if res.Violation != nil {
			return &res, nil
		}
	}
	return nil, nil
}

// Summary is what an exploration over a seed range found: the tally, and
// the first violation if any. It is the shards' exchange format (JSON).
type Summary struct {
	From    uint64 `json:"from"`  // first seed
	Seeds   int    `json:"seeds"` // seeds in the range
	Actions int    `json:"actions"`
	Plant   string `json:"plant,omitempty"`
	// Reached is how many seeds ran: Seeds, or up to the violating one.
	Reached   int              `json:"reached"`
	Violation *SummaryFinding  `json:"violation,omitempty"`
	Coverage  *SummaryCoverage `json:"coverage"`
}

// SummaryFinding is the first violation of a range.
type SummaryFinding struct {
	Seed      uint64   `json:"seed"`
	Invariant string   `json:"invariant"`
	Rules     []string `json:"rules"`
	Text      string   `json:"text"`
}

// SummaryCoverage is Coverage with its action counts by name, so that the
// format does not depend on the order of the event table.
type SummaryCoverage struct {
	Runs    int               `json:"runs"`
	Actions int               `json:"actions"`
	Refused int               `json:"refused"`
	Events  uint64            `json:"events"`
	Checks  uint64            `json:"checks"`
	Decided map[string]int    `json:"decided"`
	Sourced map[string]int    `json:"sourced"`
	Applied map[string]uint64 `json:"applied"`
	Ops     map[string]int    `json:"ops"`
}

// Summarise records a finished range.
func Summarise(from uint64, seeds int, cfg Config, c *Coverage, v *Result) Summary {
	s := Summary{From: from, Seeds: seeds, Actions: cfg.Actions, Plant: cfg.Fault, Reached: c.Runs, Coverage: c.summary()}
	if v != nil && v.Violation != nil {
		s.Violation = &SummaryFinding{Seed: v.Case.Seed, Invariant: v.Violation.Invariant, Rules: slices.Clone(v.Violation.Rules), Text: v.Violation.Text}
	}
	return s
}

func (c *Coverage) summary() *SummaryCoverage {
	s := &SummaryCoverage{Runs: c.Runs, Actions: c.Actions, Refused: c.Refused, Events: c.Events, Checks: c.Checks,
		Decided: clone(c.Decided), Sourced: clone(c.Sourced), Applied: clone(c.Applied), Ops: map[string]int{}}
	for i, n := range c.Ops {
		if n > 0 {
			s.Ops[event.Op(i).Name()] = n
		}
	}
	return s
}

func clone[V int | uint64](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Tally turns a summary's coverage back into a Coverage for printing.
func (s *SummaryCoverage) Tally() (*Coverage, error) {
	c := &Coverage{Runs: s.Runs, Actions: s.Actions, Refused: s.Refused, Events: s.Events, Checks: s.Checks,
		Decided: clone(s.Decided), Sourced: clone(s.Sourced), Applied: clone(s.Applied)}
	for name, n := range s.Ops {
		i := slices.IndexFunc(event.Ops(), func(o event.Op) bool { return o.Name() == name })
		if i < 0 {
			return nil, fmt.Errorf("the summary counts an action %q this version does not know", name)
		}
		c.Ops[i] = n
	}
	return c, nil
}

// MaxSummaryBytes bounds one summary file read by ReadSummary.
const MaxSummaryBytes = 1 << 20

// ReadSummary reads one shard's JSON summary, refusing what is not one.
func ReadSummary(r io.Reader) (Summary, error) {
	var s Summary
	dec := json.NewDecoder(io.LimitReader(r, MaxSummaryBytes+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Summary{}, fmt.Errorf("not an exploration summary: %w", err)
	}
	switch {
	case s.Coverage == nil:
		return Summary{}, errors.New("not an exploration summary: no coverage")
	case s.Seeds < 0 || s.Reached < 0 || s.Reached > s.Seeds || s.Coverage.Runs != s.Reached:
		return Summary{}, fmt.Errorf("an inconsistent summary: %d seeds, %d reached, %d runs", s.Seeds, s.Reached, s.Coverage.Runs)
	case s.Violation != nil && (s.Violation.Seed < s.From || s.Violation.Seed != s.From+uint64(s.Reached)-1):
		return Summary{}, fmt.Errorf("an inconsistent summary: violation at seed %d is not the last seed reached", s.Violation.Seed)
	case s.Violation == nil && s.Reached != s.Seeds:
		return Summary{}, fmt.Errorf("an inconsistent summary: %d of %d seeds reached and no violation", s.Reached, s.Seeds)
	}
	return s, nil
}

// Merge joins shard summaries into the summary of one run over their
// union. The shards must share the actions and the planted fault and,
// sorted by first seed, cover one range without gaps or overlaps up to
// the first violation; shards after it are ignored (a single run stops
// there too) and counted in ignored.
func Merge(parts []Summary) (merged Summary, ignored int, err error) {
	if len(parts) == 0 {
		return Summary{}, 0, errors.New("nothing to merge")
	}
	ps := slices.Clone(parts)
	slices.SortFunc(ps, func(a, b Summary) int {
		if a.From != b.From {
			if a.From < b.From {
				return -1
			}
			return 1
		}
		return a.Seeds - b.Seeds
	})
	out := Summary{From: ps[0].From, Actions: ps[0].Actions, Plant: ps[0].Plant}
	total := NewCoverage()
	next := ps[0].From
	for _, p := range ps {
		if p.Actions != out.Actions || p.Plant != out.Plant {
			return Summary{}, 0, fmt.Errorf("shard from seed %d ran with %d actions and fault %q, the first with %d and %q", p.From, p.Actions, p.Plant, out.Actions, out.Plant)
		}
		if p.From != next {
			return Summary{}, 0, fmt.Errorf("the shards leave out or repeat seeds: one starts at %d, the seeds before end at %d", p.From, next-1)
		}
		next += uint64(p.Seeds)
		if out.Violation != nil {
			ignored++
			continue
		}
		c, err := p.Coverage.Tally()
		if err != nil {
			return Summary{}, 0, fmt.Errorf("shard from seed %d: %w", p.From, err)
		}
		total.merge(c)
		out.Reached += p.Reached
		out.Violation = p.Violation
	}
	out.Seeds = int(next - out.From)
	out.Coverage = total.summary()
	return out, ignored, nil
}

// merge adds another tally.
func (c *Coverage) merge(o *Coverage) {
	c.Runs += o.Runs
	c.Actions += o.Actions
	c.Refused += o.Refused
	c.Events += o.Events
	c.Checks += o.Checks
	for k, v := range o.Decided {
		c.Decided[k] += v
	}
	for k, v := range o.Sourced {
		c.Sourced[k] += v
	}
	for k, v := range o.Applied {
		c.Applied[k] += v
	}
	for i := range c.Ops {
		c.Ops[i] += o.Ops[i]
	}
}
