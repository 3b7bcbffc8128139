package trace

import (
	"fmt"
	"runtime"
	"testing"
	"time"

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

// The ways BenchmarkRecord stores a day of entries: into a Trace, and, as
// baselines, into chunks of whole Entry values (how the trace stored them
// before its strings became ids) and into a plain slice made large enough
// beforehand (the copy alone).
var recorders = []struct {
	name   string
	record func(day []Entry) (int, any)
}{
	{"trace", func(day []Entry) (int, any) {
		tr := new(Trace)
		for _, e := range day {
			tr.Record(e)
		}
		return tr.Len(), tr
	}},
	{"entry-chunks", func(day []Entry) (int, any) {
		var chunks [][]Entry
		for _, e := range day {
			last := len(chunks) - 1
			if last < 0 || len(chunks[last]) == chunkSize {
				chunks = append(chunks, make([]Entry, 0, chunkSize))
				last++
			}
			chunks[last] = append(chunks[last], e)
		}
		return (len(chunks)-1)*chunkSize + len(chunks[len(chunks)-1]), chunks
	}},
	{"slice", func(day []Entry) (int, any) {
		s := make([]Entry, 0, len(day))
		for _, e := range day {
			s = append(s, e)
		}
		return len(s), s
	}},
}

// BenchmarkRecord records a day of entries each of the ways above, one
// sub-benchmark each, and in "interleaved" all three in turn within every
// iteration, so that its ratios (trace/entry-chunks, trace/slice) hold on
// a machine whose speed drifts. There each is timed from a collected heap
// to one collection with what it stored still live: a stored day is
// scanned at every collection of a world that keeps it, and garbage one
// leaves is not charged to the next.
func BenchmarkRecord(b *testing.B) {
	day := dayEntries(180_000)
	for _, r := range recorders {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if n, _ := r.record(day); n != len(day) {
					b.Fatalf("stored %d of %d", n, len(day))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(day)), "ns/entry")
		})
	}
	b.Run("interleaved", func(b *testing.B) {
		spent := make([]time.Duration, len(recorders))
		for i := 0; b.Loop(); i++ {
			for j := range recorders {
				k := (i + j) % len(recorders) // each goes first in turn
				runtime.GC()
				start := time.Now()
				n, stored := recorders[k].record(day)
				runtime.GC()
				spent[k] += time.Since(start)
				runtime.KeepAlive(stored)
				if n != len(day) {
					b.Fatalf("%s stored %d of %d", recorders[k].name, n, len(day))
				}
			}
		}
		for k, r := range recorders {
			b.ReportMetric(float64(spent[k].Nanoseconds())/float64(b.N*len(day)), r.name+"-ns/entry")
		}
		b.ReportMetric(float64(spent[0])/float64(spent[1]), "trace/entry-chunks")
		b.ReportMetric(float64(spent[0])/float64(spent[2]), "trace/slice")
	})
}
