package reports

import (
	"io"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/features"
)

func TestCheckTags(t *testing.T) {
	for _, ok := range []string{"", "@T-AGG-2", "@T-AGG-2 && ~@slow", "@a,@b && ~@c", "T-AGG-2"} {
		if err := CheckTags(ok); err != nil {
			t.Errorf("CheckTags(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"@a &&", "&& @a", "@a,,@b", "~", "@a @b", "@", "~~@a"} {
		err := CheckTags(bad)
		if err == nil || !strings.Contains(err.Error(), "&& (and)") {
			t.Errorf("CheckTags(%q) = %v, want an error explaining the grammar", bad, err)
		}
	}
}

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
	if n := CountScenarios(nil, []string{"testdata/pass/workday.feature:7"}, ""); n != 0 {
		t.Errorf("a path with a line counts %d, want 0 (unknown)", n)
	}
	if n := CountScenarios(nil, []string{"testdata/pass", "testdata/fail"}, ""); n != 4 {
		t.Errorf("testdata counts %d scenarios, want 4", n)
	}
}

// An expression CheckTags accepts never has the empty term godog indexes
// into, and the filter reads it.
func FuzzCheckTags(f *testing.F) {
	for _, s := range []string{"@T-AGG-2", "@a && ~@b", "@a,@b", "@a &&", "~", "@", " , ", "~@a,~@b&&@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if CheckTags(expr) != nil {
			return
		}
		for _, and := range strings.Split(expr, "&&") {
			for _, term := range strings.Split(and, ",") {
				if expr != "" && strings.ReplaceAll(strings.TrimSpace(term), "@", "") == "" {
					t.Fatalf("accepted %q with an empty term", expr)
				}
			}
		}
		_ = matchTags(expr, []string{"@T-AGG-2", "@slow"})
	})
}
