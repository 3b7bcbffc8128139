package trace

import (
	"strconv"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

func TestRecordAcrossChunks(t *testing.T) {
	var tr Trace
	n := chunkSize*2 + 5
	for i := 0; i < n; i++ {
		tr.Record(Entry{At: clock.Time(i), User: "alice", Source: "desktop"})
	}
	if tr.Len() != n || len(tr.Entries()) != n {
		t.Fatalf("len %d, entries %d, want %d", tr.Len(), len(tr.Entries()), n)
	}
	i := 0
	tr.Each(func(e Entry) {
		if e.At != clock.Time(i) {
			t.Fatalf("entry %d out of order: %v", i, e.At)
		}
		i++
	})
	tr.Reset()
	if tr.Len() != 0 || len(tr.Entries()) != 0 {
		t.Fatal("reset left entries")
	}
	if allocs := testing.AllocsPerRun(100, func() { tr.Record(Entry{User: "bob"}) }); allocs != 0 {
		t.Fatalf("recording after a reset allocates %.1f times", allocs)
	}
}

func TestTextAndRecordingSwitch(t *testing.T) {
	var tr Trace
	tr.Record(Entry{At: clock.At(1, 9, 0), Kind: PresenceChange, User: "alice", Source: "desktop",
		Before: presence.Of(presence.Offline, presence.ActOffline), After: presence.Of(presence.Available, presence.ActAvailable), Rule: "T-ACT-1"})
	tr.SetRecording(false)
	tr.Record(Entry{User: "ignored"})
	tr.SetRecording(true)
	tr.Record(Entry{At: clock.At(1, 9, 5), User: "alice", Source: "pbx:desk phone", Note: "ringing"})
	want := "09:00 alice presence desktop: Offline/Offline -> Available/Available [T-ACT-1]\n09:05 alice source pbx:desk phone: ringing\n"
	if got := tr.Text(); got != want {
		t.Fatalf("text:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(tr.Summary(), "2 trace entries, 1 presence changes") {
		t.Fatalf("summary %q", tr.Summary())
	}
}

// A limited trace keeps its newest entries and counts the dropped ones.
func TestLimitKeepsTheNewest(t *testing.T) {
	var tr Trace
	tr.Limit(3 * chunkSize)
	const total = 10 * chunkSize
	for i := 0; i < total; i++ {
		tr.Record(Entry{User: strconv.Itoa(i)})
	}
	if tr.Len() > 3*chunkSize || tr.Len() < 2*chunkSize {
		t.Fatalf("kept %d entries; want between %d and %d", tr.Len(), 2*chunkSize, 3*chunkSize)
	}
	if tr.Len()+tr.Dropped() != total {
		t.Fatalf("kept %d and dropped %d of %d", tr.Len(), tr.Dropped(), total)
	}
	es := tr.Entries()
	if es[len(es)-1].User != strconv.Itoa(total-1) || es[0].User != strconv.Itoa(tr.Dropped()) {
		t.Fatalf("kept %s … %s", es[0].User, es[len(es)-1].User)
	}
}
