package workload

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
)

func newDay(tb testing.TB, seed uint64, n int, opt Options) (*sim.World, *Day) {
	tb.Helper()
	w := sim.MustNew(seed)
	users := make([]teams.UserID, n)
	for i := range users {
		id, err := w.AddUser("u"+strconv.Itoa(i), sim.DefaultOrg)
		if err != nil {
			tb.Fatal(err)
		}
		users[i] = id
	}
	d, err := Schedule(w, users, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return w, d
}

// The same seed gives the same day, another seed another; a day of fifty
// people with phones has desk-phone calls, short ones among them.
func TestDayIsDeterministic(t *testing.T) {
	run := func(seed uint64) string {
		w, _ := newDay(t, seed, 50, Options{Phones: true})
		if err := w.Clock.RunUntil(clock.At(2, 0, 0)); err != nil {
			t.Fatal(err)
		}
		return w.Trace.Text()
	}
	a, b, c := run(3), run(3), run(4)
	if a != b {
		t.Fatal("the same seed gave two different traces")
	}
	if a == c {
		t.Fatal("different seeds gave the same trace")
	}
	if len(a) < 10000 {
		t.Fatalf("a working day of 50 people recorded only %d bytes of trace", len(a))
	}
	if n := strings.Count(a, "pbx:desk phone"); n < 50*8 {
		t.Errorf("%d desk-phone trace entries in a day of 50 people calling about hourly", n)
	}
}

func TestPhoneCallsHaveTheirLengths(t *testing.T) {
	w, d := newDay(t, 5, 1, Options{Phones: true, ShortCalls: 0.5})
	short, long := 0, 0
	for range 2000 {
		l := d.phoneLength()
		switch {
		case l >= 2*time.Second && l <= 30*time.Second:
			short++
		case l >= time.Minute && l <= 20*time.Minute:
			long++
		default:
			t.Fatalf("a call of %s: neither short (2–30 s) nor long (1–20 min)", l)
		}
	}
	if short < 800 || long < 800 {
		t.Errorf("%d short and %d long calls of 2000 with half short", short, long)
	}
	_ = w
	if _, err := Schedule(w, nil, Options{ShortCalls: 2}); err == nil {
		t.Error("a share of short calls above 1 is accepted")
	}
}
