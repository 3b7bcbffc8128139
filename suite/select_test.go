package suite

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/reports"
)

// The progress count of a tag expression is what godog then runs.
func TestCountScenariosMatchesGodog(t *testing.T) {
	for _, expr := range []string{"@T-AGG-2 && ~@T-ACT-1", "@T-CAL-1,@T-CAL-2", "~@T-AGG-2 && @T-SRC-2"} {
		t.Run(expr, func(t *testing.T) {
			want := CountScenarios(features.FS, features.Paths(), expr)
			res, err := Execute(Config{FS: features.FS, Paths: features.Paths(), Tags: expr, Seed: 1, Output: io.Discard, Concurrency: 2})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Run.Counts.Scenarios; got != want || got == 0 {
				t.Errorf("counted %d scenarios for %q, godog ran %d", want, expr, got)
			}
		})
	}
	if n := CountScenarios(nil, []string{"testdata/pass/workday.feature:7"}, ""); n != 1 {
		t.Errorf("a path with a scenario's line counts %d, want 1", n)
	}
	if n := CountScenarios(nil, []string{"testdata/pass/workday.feature:8"}, ""); n != 0 {
		t.Errorf("a path with a step's line counts %d, want 0", n)
	}
	if n := CountScenarios(nil, []string{"testdata/pass", "testdata/fail"}, ""); n != 4 {
		t.Errorf("testdata counts %d scenarios, want 4", n)
	}
}

// A path with a line selects what godog runs for it: the scenario whose
// keyword is on that line, a Scenario Outline's every row.
func TestSelectLinesMatchesGodog(t *testing.T) {
	dir := t.TempDir()
	outline := "Feature: rows\n  Scenario Outline: <who>\n    Given the users alice and bob\n    Then <who>'s presence is Offline\n\n    Examples:\n      | who   |\n      | alice |\n      | bob   |\n"
	if err := os.WriteFile(filepath.Join(dir, "rows.feature"), []byte(outline), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := filepath.Join(dir, "rows.feature")
	for _, tc := range []struct {
		path string
		want int
	}{
		{"testdata/pass/workday.feature:7", 1},
		{"testdata/pass/workday.feature:21", 1},
		{rows + ":2", 2},
		{rows, 2},
	} {
		sel, err := reports.Select(nil, []string{tc.path}, "")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Execute(Config{Paths: []string{tc.path}, Seed: 1, Output: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		if sel.Selected != tc.want || res.Run.Counts.Scenarios != tc.want {
			t.Errorf("%s: selected %d, godog ran %d, want %d", tc.path, sel.Selected, res.Run.Counts.Scenarios, tc.want)
		}
	}
	for _, line := range []string{":8", ":7000", ":0"} {
		if _, err := Execute(Config{Paths: []string{"testdata/pass/workday.feature" + line}, Output: io.Discard}); err == nil || !strings.Contains(err.Error(), "no scenario starts at line") {
			t.Errorf("line %s: %v, want no scenario selected", line, err)
		}
	}
}
