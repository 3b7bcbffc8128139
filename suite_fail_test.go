package presencesim

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/steps"
	"github.com/presencesim/presencesim/suite"
)

// run runs features through the same runner as the suite and returns godog's
// status and output.
func run(t *testing.T, o steps.Options, opts godog.Options) (int, string) {
	t.Helper()
	var out bytes.Buffer
	opts.Output = &out
	if opts.Format == "" {
		opts.Format = "pretty"
	}
	return suite.Godog(o, opts), out.String()
}

// TestSuiteCanFail breaks the model on purpose and checks the suite notices:
// with Busy ranked above DoNotDisturb (T-AGG-2 swapped), the aggregation
// scenarios fail and say which rule and which sources were involved.
func TestSuiteCanFail(t *testing.T) {
	broken := steps.Options{Seed: 1, Settings: func(s *teams.Settings) {
		s.Precedence.SwapAvailability(presence.DoNotDisturb, presence.Busy)
	}}
	st, out := run(t, broken, godog.Options{FS: features.FS, Paths: []string{"teams/aggregation.feature"}, Tags: "@T-AGG-2", Concurrency: 2})
	if st == 0 {
		t.Fatal("the suite passed with T-AGG-2 broken")
	}
	for _, want := range []string{"failed", "DoNotDisturb/Presenting", "the model derived", "why the model derived this", "T-AGG-2"} {
		if !strings.Contains(out, want) {
			t.Errorf("failure output does not mention %q:\n%s", want, out)
		}
	}
	// the same scenarios pass with the model intact
	if st, out := run(t, steps.Options{Seed: 1}, godog.Options{FS: features.FS, Paths: []string{"teams/aggregation.feature"}, Tags: "@T-AGG-2"}); st != 0 {
		t.Fatalf("intact model failed:\n%s", out)
	}
}

// TestBadInputFailsClearly runs features with one bad step each: each fails
// that step with a message naming the problem and the valid choices.
func TestBadInputFailsClearly(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown_presence.feature", []string{`unknown presence "Bussy"`, "DoNotDisturb", "Am Telefon"}},
		{"unknown_user.feature", []string{`unknown user "zed"`, "known users: alice, bob"}},
		{"backwards.feature", []string{"time cannot move backwards", "it is 10:00 already", "day 2"}},
		{"duration.feature", []string{`malformed duration "10 minuets"`, "10 minutes"}},
		{"clock.feature", []string{`malformed time "25:00"`, "hours 0-23"}},
		{"client.feature", []string{`unknown Teams client "laptop"`, "desktop, web, mobile"}},
		{"undefined.feature", []string{"undefined"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			st, out := run(t, steps.Options{Seed: 1}, godog.Options{Paths: []string{filepath.Join("testdata", "badinput", tc.file)}, NoColors: true})
			if st == 0 {
				t.Fatalf("bad input passed:\n%s", out)
			}
			if strings.Contains(out, "panic") {
				t.Fatalf("bad input panicked:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not mention %q:\n%s", w, out)
				}
			}
		})
	}
}
