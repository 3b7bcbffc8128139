package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

// World is a simulated world shared by goroutines. Do is the only way in.
type World struct {
	mu      sync.Mutex
	w       *sim.World
	f       follower
	changed chan struct{} // closed and replaced when the world changes and someone waits
	waiters int           // Awaits between two looks at the world
	id      string
}

// New takes ownership of w: from here on it is reached only through Do.
// Its virtual time now stands for the wall's now.
func New(w *sim.World, c Clock) (*World, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("drawing the world's instance id: %w", err)
	}
	l := &World{w: w, changed: make(chan struct{}), id: hex.EncodeToString(b[:])}
	l.f = follower{c: c, wall0: c.now(), orig: w.Clock.Now()}
	return l, nil
}

// Instance is a random id of this world, fresh for every World: tokens and
// handles issued for one world are refused by the next after a reset.
func (l *World) Instance() string { return l.id }

// Clock is the clock seam the world was made with.
func (l *World) Clock() Clock { return l.f.c }

// Do brings the world up to the clock seam's time, runs fn with the world
// held, fires whatever fell due meanwhile, and wakes every Await. fn must
// not keep the *sim.World beyond the call, nor call Do.
func (l *World) Do(fn func(*sim.World) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sync()
	var err error
	if fn != nil {
		err = fn(l.w)
	}
	if e := l.w.Clock.RunUntil(l.w.Clock.Now()); err == nil {
		err = e
	}
	l.wake()
	return err
}

// wake tells every Await to look again; with none waiting it costs
// nothing, which keeps the many reads of a served world cheap.
func (l *World) wake() {
	if l.waiters > 0 {
		close(l.changed)
		l.changed = make(chan struct{})
		l.waiters = 0
	}
}

// sync runs the world's timers up to the clock seam's time.
func (l *World) sync() {
	if t := l.f.target(); t > l.w.Clock.Now() {
		_ = l.w.Clock.RunUntil(t)
	}
}

// Now is the world's virtual time, brought up to the clock seam's time.
func (l *World) Now() clock.Time {
	var t clock.Time
	_ = l.Do(func(w *sim.World) error { t = w.Clock.Now(); return nil })
	return t
}

// Advance moves virtual time ahead by d, firing due timers; a world that
// follows the wall keeps following from there.
func (l *World) Advance(d time.Duration) error {
	if d < 0 {
		return errBackwards
	}
	return l.Do(func(w *sim.World) error { return l.moveTo(w, w.Clock.Now().Add(d)) })
}

// MoveTo moves virtual time ahead to t (never back).
func (l *World) MoveTo(t clock.Time) error {
	return l.Do(func(w *sim.World) error { return l.moveTo(w, t) })
}

func (l *World) moveTo(w *sim.World, t clock.Time) error {
	now := w.Clock.Now()
	if t < now {
		return fmt.Errorf("%w: it is %s already, not %s", errBackwards, now, t)
	}
	if t.Sub(now) > MaxJump {
		return fmt.Errorf("the clock moves at most %s at a time; %s to %s is %s", MaxJump, now, t, t.Sub(now))
	}
	if err := w.Clock.RunUntil(t); err != nil {
		return err
	}
	l.f.shift += t.Sub(now)
	return nil
}

// Await runs cond in Do until it holds, waking at every change of the
// world; it gives up with ctx's error. A world that follows the wall
// changes as its timers fire only if something calls Do: run Follow.
func (l *World) Await(ctx context.Context, cond func(*sim.World) bool) error {
	for {
		var ok bool
		var ch chan struct{}
		l.mu.Lock()
		l.sync()
		_ = l.w.Clock.RunUntil(l.w.Clock.Now())
		ok, ch = cond(l.w), l.changed
		if !ok {
			l.waiters++
		}
		l.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Follow moves the world with the wall every interval, firing its timers
// and waking every Await, until ctx ends; a manual clock has nothing to follow and returns at once.
func (l *World) Follow(ctx context.Context, every time.Duration) {
	if l.f.c.Manual {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.mu.Lock()
			before := l.w.Clock.Now()
			l.sync()
			if l.w.Clock.Now() != before {
				l.wake()
			}
			l.mu.Unlock()
		}
	}
}
