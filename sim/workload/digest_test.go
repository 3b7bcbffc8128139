package workload

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim/clock"
)

var update = flag.Bool("update", false, "rewrite testdata/workday-trace.sha256 from the present model")

// digestFile pins the trace of one seeded day with desk phones and
// CloudLink: work on the hot path (the clock's queue, the trace, Teams'
// aggregation, the seam) must leave every entry as it was. Rewrite it with
// -update only for a change meant to alter the day.
var digestFile = filepath.Join("testdata", "workday-trace.sha256")

func dayTrace(t *testing.T, k seamKind) (text string, entries int) {
	t.Helper()
	w, _, _ := workday(t, 7, 200, k)
	if err := w.Clock.RunUntil(clock.At(2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	return w.Trace.Text(), w.Trace.Len()
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestWorkdayTraceIsPinned(t *testing.T) {
	text, n := dayTrace(t, layered)
	if !strings.Contains(text, "source cloudlink:") {
		t.Fatal("the day has no CloudLink entries: its writes are not in the trace")
	}
	got := digest(text)
	if *update {
		if err := os.WriteFile(digestFile, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(digestFile)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if w := strings.TrimSpace(string(want)); got != w {
		t.Errorf("the day's trace of %d entries has digest %s, pinned %s: the same seed must give the same day", n, got, w)
	}
}

// With faults off the layer changes nothing: the day through it and over
// a bare seam is the same, entry for entry.
func TestLayerWithoutFaultsKeepsTheDay(t *testing.T) {
	a, na := dayTrace(t, layered)
	b, nb := dayTrace(t, direct)
	if a != b {
		la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
		for i := 0; i < len(la) && i < len(lb); i++ {
			if la[i] != lb[i] {
				t.Fatalf("entry %d: through the layer %q, over the bare seam %q", i, la[i], lb[i])
			}
		}
		t.Fatalf("through the layer %d entries, over the bare seam %d", na, nb)
	}
}
