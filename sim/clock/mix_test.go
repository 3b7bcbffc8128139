package clock

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// queue is what the mix drives: the calendar (Clock) and the heap baseline.
type queue interface {
	Schedule(at Time, h Handler, ev Event) Timer
	Cancel(t Timer) bool
	Step(limit Time) bool
	Now() Time
}

// delayBands is a working day's spread of how far ahead events are
// scheduled, measured on the 1,000-user workday: a share in per mille and
// the band the delay is drawn from uniformly.
var delayBands = []struct {
	permille int
	lo, hi   time.Duration
}{
	{150, 0, 0}, // due at once
	{10, time.Second, 30 * time.Second},
	{100, 30 * time.Second, time.Minute},
	{120, time.Minute, 2 * time.Minute},
	{350, 2 * time.Minute, 4*time.Minute + 30*time.Second},
	{70, 4*time.Minute + 30*time.Second, 9 * time.Minute},
	{45, 9 * time.Minute, 18 * time.Minute},
	{30, 18 * time.Minute, 36 * time.Minute},
	{70, 36 * time.Minute, 73 * time.Minute},
	{25, 73 * time.Minute, 146 * time.Minute},
	{5, 146 * time.Minute, 5 * time.Hour},
	{8, 5 * time.Hour, 10 * time.Hour},
	{14, 10 * time.Hour, 20 * time.Hour},
	{3, 20 * time.Hour, 40 * time.Hour},
}

// mix replays the day's pattern: every fired event schedules a follow-up,
// and one in twenty also reschedules an earlier timer (an inactivity
// timer pushed back by input). The delays are drawn once, so both queues
// see the same script.
type mix struct {
	q       queue
	delays  []time.Duration
	picks   []uint32
	timers  [4096]Timer
	i, fire int
}

func newMix(q queue, seed uint64) *mix {
	rnd := rand.New(rand.NewPCG(seed, 1))
	m := &mix{q: q}
	for range 1 << 16 {
		m.delays = append(m.delays, drawDelay(rnd))
		m.picks = append(m.picks, rnd.Uint32())
	}
	for range 12_000 {
		m.schedule()
	}
	return m
}

func drawDelay(rnd *rand.Rand) time.Duration {
	p := rnd.IntN(1000)
	for _, b := range delayBands {
		if p < b.permille {
			if b.hi == b.lo {
				return b.lo
			}
			return b.lo + time.Duration(rnd.Int64N(int64(b.hi-b.lo)))
		}
		p -= b.permille
	}
	return time.Hour
}

func (m *mix) schedule() {
	j := m.i & (len(m.delays) - 1)
	m.i++
	t := m.q.Schedule(m.q.Now().Add(m.delays[j]), m, Event{A: int32(j)})
	m.timers[m.picks[j]%uint32(len(m.timers))] = t
}

func (m *mix) Fire(_ Time, ev Event) {
	m.fire++
	m.schedule()
	if m.picks[ev.A]%20 == 0 {
		k := m.picks[ev.A] >> 12 % uint32(len(m.timers))
		if m.q.Cancel(m.timers[k]) {
			m.schedule()
		}
	}
}

// run fires n events.
func (m *mix) run(n int) {
	for range n {
		if !m.q.Step(Time(1 << 62)) {
			panic("the mix ran dry")
		}
	}
}

// BenchmarkQueueMix runs the working day's schedule/cancel/fire mix on the
// calendar and on the 4-ary heap it replaced, in alternating chunks of a
// thousand events in one run, and reports each one's median cost per
// fired event and the heap's over the calendar's: on a machine others
// load, a chunk that lost the processor moves the median little.
func BenchmarkQueueMix(b *testing.B) {
	cal, old := newMix(New(), 7), newMix(newHeapClock(), 7)
	const chunk = 1000
	tCal, tOld := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s := time.Now()
		cal.run(chunk)
		m := time.Now()
		old.run(chunk)
		tOld = append(tOld, time.Since(m))
		tCal = append(tCal, m.Sub(s))
	}
	b.StopTimer()
	if cal.fire != old.fire {
		b.Fatalf("the calendar fired %d events, the heap %d: the scripts diverged", cal.fire, old.fire)
	}
	mc, mo := median(tCal), median(tOld)
	b.ReportMetric(float64(mc.Nanoseconds())/chunk, "calendar-ns/event")
	b.ReportMetric(float64(mo.Nanoseconds())/chunk, "heap-ns/event")
	b.ReportMetric(float64(mo)/float64(mc), "speedup")
	b.ReportMetric(0, "ns/op") // an op is a chunk on each queue; the per-event figures say more
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}
