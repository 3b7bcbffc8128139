package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim/explore"
)

func TestExploreFindsPlantedFaultsAndTheFeatureReproducesThem(t *testing.T) {
	for _, f := range explore.Faults {
		t.Run(f.Name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "found.feature")
			var stdout, stderr strings.Builder
			code := dispatch([]string{"explore", "--seeds", "1000", "--plant", f.Name, "--out", out}, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("explore with a planted fault exited %d, want 1 (violation)\n%s\n%s", code, stdout.String(), stderr.String())
			}
			m := regexp.MustCompile(`shrunk to (\d+) actions`).FindStringSubmatch(stdout.String())
			if m == nil {
				t.Fatalf("explore did not report a shrunk case:\n%s", stdout.String())
			}
			n, _ := strconv.Atoi(m[1])
			if f.Held && regexp.MustCompile(`passe?s?\n\s*\n\s*invariant "`).MatchString(stdout.String()) {
				n-- // the case ends in the wait for what Graph holds: time, not an input
			}
			if n > 5 {
				t.Fatalf("the violation was not shrunk to at most 5 actions:\n%s", stdout.String())
			}
			inv := regexp.MustCompile(`invariant "([^"]+)" \[`).FindStringSubmatch(stdout.String())
			feature, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			plant := "    And the model is broken on purpose: " + f.Step + "\n"
			for _, want := range []string{"@" + f.Rule, plant, "Then every invariant holds"} {
				if !strings.Contains(string(feature), want) {
					t.Fatalf("the feature lacks %q:\n%s", want, feature)
				}
			}

			// run fails the same way: the same invariant, the same rules
			var runOut, runErr strings.Builder
			if code := dispatch([]string{"run", "--report", "", "--format", "pretty", out}, &runOut, &runErr); code != 1 {
				t.Fatalf("presencesim run on the written feature exited %d, want 1\n%s\n%s", code, runOut.String(), runErr.String())
			}
			for _, want := range []string{`invariant "` + inv[1] + `"`, f.Rule, "why the model derived this"} {
				if !strings.Contains(runOut.String(), want) {
					t.Fatalf("run output lacks %q:\n%s", want, runOut.String())
				}
			}

			// without the planted fault the same actions break nothing
			clean := strings.Replace(string(feature), plant, "", 1)
			cleanPath := filepath.Join(t.TempDir(), "clean.feature")
			if err := os.WriteFile(cleanPath, []byte(clean), 0o644); err != nil {
				t.Fatal(err)
			}
			runOut.Reset()
			if code := dispatch([]string{"run", "--report", "", cleanPath}, &runOut, &runErr); code != 0 {
				t.Fatalf("the shrunk actions fail without the fault too:\n%s", runOut.String())
			}
		})
	}
}

func TestExploreCleanRun(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := dispatch([]string{"explore", "--seeds", "50"}, &stdout, &stderr); code != 0 {
		t.Fatalf("explore exited %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"explored 50 seeds", "events/s", "no invariant broken", "highest-source-wins"} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("explore output lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestExploreRefusesBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--plant", "nonsense"}, "valid: available-above-busy"},
		{[]string{"--seeds", "0"}, "at least 1"},
		{[]string{"extra"}, "unexpected arguments"},
	}
	for _, tc := range tests {
		var stdout, stderr strings.Builder
		if code := dispatch(append([]string{"explore"}, tc.args...), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("explore %v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

// TestExploreTraceIsReproducible: the same seed prints the same trace.
func TestExploreTraceIsReproducible(t *testing.T) {
	trace := func(seed string) string {
		var stdout, stderr strings.Builder
		if code := dispatch([]string{"explore", "--from", seed, "--seeds", "1", "--trace", "--coverage=false"}, &stdout, &stderr); code != 0 {
			t.Fatalf("explore exited %d: %s", code, stderr.String())
		}
		out := stdout.String()
		return out[:strings.Index(out, "explored 1 seeds")]
	}
	a, b := trace("42"), trace("42")
	if a != b {
		t.Fatal("seed 42 printed two different traces")
	}
	if strings.Count(a, "\n") < 20 || a == trace("43") {
		t.Fatalf("seed 42's trace is too short or equals seed 43's:\n%s", a)
	}
}

// Shards written by `explore --shard k/n --json` and joined by `merge`
// give the JSON of one exploration of all the seeds; merge refuses a set
// with a shard missing.
func TestShardedExploreMergesIntoOneRun(t *testing.T) {
	dir := t.TempDir()
	run := func(want int, args ...string) string {
		t.Helper()
		var stdout, stderr strings.Builder
		if code := dispatch(args, &stdout, &stderr); code != want {
			t.Fatalf("%v exited %d, want %d\n%s\n%s", args, code, want, stdout.String(), stderr.String())
		}
		return stdout.String()
	}
	whole := filepath.Join(dir, "whole.json")
	run(0, "explore", "--seeds", "30", "--coverage=false", "--json", whole)
	var shards []string
	for k := 1; k <= 4; k++ {
		p := filepath.Join(dir, "shard-"+strconv.Itoa(k)+".json")
		out := run(0, "explore", "--seeds", "30", "--shard", strconv.Itoa(k)+"/4", "--coverage=false", "--json", p)
		if !strings.Contains(out, "shard "+strconv.Itoa(k)+"/4 of seeds 1..30") {
			t.Fatalf("the shard does not say which seeds it ran:\n%s", out)
		}
		shards = append(shards, p)
	}
	merged := filepath.Join(dir, "merged.json")
	out := run(0, append([]string{"merge", "--coverage=false", "--json", merged}, shards...)...)
	if !strings.Contains(out, "merged 4 shards: seeds 1..30") {
		t.Fatalf("merge output:\n%s", out)
	}
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(merged)
	if len(a) == 0 || string(a) != string(b) {
		t.Fatalf("merged shards differ from one run:\n%s\none run:\n%s", b, a)
	}
	var stderr strings.Builder
	if code := dispatch(append([]string{"merge"}, shards[0], shards[2], shards[3]), new(strings.Builder), &stderr); code != 2 || !strings.Contains(stderr.String(), "leave out or repeat seeds") {
		t.Fatalf("merge without shard 2 exited %d: %s", code, stderr.String())
	}
}
