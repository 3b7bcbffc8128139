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
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/pbx"
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

// A desk-phone call CloudLink writes into Teams allocates no more through
// the layer with faults off than over the bare seam: none at all.
func TestCloudLinkWritesAllocateNothingThroughTheLayer(t *testing.T) {
	allocs := func(k seamKind) float64 {
		w, d, cl := workday(t, 7, 2, k)
		p := cl.PBX()
		line := d.lines[0]
		before := cl.Writes() + cl.Clears()
		n := 0
		a := testing.AllocsPerRun(100, func() {
			n++
			if err := p.LineEvent(line, pbx.DeskPhone, pbx.OffHook); err != nil {
				t.Fatal(err)
			}
			if err := p.LineEvent(line, pbx.DeskPhone, pbx.HangUp); err != nil {
				t.Fatal(err)
			}
			if n%200 == 0 { // past the G-THR-1 window before it fills
				if err := w.Clock.Advance(graph.DefaultThrottle.Window); err != nil {
					t.Fatal(err)
				}
			}
		})
		if got := cl.Writes() + cl.Clears() - before; got < 2*100 {
			t.Fatalf("%d CloudLink writes and clears for 101 calls: the calls did not reach the seam", got)
		}
		return a
	}
	bare, layered := allocs(direct), allocs(layered)
	if layered != bare || layered != 0 {
		t.Errorf("a desk-phone call allocates %v times through the layer with faults off, %v over the bare seam; want 0 for both", layered, bare)
	}
}
