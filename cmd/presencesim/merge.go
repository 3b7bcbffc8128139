package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/presencesim/presencesim/sim/explore"
)

func init() {
	commands["merge"] = command{summary: "join the JSON results of sharded explorations (explore --shard k/n --json F) into one", run: runMerge}
}

func runMerge(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("merge", flag.ContinueOnError)
	fl.SetOutput(stderr)
	jsonOut := fl.String("json", "", "write the joined result as JSON too")
	coverage := fl.Bool("coverage", true, "print the rules and invariants the runs exercised")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim merge [flags] shard.json...\n\nJoins the results of `presencesim explore --shard k/n --json F` into what one\nexploration of all their seeds reports; it exits 1 when a shard found a violation.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	var parts []explore.Summary
	for _, name := range fl.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "presencesim merge: %v\n", err)
			return 2
		}
		s, err := explore.ReadSummary(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "presencesim merge: %s: %v\n", name, err)
			return 2
		}
		parts = append(parts, s)
	}
	m, ignored, err := explore.Merge(parts)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim merge: %v\n", err)
		return 2
	}
	cov, err := m.Coverage.Tally()
	if err != nil {
		fmt.Fprintf(stderr, "presencesim merge: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "merged %d shards: seeds %d..%d\n", len(parts), m.From, m.From+uint64(m.Seeds)-1)
	fmt.Fprintf(stdout, "explored %d seeds: %d actions (%d more drawn were refused by the model and dropped), %d clock events, %d invariant checks\n",
		cov.Runs, cov.Actions, cov.Refused, cov.Events, cov.Checks)
	if *jsonOut != "" {
		if err := writeSummary(*jsonOut, m); err != nil {
			fmt.Fprintf(stderr, "presencesim merge: %v\n", err)
			return 2
		}
	}
	if v := m.Violation; v != nil {
		fmt.Fprintf(stdout, "\nseed %d broke invariant %q %v: %s\n", v.Seed, v.Invariant, v.Rules, v.Text)
		if ignored > 0 {
			fmt.Fprintf(stdout, "(%d later shards not counted: one exploration stops at the first violation)\n", ignored)
		}
		fmt.Fprintf(stdout, "shrink and write it as a feature with: presencesim explore --from %d --seeds 1 --actions %d", v.Seed, m.Actions)
		if m.Plant != "" {
			fmt.Fprintf(stdout, " --plant %s", m.Plant)
		}
		fmt.Fprintln(stdout)
		return 1
	}
	fmt.Fprintln(stdout, "presencesim merge: no invariant broken")
	if *coverage {
		cov.Write(stdout)
	}
	return 0
}

// writeSummary writes an exploration summary as indented JSON.
func writeSummary(path string, s explore.Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
