package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/reports"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
	"github.com/presencesim/presencesim/steps"
	"github.com/presencesim/presencesim/suite"
)

func init() {
	commands["explain"] = command{summary: "say why a user has their presence at a time of a feature scenario", run: runExplain}
}

func explainUsage(w io.Writer, fl *flag.FlagSet) {
	fmt.Fprintln(w, `usage: presencesim explain [flags] <feature file>[:line] <user> <time>

Runs the scenario in the feature file (the one at :line, or the one --scenario
names, or the only one) and prints why the user has the presence they have at
the virtual time (hh:mm or "day 2 hh:mm"): the live sources, the rule that
chose the winner, the pending timers, and the user's trace up to then.

  presencesim explain features/teams/calendar.feature:12 alice 10:30`)
	fl.PrintDefaults()
}

func runExplain(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("explain", flag.ContinueOnError)
	fl.SetOutput(stderr)
	name := fl.String("scenario", "", "the scenario whose name contains this text, when the file has several")
	seed := fl.Uint64("seed", 1, "root seed of the simulated world")
	fl.Usage = func() { explainUsage(stderr, fl) }
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 3 {
		explainUsage(stderr, fl)
		return 2
	}
	path, user, at := fl.Arg(0), fl.Arg(1), fl.Arg(2)
	if _, err := os.Stat(trimLine(path)); err != nil {
		fmt.Fprintf(stderr, "presencesim explain: %v\n", err)
		return 2
	}
	// read first, so that a line too long for the Gherkin parser is
	// reported, not a crash, and a byte order mark is dropped
	sel, err := reports.Select(nil, []string{path}, "")
	if err != nil {
		fmt.Fprintf(stderr, "presencesim explain: %v\n", err)
		return 2
	}
	t, err := clock.Parse(at, 0)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim explain: %v\n", err)
		return 2
	}
	ex := &explainer{user: user, at: t, name: strings.ToLower(*name), found: map[string]*capture{}}
	o := steps.Options{Seed: *seed, OnWorld: ex.world, OnStep: ex.step, OnScenario: ex.end}
	if st := suite.Godog(o, godog.Options{Format: "progress", Output: io.Discard, Paths: []string{path}, FS: sel.FS(), Concurrency: 1}); st == 2 {
		fmt.Fprintf(stderr, "presencesim explain: cannot read %s as a feature file\n", path)
		return 2
	}
	caps := ex.captures()
	switch {
	case len(caps) == 0 && ex.seen == 0 && path != trimLine(path):
		fmt.Fprintf(stderr, "presencesim explain: no scenario starts at line %s of %s\n", path[len(trimLine(path))+1:], trimLine(path))
		return 2
	case len(caps) == 0 && ex.seen == 0:
		fmt.Fprintf(stderr, "presencesim explain: %s has no scenario\n", path)
		return 2
	case len(caps) == 0:
		fmt.Fprintf(stderr, "presencesim explain: no scenario of %s has %q in its name; it has:\n%s", path, *name, ex.names())
		return 2
	case len(caps) > 1:
		var b strings.Builder
		for _, c := range caps {
			fmt.Fprintf(&b, "  %s\n", c.scenario)
		}
		fmt.Fprintf(stderr, "presencesim explain: %d scenarios of %s match; pick one with <file>:<line> or --scenario:\n%s", len(caps), path, b.String())
		return 2
	}
	c := caps[0]
	if c.err != "" {
		fmt.Fprintf(stderr, "presencesim explain: %s\n", c.err)
		return 1
	}
	c.write(stdout, user, t)
	return 0
}

// explainer takes the user's explanation at the asked time: after every
// step that ends at or before it, and from a timer just after it, which
// fires once everything due at that instant has happened.
type explainer struct {
	mu    sync.Mutex
	user  string
	at    clock.Time
	name  string
	seen  int
	all   []string
	found map[string]*capture
}

type capture struct {
	scenario, uri string
	userName      string
	w             *sim.World
	ex            teams.Explanation
	have, final   bool
	err           string
	failedStep    string
	trace         []trace.Entry
}

func (e *explainer) match(p *godog.Scenario) bool {
	return e.name == "" || strings.Contains(strings.ToLower(p.Name), e.name)
}

func (e *explainer) world(p *godog.Scenario, w *sim.World) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen++
	e.all = append(e.all, p.Name)
	if !e.match(p) {
		return
	}
	c := &capture{scenario: p.Name, uri: p.Uri, userName: e.user, w: w}
	e.found[p.Id] = c
	w.Clock.Schedule(e.at+1, c, clock.Event{Label: "explanation taken"})
}

// Fire takes the explanation when the clock passes the asked time.
func (c *capture) Fire(now clock.Time, _ clock.Event) {
	c.take()
	c.final = true
}

func (c *capture) take() {
	if c.final {
		return
	}
	name := c.userName
	id, err := c.w.Teams.User(name)
	if err != nil {
		c.have, c.err = false, fmt.Sprintf("%s is not a user of %q at %s: %v", name, c.scenario, c.w.Clock.Now(), err)
		return
	}
	c.ex, c.have, c.err = c.w.Teams.Explain(id), true, ""
	c.trace = append(c.trace[:0], c.w.Trace.Entries()...)
}

func (e *explainer) step(s steps.StepEnd) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.found[s.Scenario.Id]
	if !ok || s.World == nil {
		return
	}
	if s.Status == godog.StepFailed || s.Status == godog.StepUndefined {
		if c.failedStep == "" {
			c.failedStep = fmt.Sprintf("%q (%s at %s)", s.Step.Text, s.Status, s.At)
		}
	}
	if s.At <= e.at {
		c.take()
	}
}

func (e *explainer) end(s steps.ScenarioEnd) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.found[s.Scenario.Id]
	if !ok || s.World == nil || c.final {
		return
	}
	// The scenario ended before the asked time: let its timers run on.
	_ = s.World.Clock.RunUntil(e.at + 1)
	c.take()
}

func (e *explainer) captures() []*capture {
	var ids []string
	for id := range e.found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*capture
	for _, id := range ids {
		out = append(out, e.found[id])
	}
	return out
}

func (e *explainer) names() string {
	var b strings.Builder
	for _, n := range e.all {
		fmt.Fprintf(&b, "  %s\n", n)
	}
	return b.String()
}

func (c *capture) write(w io.Writer, user string, at clock.Time) {
	ex := c.ex
	ex.At = at
	fmt.Fprintf(w, "scenario %q (%s)\n", c.scenario, c.uri)
	if c.failedStep != "" {
		fmt.Fprintf(w, "note: the scenario failed at step %s; after that only its timers ran\n", c.failedStep)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, ex.String())
	fmt.Fprintf(w, "\ntrace of %s up to %s:\n", user, at)
	n := 0
	for _, e := range c.trace {
		if e.User == user && e.At <= at {
			fmt.Fprintf(w, "  %s\n", e)
			n++
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "  nothing changed")
	}
	// The rules the explanation cites, with their rulebook titles.
	cited := map[string]bool{}
	for _, id := range reports.RuleRef.FindAllString(ex.String(), -1) {
		cited[id] = true
	}
	var lines []string
	for _, r := range reports.Rulebook() {
		if cited[r.ID] {
			lines = append(lines, fmt.Sprintf("  %-8s %s", r.ID, r.Title))
		}
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "\nrules:\n%s\n", strings.Join(lines, "\n"))
	}
}
