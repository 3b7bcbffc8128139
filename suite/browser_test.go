package suite

import (
	"bytes"
	"github.com/presencesim/presencesim/reports"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/presencesim/presencesim/internal/headless"
)

// The report renders in a real browser with no script of its own: the
// summary numbers in the rendered DOM are the run's, failed scenarios are
// open and passed ones collapsed, the filters by outcome and by rule (links
// to a :target) leave exactly the scenarios they name, and a screenshot of
// an opened scenario shows its timeline's bars in Teams colours, grey
// Offline before the first change included.
func TestReportInBrowser(t *testing.T) {
	r := sampleRun(t)
	page, err := filepath.Abs(filepath.Join(r.dir, reports.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	tab := headless.Browser(t, map[string]any{"window-size": "1100,1400"})
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	dom, err := chromedp.Run(tab, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	run := r.res.Run
	c := run.Counts
	g := godogSummary(t, r.stdout)
	for _, tc := range []struct {
		id   string
		want int
	}{
		{"count-scenarios", g["total"]}, {"count-passed", g["passed"]},
		{"count-failed", g["failed"]}, {"count-undefined", g["undefined"]},
		{"count-steps", c.Steps},
	} {
		m := regexp.MustCompile(`id="` + tc.id + `">(\d+)<`).FindStringSubmatch(dom)
		if m == nil {
			t.Errorf("rendered page has no %s", tc.id)
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n != tc.want {
			t.Errorf("%s shows %d, the run had %d", tc.id, n, tc.want)
		}
	}
	if n := eval(`document.scripts.length`); n != 0 {
		t.Errorf("the report has %d scripts, want none", n)
	}
	if n := eval(`document.querySelectorAll("svg.timeline").length`); n != c.Scenarios {
		t.Errorf("%d timelines rendered, want one per scenario (%d)", n, c.Scenarios)
	}
	if n := eval(`document.querySelectorAll("details.scenario[open]").length`); n != c.Scenarios-c.Passed {
		t.Errorf("%d scenarios open, want the %d that did not pass", n, c.Scenarios-c.Passed)
	}
	if n := eval(`document.querySelectorAll("#feature-table tr.feature-row").length`); n != len(run.Features) {
		t.Errorf("the feature summary has %d rows, want one per feature file (%d)", n, len(run.Features))
	}

	// Filters: what stays visible after following each link.
	visible := func(hash string) (scenarios, features int) {
		t.Helper()
		eval(`location.hash = "` + hash + `"; 0`)
		return eval(`[...document.querySelectorAll("details.scenario")].filter(e => e.checkVisibility()).length`),
			eval(`[...document.querySelectorAll("section.feature")].filter(e => e.checkVisibility()).length`)
	}
	if n, f := visible("#only-failed"); n != c.Failed || f != 1 {
		t.Errorf("#only-failed shows %d scenarios in %d features, want %d in the 1 failing feature", n, f, c.Failed)
	}
	var rule reports.Coverage
	for _, cv := range run.Coverage {
		if len(cv.Scenarios) > 0 && len(cv.Scenarios) < c.Scenarios {
			rule = cv
			break
		}
	}
	if rule.Rule.ID == "" {
		t.Fatal("the sample run tags no rule on only some scenarios")
	}
	if n, _ := visible("#only-" + rule.Rule.ID); n != len(rule.Scenarios) {
		t.Errorf("#only-%s shows %d scenarios, want the %d tagged with it", rule.Rule.ID, n, len(rule.Scenarios))
	}
	if n, f := visible("#features"); n != c.Scenarios || f != len(run.Features) {
		t.Errorf("after show all %d scenarios in %d features are visible, want %d in %d", n, f, c.Scenarios, len(run.Features))
	}

	// The first scenario, opened, in a screenshot.
	eval(`const d = document.querySelector("details.scenario"); d.open = true; d.scrollIntoView(); 0`)
	shot, err := chromedp.Run(tab, chromedp.Screenshot(chromedp.CSS("details.scenario")))
	if err != nil {
		t.Fatal(err)
	}
	if keep := os.Getenv("PRESENCESIM_KEEP_SCREENSHOT"); keep != "" {
		_ = os.WriteFile(keep, shot, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// The first scenario's timeline has a green client, a red meeting, a
	// yellow faded app session and grey Offline before alice signs in:
	// bars at least 80 px wide in each colour but grey, which is narrow
	// (the legend's dots are 12 px).
	for _, col := range []struct {
		name, hex string
		min       int
	}{{"green", "#92C353", 80}, {"red", "#C4314B", 80}, {"yellow", "#FCD116", 80}, {"grey", "#8A8886", 14}} {
		if run := longestRun(img, col.hex); run < col.min {
			t.Errorf("no %s timeline bar in the screenshot (longest %s run %d px, want %d)", col.name, col.hex, run, col.min)
		}
	}
}

// longestRun is the longest horizontal run of pixels of the colour.
func longestRun(img image.Image, hex string) int {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	want := [3]int{int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)}
	near := func(a, b int) bool { return a-b <= 6 && b-a <= 6 }
	best := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		run := 0
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(int(r>>8), want[0]) && near(int(g>>8), want[1]) && near(int(b>>8), want[2]) {
				run++
				if run > best {
					best = run
				}
			} else {
				run = 0
			}
		}
	}
	return best
}
