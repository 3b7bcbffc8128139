package reports

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// The file system handed to godog serves every feature file checked and
// without its byte order mark, also under a name Select did not read.
func TestSelectionFS(t *testing.T) {
	long := "Feature: x\n" + strings.Repeat("#", MaxLineBytes+1) + "\n"
	fsys := fstest.MapFS{
		"a/ok.feature":   {Data: []byte("\uFEFFFeature: ok\n  Scenario: s\n    Given x\n")},
		"a/long.feature": {Data: []byte(long)},
		"a/notes.txt":    {Data: []byte("\uFEFFleft alone")},
		"b/bom.feature":  {Data: []byte("\uFEFFFeature: b\n")},
	}
	sel, err := Select(fsys, []string{"a/ok.feature"}, "")
	if err != nil || sel.Selected != 1 {
		t.Fatalf("Select: %+v, %v", sel, err)
	}
	for _, tc := range []struct {
		name, want, err string
	}{
		{"a/ok.feature", "Feature: ok\n", ""},
		{"b/bom.feature", "Feature: b\n", ""}, // not selected, read on demand
		{"a/long.feature", "", "a/long.feature:2: the line is 65536 bytes long"},
		{"a/notes.txt", "\uFEFFleft alone", ""},
	} {
		b, err := fs.ReadFile(sel.FS(), tc.name)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !strings.HasPrefix(string(b), tc.want) {
			t.Errorf("%s: %q, %v; want it to start with %q", tc.name, b, err, tc.want)
		}
	}
	if _, err := Select(fsys, []string{"a"}, ""); err == nil || !strings.Contains(err.Error(), "a/long.feature:2:") {
		t.Errorf("selecting the folder: %v, want the long line named", err)
	}
}
