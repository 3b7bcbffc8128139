package suite

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/reports"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/steps"
)

// Config is one run of the suite.
type Config struct {
	// Paths are feature files or folders, read from FS when set (the
	// embedded suite), else from the file system.
	Paths []string
	FS    fs.FS
	// Source says what ran, for the report ("built-in suite").
	Source string
	Tags   string
	Seed   uint64
	// Format lists godog formatters writing to Output ("progress",
	// "pretty", "progress,junit:out.xml"); empty means progress.
	Format   string
	Output   io.Writer
	NoColors bool
	// Dir is the report directory; empty writes no report files.
	Dir         string
	Concurrency int
	Settings    func(*teams.Settings)
	Title       string
	Version     string
	// OnScenario, when set, is told of each finished scenario.
	OnScenario func(failed bool)
}

// Result is a finished run.
type Result struct {
	Run    *reports.Run
	Status int // godog's: 0 passed, 1 failed, 2 bad options
	Files  []string
}

// Execute runs the suite in godog's strict mode and writes the report
// directory: index.html, junit.xml and cucumber.json.
func Execute(cfg Config) (Result, error) {
	format := cfg.Format
	if format == "" {
		format = "progress"
	}
	if err := checkFormat(format); err != nil {
		return Result{Status: 2}, err
	}
	if err := reports.CheckTags(cfg.Tags); err != nil {
		return Result{Status: 2}, err
	}
	// the files are read and the selection counted before godog creates
	// the report files, so bad input leaves none behind
	sel, err := reports.Select(cfg.FS, cfg.Paths, cfg.Tags)
	if err != nil {
		return Result{Status: 2}, err
	}
	if cfg.FS != nil {
		sel.Name = "the built-in suite"
	}
	if err := sel.Empty(); err != nil {
		return Result{Status: 2}, err
	}
	var files []string
	if cfg.Dir != "" {
		if strings.ContainsAny(cfg.Dir, ",") {
			return Result{Status: 2}, fmt.Errorf("report directory %q: a comma cannot be passed to godog's formatters; choose another name", cfg.Dir)
		}
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return Result{Status: 2}, fmt.Errorf("report directory: %w", err)
		}
		junit, cuke := filepath.Join(cfg.Dir, reports.JUnitFile), filepath.Join(cfg.Dir, reports.CucumberFile)
		format += "," + reports.JUnitFormat + ":" + junit + "," + reports.CucumberFormat + ":" + cuke
		files = append(files, filepath.Join(cfg.Dir, reports.IndexFile), junit, cuke)
	}
	out := cfg.Output
	if out == nil {
		out = io.Discard
	}
	if cfg.NoColors {
		out = reports.Plain(out)
	}
	conc := cfg.Concurrency
	if conc < 1 {
		conc = 1
	}
	col := reports.NewCollector()
	col.OnScenario = cfg.OnScenario
	opts := Hook(col, steps.Options{Seed: cfg.Seed, Settings: cfg.Settings})
	started := time.Now()
	suite := godog.TestSuite{
		Name:                "presencesim",
		ScenarioInitializer: steps.Initializer(opts),
		Options: &godog.Options{
			Format:      format,
			Tags:        cfg.Tags,
			Strict:      true,
			Concurrency: conc,
			Output:      out,
			Paths:       cfg.Paths,
			FS:          sel.FS(),
		},
	}
	status := suite.Run()
	run := &reports.Run{
		Title: cfg.Title, Version: cfg.Version, Seed: cfg.Seed, Source: cfg.Source, Tags: cfg.Tags,
		Started: started, Duration: time.Since(started).Round(time.Millisecond),
	}
	if run.Title == "" {
		run.Title = "presencesim conformance report"
	}
	col.Fill(run, cfg.FS)
	res := Result{Run: run, Status: status, Files: files}
	if cfg.Dir != "" && status != 2 {
		if err := writeIndex(filepath.Join(cfg.Dir, reports.IndexFile), run); err != nil {
			return res, err
		}
	}
	return res, nil
}

func writeIndex(path string, r *reports.Run) error {
	var b bytes.Buffer
	if err := reports.WriteHTML(&b, r); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// checkFormat refuses unknown formatter names before godog starts, naming
// the valid ones.
func checkFormat(format string) error {
	known := godog.AvailableFormatters()
	for _, f := range strings.Split(format, ",") {
		name := strings.SplitN(f, ":", 2)[0]
		if _, ok := known[name]; !ok {
			names := make([]string, 0, len(known))
			for n := range known {
				if n == reports.JUnitFormat || n == reports.CucumberFormat {
					continue
				}
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("unknown format %q: use one of %s, optionally with :file (e.g. progress,junit:report.xml)", name, strings.Join(names, ", "))
		}
	}
	return nil
}

// CountScenarios counts the scenarios (example rows included) the paths
// hold that the tag expression selects, for a progress line; it is 0 when it
// cannot tell.
func CountScenarios(fsys fs.FS, paths []string, tags string) int {
	sel, err := reports.Select(fsys, paths, tags)
	if err != nil {
		return 0
	}
	return sel.Selected
}
