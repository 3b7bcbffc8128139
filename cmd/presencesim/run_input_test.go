package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scenario is a passing feature; comment lines pad it to any line length.
const scenario = "Feature: bad input\n  Scenario: alice is offline\n    Given the users alice and bob\n    Then alice's presence is Offline\n"

// padded is the scenario with a comment line of n bytes (without its line
// end) after the Given step, the fourth line.
func padded(n int, end string) string {
	lines := strings.SplitAfter(scenario, "\n")
	comment := "    #" + strings.Repeat("x", n-5) + end
	return strings.Join(lines[:3], "") + comment + strings.Join(lines[3:], "")
}

// TestRunBadInput runs the command on feature files that are hard to read
// or select nothing: each must fail with a message that names the file or
// the selection, or pass, never crash, and a failure must leave no report
// files behind.
func TestRunBadInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string // below the temporary folder
		args  []string          // paths are relative to it
		code  int
		want  []string // on stderr, or on stdout when code is 0
	}{
		{"line of 64 KiB", map[string]string{"long.feature": padded(64<<10, "\n")}, []string{"long.feature"},
			2, []string{"long.feature:4:", "65536 bytes", "at most 65535 bytes"}},
		{"line of 1 MiB", map[string]string{"long.feature": padded(1<<20, "\n")}, []string{"long.feature"},
			2, []string{"long.feature:4:", "1048576 bytes", "at most 65535 bytes"}},
		{"line of 1 MiB in a folder", map[string]string{"f/a.feature": scenario, "f/b.feature": "Feature: b\n" + strings.Repeat("y", 1<<20)}, []string{"f"},
			2, []string{"f/b.feature:2:", "1048576 bytes", "at most 65535 bytes"}},
		{"line as long as the parser reads", map[string]string{"edge.feature": padded(65535, "\n")}, []string{"edge.feature"},
			0, []string{"1 scenarios (1 passed)"}},
		{"CRLF line one byte too long", map[string]string{"crlf.feature": padded(65535, "\r\n")}, []string{"crlf.feature"},
			2, []string{"crlf.feature:4:", "65536 bytes"}},
		{"byte order mark", map[string]string{"bom.feature": "\uFEFF" + scenario}, []string{"bom.feature"},
			0, []string{"1 scenarios (1 passed)"}},
		{"byte order mark and CRLF", map[string]string{"bom.feature": "\uFEFF" + strings.ReplaceAll(scenario, "\n", "\r\n")}, []string{"bom.feature"},
			0, []string{"1 scenarios (1 passed)"}},
		{"byte order mark in a folder", map[string]string{"f/bom.feature": "\uFEFF" + scenario}, []string{"f"},
			0, []string{"1 scenarios (1 passed)"}},
		{"folder without features", map[string]string{"empty/readme.txt": "nothing here"}, []string{"empty"},
			2, []string{"no scenario selected", "no .feature file in empty"}},
		{"folder without features and tags", map[string]string{"empty/readme.txt": ""}, []string{"--tags", "@T-AGG-2", "empty"},
			2, []string{"no scenario selected", "no .feature file in empty", `tag expression "@T-AGG-2"`}},
		{"feature without scenarios", map[string]string{"bare.feature": "Feature: nothing yet\n"}, []string{"bare.feature"},
			2, []string{"no scenario selected", "1 feature file in bare.feature, without a scenario"}},
		{"tags select nothing", map[string]string{"a.feature": scenario, "b.feature": scenario}, []string{"--tags", "@nope && ~@slow", "a.feature", "b.feature"},
			2, []string{"no scenario selected", `tag expression "@nope && ~@slow"`, "2 scenarios in a.feature, b.feature"}},
		{"line starts no scenario", map[string]string{"a.feature": scenario}, []string{"a.feature:3"},
			2, []string{"no scenario selected", "no scenario starts at line 3 of a.feature"}},
		{"line of a scenario", map[string]string{"a.feature": scenario}, []string{"a.feature:2"},
			0, []string{"1 scenarios (1 passed)"}},
		{"parse error", map[string]string{"bad.feature": "Feature: x\n  Scenario: y\n    Given the users alice and bob\n  Nonsense here\n"}, []string{"bad.feature"},
			2, []string{"bad.feature:", "(4:3)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			var out, errb bytes.Buffer
			code := dispatch(append([]string{"run", "--report", "report", "--progress", "always"}, tc.args...), &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out.String(), errb.String())
			}
			got := errb.String()
			if tc.code == 0 {
				got = out.String()
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(out.String()+errb.String(), "panic") {
				t.Errorf("the run panicked:\n%s%s", out.String(), errb.String())
			}
			if tc.code != 0 {
				if entries, err := os.ReadDir("report"); err == nil {
					t.Errorf("a failed start left %d report files behind", len(entries))
				}
			}
		})
	}
}
