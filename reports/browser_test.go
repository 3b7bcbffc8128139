package reports

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/internal/headless"
)

// browse runs headless Chromium on the page with extra flags and returns
// its standard output.
func browse(t *testing.T, bin, page string, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), headless.Timeout)
	defer cancel()
	args := append(slices.Clone(headless.Flags), "--user-data-dir="+t.TempDir())
	args = append(args, extra...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
	}
	return out
}

// The report renders in a real browser: the timelines are in the rendered
// DOM, the summary numbers there are the run's, and the screenshot shows a
// timeline's bars in Teams colours.
func TestReportInBrowser(t *testing.T) {
	bin := headless.Binary(t)
	r := sampleRun(t)
	page, err := filepath.Abs(filepath.Join(r.dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}

	// One start of the browser gives both the rendered DOM and a screenshot.
	shot := filepath.Join(t.TempDir(), "report.png")
	dom := string(browse(t, bin, page, "--window-size=1100,1400", "--screenshot="+shot, "--dump-dom"))
	c := r.res.Run.Counts
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
	svgs := regexp.MustCompile(`(?s)<svg[^>]*class="timeline".*?</svg>`).FindAllString(dom, -1)
	if len(svgs) != c.Scenarios {
		t.Errorf("%d timelines rendered, want one per scenario (%d)", len(svgs), c.Scenarios)
	}
	drawn := 0
	for _, s := range svgs {
		if strings.Contains(s, `class="seg"`) {
			drawn++
		}
	}
	// Every scenario but the undefined one changes some presence.
	if drawn != c.Scenarios-c.Undefined {
		t.Errorf("%d timelines have bars, want %d", drawn, c.Scenarios-c.Undefined)
	}

	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if keep := os.Getenv("PRESENCESIM_KEEP_SCREENSHOT"); keep != "" {
		_ = os.WriteFile(keep, mustRead(t, shot), 0o644)
	}
	// The first scenario's timeline has a green client, a red meeting and a
	// yellow faded app session: bars at least 80 px wide in each colour
	// (the legend's dots are 12 px).
	for _, col := range []struct{ name, hex string }{{"green", "#92C353"}, {"red", "#C4314B"}, {"yellow", "#FCD116"}} {
		if run := longestRun(img, col.hex); run < 80 {
			t.Errorf("no %s timeline bar in the screenshot (longest %s run %d px)", col.name, col.hex, run)
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
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
