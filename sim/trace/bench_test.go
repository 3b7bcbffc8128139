package trace

import (
	"fmt"
	"testing"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// dayEntries is a day's worth of entries shaped like a workday's: a
// thousand users, names interned as the models intern them, a few sources
// and rules, and every eighth note built afresh as the PBX builds them.
func dayEntries(n int) []Entry {
	users := make([]string, 1000)
	for i := range users {
		users[i] = fmt.Sprintf("user%04d", i)
	}
	sources := []string{"desktop", "web", "mobile", "call", "calendar", "app:cloudlink", "pbx:desk phone"}
	rules := []string{"T-ACT-1", "T-ACT-2", "T-AGG-2", "T-CAL-1", "CL-5", ""}
	busy := presence.Of(presence.Busy, presence.InACall)
	free := presence.Of(presence.Available, presence.ActAvailable)
	out := make([]Entry, n)
	for i := range out {
		e := Entry{At: clock.Time(i), Kind: Kind(i % 2), User: users[i*7%len(users)],
			Source: sources[i%len(sources)], Rule: rules[i%len(rules)], Before: free, After: busy}
		if i%8 == 0 {
			e.Note = fmt.Sprintf("line %d: ringing", 1+i%3)
		}
		out[i] = e
	}
	return out
}

// BenchmarkRecord records a day of entries into a Trace ("trace") against
// two baselines in the same run: the same entries appended to chunks of
// whole Entry values ("entry-chunks", how the trace stored them before its
// strings became ids) and copied into a plain slice made large enough
// beforehand ("slice", the copy alone). The ratios of their ns/entry are
// what the trace's storage costs.
func BenchmarkRecord(b *testing.B) {
	day := dayEntries(180_000)
	perEntry := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(day)), "ns/entry")
	}
	b.Run("trace", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var tr Trace
			for _, e := range day {
				tr.Record(e)
			}
			if tr.Len() != len(day) {
				b.Fatalf("recorded %d of %d", tr.Len(), len(day))
			}
		}
		perEntry(b)
	})
	b.Run("entry-chunks", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var chunks [][]Entry
			for _, e := range day {
				last := len(chunks) - 1
				if last < 0 || len(chunks[last]) == chunkSize {
					chunks = append(chunks, make([]Entry, 0, chunkSize))
					last++
				}
				chunks[last] = append(chunks[last], e)
			}
			if n := (len(chunks)-1)*chunkSize + len(chunks[len(chunks)-1]); n != len(day) {
				b.Fatalf("appended %d of %d", n, len(day))
			}
		}
		perEntry(b)
	})
	b.Run("slice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := make([]Entry, 0, len(day))
			for _, e := range day {
				s = append(s, e)
			}
			if len(s) != len(day) {
				b.Fatalf("appended %d of %d", len(s), len(day))
			}
		}
		perEntry(b)
	})
}
