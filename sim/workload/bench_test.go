package workload

import (
	"syscall"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/graph"
)

// seamKind is what CloudLink writes through in a benchmarked day.
type seamKind int

const (
	noPhones seamKind = iota // the Teams day alone: no PBX, no CloudLink
	layered                  // the world's seam, through the fault layer with faults off
	direct                   // a bare graph.Direct, no layer
)

// withCloudLink attaches CloudLink to the world over the given seam; the
// Direct seams are made once per app, as the world makes its own.
func withCloudLink(w *sim.World, k seamKind) *cloudlink.Model {
	switch k {
	case layered:
		return cloudlink.Of(w)
	case direct:
		seams := map[string]graph.Seam{}
		return sim.Attach(w, func(w *sim.World) *cloudlink.Model {
			return cloudlink.NewOn(w, func(app string) graph.Seam {
				if s, ok := seams[app]; ok {
					return s
				}
				s := graph.NewDirect(w.Teams, app)
				seams[app] = s
				return s
			})
		})
	}
	return nil
}

// workday is a seeded working day of n people, with desk phones and
// CloudLink on the given seam unless k is noPhones, scheduled and not yet
// run.
func workday(tb testing.TB, seed uint64, n int, k seamKind) (*sim.World, *Day, *cloudlink.Model) {
	tb.Helper()
	w, d := newDay(tb, seed, n, Options{Phones: k != noPhones})
	return w, d, withCloudLink(w, k)
}

// cpuTime is the process's user and system time so far: on a machine
// others load, events per CPU second say more than per wall second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWorkday simulates a working day of 1,000 people with trace
// recording on and reports events per second of wall and of CPU time. "seam" is the
// day with desk phones whose calls CloudLink writes into Teams through the
// world's seam and its fault layer (faults off); "direct" is the same day
// over a bare graph.Direct, so the two in one run give the layer's cost;
// "teams" is the day without phones.
func BenchmarkWorkday(b *testing.B) {
	for _, c := range []struct {
		name string
		k    seamKind
	}{{"seam", layered}, {"direct", direct}, {"teams", noPhones}} {
		b.Run(c.name, func(b *testing.B) { benchDay(b, c.k) })
	}
}

func benchDay(b *testing.B, k seamKind) {
	var events, changes, inputs, writes uint64
	b.ReportAllocs()
	var elapsed, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w, d, cl := workday(b, uint64(i+1), 1000, k)
		before := w.Clock.Fired()
		b.StartTimer()
		start, startCPU := time.Now(), cpuTime()
		if err := w.Clock.RunUntil(clock.At(2, 0, 0)); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - startCPU
		events += w.Clock.Fired() - before
		changes += uint64(w.Trace.Len())
		inputs += d.Inputs()
		if cl != nil {
			if errs := cl.Errors(); len(errs) > 0 {
				b.Fatalf("CloudLink's writes were refused: %v", errs[0])
			}
			writes += cl.Writes() + cl.Clears()
		}
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/day")
	b.ReportMetric(float64(inputs)/elapsed.Seconds(), "inputs/s")
	b.ReportMetric(float64(changes)/float64(b.N), "trace-entries/day")
	b.ReportMetric(float64(writes)/float64(b.N), "graph-writes/day")
}
