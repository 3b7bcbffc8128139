package sim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
)

// workday drives a population through an office day: sign-in on desktop and
// mobile in the morning, input every few minutes with idle stretches, a
// locked lunch break, calls with colleagues, calendar meetings and focus
// time, automatic replies for a few, sign-out in the evening. Every draw
// comes from the world's "workday" stream.
type workday struct {
	w      *World
	rnd    *rand.Rand
	users  []teams.UserID
	calls  map[teams.UserID]ongoing
	inputs uint64 // workload actions, as opposed to the model's own timers
}

type ongoing struct {
	call teams.CallID
	peer teams.UserID
}

const (
	opArrive int32 = iota
	opInput
	opLunch
	opBack
	opCall
	opHangUp
	opLeave
)

func newWorkday(tb testing.TB, seed uint64, n int) *workday {
	w := MustNew(seed)
	d := &workday{w: w, rnd: w.Stream("workday"), calls: map[teams.UserID]ongoing{}}
	for i := 0; i < n; i++ {
		id, err := w.Teams.AddUser(teams.Directory{Name: "u" + itoa(i), Org: DefaultOrg})
		if err != nil {
			tb.Fatal(err)
		}
		d.users = append(d.users, id)
		arrive := clock.At(1, 7, 30).Add(time.Duration(d.rnd.Int64N(int64(2 * time.Hour))))
		w.Clock.Schedule(arrive, d, clock.Event{Op: opArrive, A: int32(id)})
		for m := 0; m < 3; m++ {
			start := clock.At(1, 9, 0).Add(time.Duration(d.rnd.Int64N(int64(7 * time.Hour))))
			show := teams.ShowBusy
			if d.rnd.IntN(5) == 0 {
				show = teams.ShowFocus
			}
			if _, err := w.Teams.AddAppointment(id, "meeting", start, start.Add(30*time.Minute), show); err != nil {
				tb.Fatal(err)
			}
		}
		if d.rnd.IntN(20) == 0 {
			_ = w.Teams.SetAutoReplies(id, true)
		}
	}
	return d
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for ; i > 0; i /= 10 {
		n--
		b[n] = byte('0' + i%10)
	}
	return string(b[n:])
}

func (d *workday) at(after time.Duration, op int32, u teams.UserID) {
	d.w.Clock.After(after, d, clock.Event{Op: op, A: int32(u)})
}

func (d *workday) minutes(lo, hi int) time.Duration {
	return time.Duration(lo+d.rnd.IntN(hi-lo+1)) * time.Minute
}

func (d *workday) Fire(now clock.Time, ev clock.Event) {
	m, u := d.w.Teams, teams.UserID(ev.A)
	d.inputs++
	switch ev.Op {
	case opArrive:
		_ = m.SignIn(u, teams.Desktop)
		_ = m.SignIn(u, teams.Mobile)
		_ = m.Background(u)
		d.at(d.minutes(1, 4), opInput, u)
		d.at(clock.At(1, 12, 0).Sub(now)+d.minutes(0, 60), opLunch, u)
		d.at(clock.At(1, 16, 30).Sub(now)+d.minutes(0, 90), opLeave, u)
		d.at(d.minutes(10, 90), opCall, u)
	case opInput:
		if live, st := m.ClientSession(u, teams.Desktop); !live || st == teams.Locked {
			return
		}
		_ = m.Use(u, teams.Desktop)
		gap := d.minutes(1, 4)
		if d.rnd.IntN(8) == 0 {
			gap = d.minutes(6, 25) // an idle stretch: the idle timer fires
		}
		d.at(gap, opInput, u)
	case opLunch:
		_ = m.Lock(u, teams.Desktop)
		d.at(d.minutes(30, 60), opBack, u)
	case opBack:
		_ = m.Unlock(u, teams.Desktop)
		d.at(d.minutes(1, 3), opInput, u)
	case opCall:
		if _, busy := d.calls[u]; !busy {
			peer := d.users[d.rnd.IntN(len(d.users))]
			if _, peerBusy := d.calls[peer]; peer != u && !peerBusy {
				if c, err := m.StartCall(u, peer); err == nil {
					d.calls[u], d.calls[peer] = ongoing{c, peer}, ongoing{c, u}
					d.at(d.minutes(2, 20), opHangUp, u)
				}
			}
		}
		d.at(d.minutes(30, 120), opCall, u)
	case opHangUp:
		if c, ok := d.calls[u]; ok {
			_ = m.EndCall(c.call)
			delete(d.calls, u)
			delete(d.calls, c.peer)
		}
	case opLeave:
		for _, k := range teams.ClientKinds() {
			_ = m.SignOut(u, k)
		}
	}
}

func TestWorkdayIsDeterministic(t *testing.T) {
	run := func(seed uint64) string {
		d := newWorkday(t, seed, 50)
		if err := d.w.Clock.RunUntil(clock.At(2, 0, 0)); err != nil {
			t.Fatal(err)
		}
		return d.w.Trace.Text()
	}
	a, b, c := run(3), run(3), run(4)
	if a != b {
		t.Fatal("the same seed gave two different traces")
	}
	if a == c {
		t.Fatal("different seeds gave the same trace")
	}
	if len(a) < 10000 {
		t.Fatalf("a working day of 50 users recorded only %d bytes of trace", len(a))
	}
}

// BenchmarkWorkday simulates a working day of 1,000 users with trace
// recording on and reports events per second of wall time.
func BenchmarkWorkday(b *testing.B) {
	var events, changes, inputs uint64
	b.ReportAllocs()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := newWorkday(b, uint64(i+1), 1000)
		before := d.w.Clock.Fired()
		b.StartTimer()
		start := time.Now()
		if err := d.w.Clock.RunUntil(clock.At(2, 0, 0)); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		events += d.w.Clock.Fired() - before
		changes += uint64(d.w.Trace.Len())
		inputs += d.inputs
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/day")
	b.ReportMetric(float64(inputs)/elapsed.Seconds(), "inputs/s")
	b.ReportMetric(float64(changes)/float64(b.N), "trace-entries/day")
}
