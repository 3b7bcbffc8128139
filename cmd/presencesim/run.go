package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/reports"
	"github.com/presencesim/presencesim/suite"
)

func init() {
	commands["run"] = command{summary: "run the conformance suite (embedded by default) and write the report", run: runSuite}
}

// defaultReportDir is where the report goes unless --report says otherwise.
const defaultReportDir = "presencesim-report"

func runSuite(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var tags, format string
	fl.StringVar(&tags, "tags", "", "run only scenarios matching this tag expression, e.g. \"@T-AGG-2 && ~@slow\"")
	fl.StringVar(&tags, "t", "", "short for --tags")
	fl.StringVar(&format, "format", "progress", "godog formatters for the output, comma-separated, each optionally with :file\n(progress, pretty, junit, cucumber, events; e.g. pretty,junit:out.xml)")
	fl.StringVar(&format, "f", "progress", "short for --format")
	seed := fl.Uint64("seed", 1, "root seed of the simulated worlds")
	concurrency := fl.Int("concurrency", 4, "scenarios run at once")
	dir := fl.String("report", defaultReportDir, "directory for index.html, junit.xml and cucumber.json; empty for none")
	progressMode := fl.String("progress", "auto", "live progress line on stderr: auto (when stderr is a terminal), always or never")
	colour := fl.String("color", "auto", "ANSI colours in the output: auto (when stdout is a terminal), always or never")
	conn := addConnectorFlags(fl)
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim run [flags] [feature files or folders]\n\nWithout paths the built-in suite runs. The report goes to "+defaultReportDir+"/ unless --report says otherwise.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	showProgress, err := autoFlag("progress", *progressMode, isTerminal(stderr))
	if err != nil {
		fmt.Fprintf(stderr, "presencesim run: %v\n", err)
		return 2
	}
	colours, err := autoFlag("color", *colour, isTerminal(stdout))
	if err != nil {
		fmt.Fprintf(stderr, "presencesim run: %v\n", err)
		return 2
	}
	if *concurrency < 1 {
		fmt.Fprintf(stderr, "presencesim run: --concurrency must be at least 1, got %d\n", *concurrency)
		return 2
	}
	cfg := suite.Config{
		Tags: tags, Seed: *seed, Format: format, NoColors: !colours, Dir: *dir,
		Concurrency: *concurrency, Version: version(),
	}
	if paths := fl.Args(); len(paths) > 0 {
		for _, p := range paths {
			if _, err := os.Stat(strings.TrimRight(trimLine(p), "/")); err != nil {
				fmt.Fprintf(stderr, "presencesim run: %v\n", err)
				return 2
			}
		}
		cfg.Paths = paths
		cfg.Source = "features from " + strings.Join(paths, ", ")
	} else {
		cfg.FS = features.FS
		cfg.Paths = features.Paths()
		cfg.Source = fmt.Sprintf("built-in suite (%d feature files)", countFeatures(features.FS))
	}

	if err := conn.apply(&cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "presencesim run: %v\n", err)
		return 2
	}

	// godog's own output streams unless a live progress line shares the
	// terminal with it; then it is held back and printed when the run ends.
	var held bytes.Buffer
	cfg.Output = stdout
	var prog *progress
	if showProgress {
		total := suite.CountScenarios(cfg.FS, cfg.Paths, cfg.Tags)
		prog = startProgress(stderr, total)
		cfg.OnScenario = prog.scenario
		if isTerminal(stdout) {
			cfg.Output = &held
		}
	}
	res, err := suite.Execute(cfg)
	if prog != nil {
		prog.stop()
	}
	if held.Len() > 0 {
		_, _ = stdout.Write(held.Bytes())
	}
	if err != nil {
		fmt.Fprintf(stderr, "presencesim run: %v\n", err)
		if res.Status == 0 {
			return 1
		}
		return res.Status
	}
	if res.Status == 2 {
		return 2
	}
	fmt.Fprintf(stdout, "presencesim: seed %d, %s, %s\n", *seed, cfg.Source, res.Run.Duration)
	if cfg.Dir != "" {
		fmt.Fprintf(stdout, "presencesim: report %s (with %s and %s)\n", res.Files[0], reports.JUnitFile, reports.CucumberFile)
	}
	if err := conn.report(cfg, res, stdout); err != nil {
		fmt.Fprintf(stderr, "presencesim run: conformance report: %v\n", err)
		return 1
	}
	if res.Status != 0 {
		fmt.Fprintln(stdout, "presencesim: FAILED")
		return 1
	}
	return 0
}

func trimLine(p string) string {
	if i := strings.LastIndexByte(p, ':'); i > 0 && strings.Trim(p[i+1:], "0123456789") == "" && i+1 < len(p) {
		return p[:i]
	}
	return p
}

// autoFlag reads an auto|always|never flag.
func autoFlag(name, v string, auto bool) (bool, error) {
	switch v {
	case "auto":
		return auto, nil
	case "always":
		return true, nil
	case "never":
		return false, nil
	}
	return false, fmt.Errorf("--%s %q: use auto, always or never", name, v)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// version is the module version, or the VCS revision of a development build.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return "devel " + rev
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

// progress is the live line on a terminal: it appears once the run has
// taken a second and is redrawn as scenarios finish and time passes.
type progress struct {
	mu           sync.Mutex
	w            io.Writer
	total        int
	done, failed int
	start        time.Time
	shown        bool
	quit         chan struct{}
	wg           sync.WaitGroup
}

func startProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now(), quit: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

func (p *progress) scenario(failed bool) {
	p.mu.Lock()
	p.done++
	if failed {
		p.failed++
	}
	p.mu.Unlock()
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.start)
	if el < time.Second {
		return
	}
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[K%s", progressLine(p.done, p.total, p.failed, el))
}

// progressLine is the text of the line: "running 34/62 scenarios, 1 failed, 2.4s".
func progressLine(done, total, failed int, el time.Duration) string {
	var b strings.Builder
	b.WriteString("running ")
	if total > 0 {
		fmt.Fprintf(&b, "%d/%d scenarios", done, total)
	} else {
		fmt.Fprintf(&b, "%d scenarios", done)
	}
	if failed > 0 {
		fmt.Fprintf(&b, ", %d failed", failed)
	}
	fmt.Fprintf(&b, ", %.1fs", el.Seconds())
	return b.String()
}

func (p *progress) stop() {
	close(p.quit)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
