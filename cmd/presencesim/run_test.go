package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRunFeaturePaths(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paths []string
		code  int
		want  []string
	}{
		{"passing", []string{"../../suite/testdata/pass"}, 0, []string{"2 scenarios (2 passed)", "presencesim: report "}},
		{"failing", []string{"../../suite/testdata/pass", "../../suite/testdata/fail"}, 1, []string{"4 scenarios (2 passed, 1 failed, 1 undefined)", "presencesim: FAILED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			var out, errb bytes.Buffer
			args := append([]string{"--report", dir}, tc.paths...)
			code := dispatch(append([]string{"run"}, args...), &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out.String(), errb.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			// Not a terminal: no colours, no progress line.
			if strings.Contains(out.String()+errb.String(), "\x1b") {
				t.Errorf("escape sequences although the output is not a terminal")
			}
			for _, f := range []string{"index.html", "junit.xml", "cucumber.json"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// Without paths the built-in suite runs and the report goes to the default
// directory; a tag keeps the test short.
func TestRunBuiltInSuiteWritesDefaultReport(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errb bytes.Buffer
	if code := dispatch([]string{"run", "--tags", "@T-AGG-2"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	m := regexp.MustCompile(`(?m)^(\d+) scenarios \((\d+) passed\)$`).FindStringSubmatch(out.String())
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Fatalf("no all-passed godog summary in:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "built-in suite") {
		t.Errorf("output does not say the built-in suite ran:\n%s", out.String())
	}
	b, err := os.ReadFile(filepath.Join(defaultReportDir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `id="count-scenarios">`+m[1]+`<`) {
		t.Errorf("report's scenario count is not godog's %s", m[1])
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "prety"}, "use one of"},
		{[]string{"--progress", "sometimes"}, "auto, always or never"},
		{[]string{"--color", "blue"}, "auto, always or never"},
		{[]string{"--concurrency", "0"}, "at least 1"},
		{[]string{"--tags", "@T-AGG-2 &&"}, "is not a tag"},
		{[]string{"no/such/features"}, "no such file"},
	} {
		var out, errb bytes.Buffer
		code := dispatch(append([]string{"run", "--report", ""}, tc.args...), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("run %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	for _, tc := range []struct {
		done, total, failed int
		el                  time.Duration
		want                string
	}{
		{3, 10, 0, 1500 * time.Millisecond, "running 3/10 scenarios, 1.5s"},
		{7, 10, 2, 2 * time.Second, "running 7/10 scenarios, 2 failed, 2.0s"},
		{5, 0, 0, time.Second, "running 5 scenarios, 1.0s"},
	} {
		if got := progressLine(tc.done, tc.total, tc.failed, tc.el); got != tc.want {
			t.Errorf("progressLine(%d, %d, %d, %v) = %q, want %q", tc.done, tc.total, tc.failed, tc.el, got, tc.want)
		}
	}
}

// With --progress always the line appears on stderr once the run has taken
// a second, and is cleared at the end.
func TestProgressShowsAfterASecond(t *testing.T) {
	var b syncBuffer
	p := startProgress(&b, 4)
	p.scenario(false)
	p.scenario(true)
	waitFor(t, func() (bool, string) {
		return strings.Contains(b.String(), "running 2/4 scenarios, 1 failed"), fmt.Sprintf("progress output %q", b.String())
	})
	p.stop()
	if s := b.String(); !strings.HasSuffix(s, "\r\x1b[K") {
		t.Fatalf("progress output %q does not end by clearing the line", s)
	}
	var quick syncBuffer
	start := time.Now()
	q := startProgress(&quick, 1)
	q.scenario(false)
	q.stop()
	// a stalled machine may really take a second here; only then may it draw
	if s := quick.String(); s != "" && time.Since(start) < time.Second {
		t.Errorf("a run shorter than a second drew %q", s)
	}
}
