package clock

import (
	"errors"
	"testing"
	"time"
)

type recorder struct{ got []string }

func (r *recorder) Fire(now Time, ev Event) { r.got = append(r.got, now.String()+" "+ev.Label) }

func TestQueueOrder(t *testing.T) {
	tests := []struct {
		name     string
		schedule []struct {
			at    Time
			label string
		}
		cancel []int
		until  Time
		want   []string
	}{
		{
			name: "by time",
			schedule: []struct {
				at    Time
				label string
			}{{At(1, 10, 0), "b"}, {At(1, 9, 0), "a"}, {At(1, 11, 0), "c"}},
			until: At(1, 12, 0),
			want:  []string{"09:00 a", "10:00 b", "11:00 c"},
		},
		{
			name: "equal times keep scheduling order",
			schedule: []struct {
				at    Time
				label string
			}{{At(1, 9, 0), "first"}, {At(1, 9, 0), "second"}, {At(1, 9, 0), "third"}},
			until: At(1, 9, 0),
			want:  []string{"09:00 first", "09:00 second", "09:00 third"},
		},
		{
			name: "cancelled timers do not fire",
			schedule: []struct {
				at    Time
				label string
			}{{At(1, 9, 0), "a"}, {At(1, 9, 30), "b"}, {At(1, 10, 0), "c"}},
			cancel: []int{1},
			until:  At(1, 12, 0),
			want:   []string{"09:00 a", "10:00 c"},
		},
		{
			name: "events after the limit wait",
			schedule: []struct {
				at    Time
				label string
			}{{At(1, 9, 0), "a"}, {At(2, 9, 0), "b"}},
			until: At(1, 23, 59),
			want:  []string{"09:00 a"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, r := New(), &recorder{}
			var timers []Timer
			for _, s := range tc.schedule {
				timers = append(timers, c.Schedule(s.at, r, Event{Label: s.label}))
			}
			for _, i := range tc.cancel {
				if !c.Cancel(timers[i]) {
					t.Fatalf("cancel of pending timer %d reported false", i)
				}
			}
			if err := c.RunUntil(tc.until); err != nil {
				t.Fatal(err)
			}
			if len(r.got) != len(tc.want) {
				t.Fatalf("fired %v, want %v", r.got, tc.want)
			}
			for i := range tc.want {
				if r.got[i] != tc.want[i] {
					t.Fatalf("fired %v, want %v", r.got, tc.want)
				}
			}
			if c.Now() != tc.until {
				t.Fatalf("clock at %s, want %s", c.Now(), tc.until)
			}
		})
	}
}

// chain schedules a follow-up from inside Fire; it must fire in the same run.
type chain struct {
	c   *Clock
	got []Time
}

func (h *chain) Fire(now Time, ev Event) {
	h.got = append(h.got, now)
	if ev.A > 0 {
		h.c.After(time.Minute, h, Event{A: ev.A - 1})
	}
}

func TestEventsScheduledWhileFiring(t *testing.T) {
	c := New()
	h := &chain{c: c}
	c.Schedule(At(1, 9, 0), h, Event{A: 3})
	if err := c.RunUntil(At(1, 9, 2)); err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 3 || h.got[2] != At(1, 9, 2) {
		t.Fatalf("fired at %v, want 09:00, 09:01, 09:02", h.got)
	}
	if c.Len() != 1 {
		t.Fatalf("pending %d, want the 09:03 follow-up", c.Len())
	}
}

func TestCancelAndPending(t *testing.T) {
	c, r := New(), &recorder{}
	a := c.Schedule(At(1, 10, 0), r, Event{Label: "a"})
	b := c.Schedule(At(1, 9, 0), r, Event{Label: "b"})
	if p := c.Pending(); len(p) != 2 || p[0].Label != "b" || p[1].Label != "a" {
		t.Fatalf("pending %v, want b then a", p)
	}
	if at, ok := c.When(a); !ok || at != At(1, 10, 0) {
		t.Fatalf("When(a) = %s, %v", at, ok)
	}
	if !c.Cancel(a) || c.Cancel(a) {
		t.Fatal("a timer cancels once")
	}
	_ = c.RunUntil(At(1, 9, 0))
	if c.Cancel(b) {
		t.Fatal("a fired timer cannot be cancelled")
	}
	// a slot reused by a new timer must not be cancellable through the old handle
	n := c.Schedule(At(1, 11, 0), r, Event{Label: "n"})
	if c.Cancel(b) || c.Cancel(a) {
		t.Fatal("stale handle cancelled a reused slot")
	}
	if !c.Cancel(n) {
		t.Fatal("new timer not cancellable")
	}
	if c.Cancel(Timer{}) {
		t.Fatal("zero timer cancelled")
	}
}

func TestTimeNeverMovesBackwards(t *testing.T) {
	c := New()
	if err := c.RunUntil(At(1, 10, 0)); err != nil {
		t.Fatal(err)
	}
	if err := c.RunUntil(At(1, 9, 0)); !errors.Is(err, ErrBackwards) {
		t.Fatalf("RunUntil backwards: %v, want ErrBackwards", err)
	}
	if err := c.Advance(-time.Second); !errors.Is(err, ErrBackwards) {
		t.Fatalf("Advance negative: %v, want ErrBackwards", err)
	}
	// scheduling in the past fires at now, not before it
	r := &recorder{}
	c.Schedule(At(1, 8, 0), r, Event{Label: "late"})
	_ = c.RunUntil(c.Now())
	if len(r.got) != 1 || r.got[0] != "10:00 late" {
		t.Fatalf("past event fired as %v", r.got)
	}
}

func TestTimeString(t *testing.T) {
	tests := []struct {
		t    Time
		want string
	}{
		{0, "00:00"},
		{At(1, 9, 5), "09:05"},
		{At(2, 9, 5), "day 2 09:05"},
		{At(1, 9, 5).Add(30 * time.Second), "09:05:30"},
		{At(1, 9, 5).Add(1500 * time.Millisecond), "09:05:01.5"},
	}
	for _, tc := range tests {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("%d: got %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestStreamsAreIndependentAndReproducible(t *testing.T) {
	a1, a2 := Seed(7).Stream("a"), Seed(7).Stream("a")
	b := Seed(7).Stream("b")
	same, differ := true, false
	for i := 0; i < 100; i++ {
		x, y, z := a1.Uint64(), a2.Uint64(), b.Uint64()
		same = same && x == y
		differ = differ || x != z
	}
	if !same || !differ {
		t.Fatalf("same name same seed must repeat (%v); other names must differ (%v)", same, differ)
	}
}

func BenchmarkScheduleFire(b *testing.B) {
	c, h := New(), &recorder{}
	h.got = make([]string, 0)
	nop := nopHandler{}
	for i := 0; i < 1000; i++ {
		c.After(time.Duration(i)*time.Second, nop, Event{})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.After(time.Duration(i%1000)*time.Second, nop, Event{})
		c.Step(c.Now().Add(time.Hour))
	}
	_ = h
}

type nopHandler struct{}

func (nopHandler) Fire(Time, Event) {}
