package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// The reader's C-12 scenario fails for a reader that takes an older
// presence after a newer one: its view goes back (C-8).
func TestSoakReaderScenarioFailsForARewindingReader(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak plays a day")
	}
	src, err := os.ReadFile("../features/conformance/soak.feature")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	at := strings.Index(text, "  @C-12 @C-8\n")
	if at < 0 || !strings.Contains(text[at:], "the reference Nimbus reader follows") {
		t.Fatal("the feature no longer reads as this test expects")
	}
	head := text[:strings.Index(text, "  @C-12\n")]
	text = head + strings.Replace(text[at:], "the reference Nimbus reader follows", "the reference Nimbus reader with the fault rewind follows", 1)
	path := filepath.Join(t.TempDir(), "soak.feature")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	st, out := runSuite(t, "soak", nil, godog.Options{Format: "pretty", Paths: []string{path}})
	if st == 0 {
		t.Fatalf("the scenario passes for a reader that rewinds:\n%s", out)
	}
	for _, want := range []string{"expected no view older than one the reader had already shown (C-8)", "rewind"} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure does not say %q:\n%s", want, out)
		}
	}
}
