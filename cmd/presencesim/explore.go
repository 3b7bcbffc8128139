package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/explore"
)

func init() {
	commands["explore"] = command{summary: "run random worlds from seeds with every invariant checked; shrink and write a feature on a violation", run: runExplore}
}

func runExplore(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("explore", flag.ContinueOnError)
	fl.SetOutput(stderr)
	seeds := fl.Int("seeds", 100, "number of seeds to explore")
	from := fl.Uint64("from", 1, "first seed")
	actions := fl.Int("actions", 60, "actions per run")
	plant := fl.String("plant", "", "plant a fault that breaks one rule: "+faultNames())
	out := fl.String("out", "", "feature file to write on a violation (default explore-seed-<seed>.feature)")
	budget := fl.Int("shrink", explore.ShrinkBudget, "most replays spent shrinking a violation (a count, not a time: a seed shrinks alike on any machine)")
	printTrace := fl.Bool("trace", false, "print the trace of each run (use with a single seed)")
	coverage := fl.Bool("coverage", true, "print the rules and invariants the runs exercised")
	shardFlag := fl.String("shard", "", "run only part k of n of the seeds (k/n, from 1; e.g. 3/8, or $((JOB_COMPLETION_INDEX+1))/8); join the parts with presencesim merge")
	jsonOut := fl.String("json", "", "write what the runs found as JSON (the input of presencesim merge)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim explore [flags]\n\nEach seed draws a world and a sequence of actions and faults; every invariant\nis checked after every event. The first violation is shrunk and written as a\nfeature file that `presencesim run` reproduces.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "presencesim explore: unexpected arguments %v\n", fl.Args())
		return 2
	}
	if *seeds < 1 || *actions < 1 {
		fmt.Fprintln(stderr, "presencesim explore: --seeds and --actions must be at least 1")
		return 2
	}
	if *plant != "" {
		if _, err := explore.FindFault(*plant); err != nil {
			fmt.Fprintf(stderr, "presencesim explore: %v\n", err)
			return 2
		}
	}
	first, count := *from, *seeds
	if *shardFlag != "" {
		sh, err := explore.ParseShard(*shardFlag)
		if err != nil {
			fmt.Fprintf(stderr, "presencesim explore: --shard: %v\n", err)
			return 2
		}
		first, count = sh.Seeds(*from, *seeds)
		fmt.Fprintf(stdout, "shard %s of seeds %d..%d: seeds %d..%d\n", sh, *from, *from+uint64(*seeds)-1, first, first+uint64(count)-1)
	}
	cfg := explore.Config{Actions: *actions, Fault: *plant}
	cov := explore.NewCoverage()
	start := time.Now()
	writeJSON := func(v *explore.Result) bool {
		if *jsonOut == "" {
			return true
		}
		if err := writeSummary(*jsonOut, explore.Summarise(first, count, cfg, cov, v)); err != nil {
			fmt.Fprintf(stderr, "presencesim explore: %v\n", err)
			return false
		}
		return true
	}
	var each func(explore.Result)
	if *printTrace {
		each = func(res explore.Result) {
			fmt.Fprintf(stdout, "# trace of seed %d\n", res.Case.Seed)
			_ = res.World.Trace.WriteText(stdout)
		}
	}
	v, err := explore.Range(first, count, cfg, cov, each)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim explore: %v\n", err)
		return 2
	}
	if v != nil {
		summary(stdout, cov, time.Since(start))
		if !writeJSON(v) {
			return 2
		}
		return report(stdout, stderr, *v, *out, *budget)
	}
	summary(stdout, cov, time.Since(start))
	if !writeJSON(nil) {
		return 2
	}
	fmt.Fprintln(stdout, "presencesim explore: no invariant broken")
	if *coverage {
		cov.Write(stdout)
	}
	return 0
}

func summary(w io.Writer, c *explore.Coverage, took time.Duration) {
	events := c.Events + uint64(c.Actions)
	fmt.Fprintf(w, "explored %d seeds: %d actions (%d more drawn were refused by the model and dropped), %d clock events, %d invariant checks in %s: %.0f events/s\n",
		c.Runs, c.Actions, c.Refused, c.Events, c.Checks, took.Round(time.Millisecond), float64(events)/took.Seconds())
}

func report(stdout, stderr io.Writer, res explore.Result, out string, budget int) int {
	v := res.Violation
	fmt.Fprintf(stdout, "\nseed %d broke an invariant after %d actions:\n%s\n", res.Case.Seed, len(res.Case.Actions), v.Error())
	start := time.Now()
	shrunk, replays := explore.Shrink(res, budget)
	fmt.Fprintf(stdout, "\nshrunk to %d actions and %d people in %d replays (%s):\n", len(shrunk.Case.Actions), len(shrunk.Case.Users), replays, time.Since(start).Round(time.Millisecond))
	for _, s := range shrunk.Case.Steps() {
		fmt.Fprintf(stdout, "  %s\n", s)
	}
	fmt.Fprintf(stdout, "\n%s\n", shrunk.Violation.Error())
	if out == "" {
		out = fmt.Sprintf("explore-seed-%d.feature", res.Case.Seed)
	}
	var b strings.Builder
	if err := explore.WriteFeature(&b, shrunk, len(res.Case.Actions)); err != nil {
		fmt.Fprintf(stderr, "presencesim explore: %v\n", err)
		return 2
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintf(stderr, "presencesim explore: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "\nwrote %s; reproduce with: presencesim run %s\n", out, out)
	return 1
}

func faultNames() string {
	var n []string
	for _, f := range explore.Faults {
		n = append(n, f.Name)
	}
	return strings.Join(n, ", ")
}
