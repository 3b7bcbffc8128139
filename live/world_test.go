package live

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

// fakeWall is a wall clock a test moves by hand.
type fakeWall struct{ t atomic.Int64 }

func (f *fakeWall) now() time.Time       { return time.Unix(0, f.t.Load()) }
func (f *fakeWall) pass(d time.Duration) { f.t.Add(int64(d)) }
func newWall() *fakeWall {
	f := &fakeWall{}
	f.t.Store(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	return f
}
func start(t *testing.T, c Clock) *World {
	t.Helper()
	w := sim.MustNew(1)
	if err := w.Clock.RunUntil(clock.At(1, 9, 0)); err != nil {
		t.Fatal(err)
	}
	l, err := New(w, c)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestClockFollowsTheWall(t *testing.T) {
	nine := clock.At(1, 9, 0)
	cases := []struct {
		name  string
		clock func(*fakeWall) Clock
		pass  time.Duration
		want  clock.Time
	}{
		{"wall at 1x", func(f *fakeWall) Clock { return Clock{Now: f.now} }, 90 * time.Second, nine.Add(90 * time.Second)},
		{"wall at 60x", func(f *fakeWall) Clock { return Clock{Now: f.now, Scale: 60} }, 90 * time.Second, nine.Add(90 * time.Minute)},
		{"wall at 0.5x", func(f *fakeWall) Clock { return Clock{Now: f.now, Scale: 0.5} }, 90 * time.Second, nine.Add(45 * time.Second)},
		{"manual", func(f *fakeWall) Clock { return Clock{Now: f.now, Manual: true} }, time.Hour, nine},
		{"wall steps back", func(f *fakeWall) Clock { return Clock{Now: f.now} }, -time.Hour, nine},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newWall()
			l := start(t, c.clock(f))
			f.pass(c.pass)
			if got := l.Now(); got != c.want {
				t.Errorf("after %s of wall time the world says %s; want %s", c.pass, got, c.want)
			}
		})
	}
}

func TestAdvanceShiftsAFollowingClock(t *testing.T) {
	f := newWall()
	l := start(t, Clock{Now: f.now})
	if err := l.Advance(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	f.pass(time.Minute)
	if got, want := l.Now(), clock.At(1, 9, 11); got != want {
		t.Errorf("advanced 10m, then 1m of wall: %s; want %s", got, want)
	}
}

func TestMovesTheClockRefuses(t *testing.T) {
	l := start(t, Clock{Manual: true})
	cases := []struct {
		name string
		move func() error
	}{
		{"back", func() error { return l.MoveTo(clock.At(1, 8, 0)) }},
		{"negative advance", func() error { return l.Advance(-time.Second) }},
		{"beyond a year", func() error { return l.MoveTo(clock.At(99_999, 0, 0)) }},
		{"beyond a year by advance", func() error { return l.Advance(MaxJump + time.Millisecond) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.move(); err == nil {
				t.Fatalf("moving the clock %s was accepted", c.name)
			}
			if got := l.Now(); got != clock.At(1, 9, 0) {
				t.Errorf("a refused move changed the clock to %s", got)
			}
		})
	}
	if !errors.Is(l.MoveTo(clock.At(1, 8, 0)), errBackwards) {
		t.Error("moving back is not reported as going back")
	}
}

func TestScaleIsChecked(t *testing.T) {
	for _, s := range []float64{-1} {
		if _, err := New(sim.MustNew(1), Clock{Scale: s}); err == nil {
			t.Errorf("scale %g accepted", s)
		}
	}
}

func TestInstancesDiffer(t *testing.T) {
	a, b := start(t, Clock{Manual: true}), start(t, Clock{Manual: true})
	if a.Instance() == b.Instance() || len(a.Instance()) != 24 {
		t.Errorf("instance ids %q and %q", a.Instance(), b.Instance())
	}
}

// Await wakes on a change made by another goroutine, with no polling
// interval to guess.
func TestAwaitWakesOnChange(t *testing.T) {
	l := start(t, Clock{Manual: true})
	var alice int
	_ = l.Do(func(w *sim.World) error {
		id, err := w.AddUser("alice", "")
		alice = int(id)
		return err
	})
	_ = alice
	done := make(chan error, 1)
	go func() {
		done <- l.Await(context.Background(), func(w *sim.World) bool { return w.Clock.Now() >= clock.At(1, 10, 0) })
	}()
	if err := l.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Await(ctx, func(*sim.World) bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("Await on a cancelled context: %v", err)
	}
}

// Many goroutines moving and reading the world: the race detector judges,
// and no move is lost.
func TestConcurrentDo(t *testing.T) {
	l := start(t, Clock{Manual: true})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				_ = l.Advance(time.Second)
				_ = l.Now()
			}
		}()
	}
	wg.Wait()
	if got, want := l.Now(), clock.At(1, 9, 0).Add(800*time.Second); got != want {
		t.Errorf("800 one-second moves: %s; want %s", got, want)
	}
}

func TestFollowWakesAwait(t *testing.T) {
	f := newWall()
	l := start(t, Clock{Now: f.now})
	checked := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- l.Await(context.Background(), func(w *sim.World) bool {
			select {
			case checked <- struct{}{}:
			default:
			}
			return w.Clock.Now() >= clock.At(1, 9, 5)
		})
	}()
	<-checked // Await has looked once and now sleeps until a change
	f.pass(5 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.Follow(ctx, time.Millisecond)
	if err := <-done; err != nil {
		t.Fatalf("the follower did not wake the waiter at 09:05: %v", err)
	}
}

func TestClockModes(t *testing.T) {
	cases := map[string]Clock{"manual": {Manual: true}, "wall ×60": {Scale: 60}, "wall": {}}
	for want, c := range cases {
		if got := c.Mode(); got != want {
			t.Errorf("%+v is named %q; want %q", c, got, want)
		}
	}
}
