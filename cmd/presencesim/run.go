package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/steps"
)

func init() {
	commands["run"] = command{summary: "run the conformance suite (embedded by default) against the simulator", run: runSuite}
}

func runSuite(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	fl.SetOutput(stderr)
	tags := fl.String("tags", "", "run only scenarios matching this tag expression, e.g. \"@T-AGG-2 && ~@slow\"")
	seed := fl.Uint64("seed", 1, "root seed of the simulated worlds")
	format := fl.String("format", "progress", "godog formatter: progress, pretty, junit, cucumber, events")
	concurrency := fl.Int("concurrency", 4, "scenarios run at once")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim run [flags] [feature files or folders]\n\nWithout paths the built-in suite runs.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	opts := godog.Options{
		Format:      *format,
		Tags:        *tags,
		Strict:      true,
		Concurrency: *concurrency,
		Output:      stdout,
	}
	if paths := fl.Args(); len(paths) > 0 {
		for _, p := range paths {
			if _, err := os.Stat(p); err != nil {
				fmt.Fprintf(stderr, "presencesim run: %v\n", err)
				return 2
			}
		}
		opts.Paths = paths
	} else {
		opts.FS = features.FS
		opts.Paths = features.Paths()
	}
	start := time.Now()
	suite := godog.TestSuite{
		Name:                "presencesim",
		ScenarioInitializer: steps.Initializer(steps.Options{Seed: *seed}),
		Options:             &opts,
	}
	status := suite.Run()
	fmt.Fprintf(stdout, "presencesim: seed %d, %s, %s\n", *seed, describe(opts), time.Since(start).Round(time.Millisecond))
	if status != 0 {
		fmt.Fprintln(stdout, "presencesim: FAILED")
		return 1
	}
	return 0
}

func describe(o godog.Options) string {
	if o.FS != nil {
		return fmt.Sprintf("built-in suite (%d feature files)", countFeatures(o.FS))
	}
	return "features from " + strings.Join(o.Paths, ", ")
}

func countFeatures(f fs.FS) int {
	n := 0
	_ = fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".feature") {
			n++
		}
		return nil
	})
	return n
}
