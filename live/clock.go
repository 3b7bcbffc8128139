package live

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
)

// Clock is how a live world's virtual time follows wall time. Its zero
// value follows the wall at real speed.
type Clock struct {
	// Manual stops following the wall: virtual time moves only through
	// World.Advance and World.MoveTo.
	Manual bool
	// Scale is how many virtual seconds pass per wall second while
	// following (0 means 1).
	Scale float64
	// Now reads the wall clock; time.Now when nil. Tests set it.
	Now func() time.Time
}

// Mode names the clock for people: "wall", "wall ×60" or "manual".
func (c Clock) Mode() string {
	switch {
	case c.Manual:
		return "manual"
	case c.Scale == 0 || c.Scale == 1:
		return "wall"
	}
	return fmt.Sprintf("wall ×%g", c.Scale)
}

func (c Clock) check() error {
	if c.Scale < 0 || math.IsNaN(c.Scale) || math.IsInf(c.Scale, 0) {
		return fmt.Errorf("clock scale %g: write a positive number of virtual seconds per wall second", c.Scale)
	}
	return nil
}

func (c Clock) scale() float64 {
	if c.Scale == 0 {
		return 1
	}
	return c.Scale
}

func (c Clock) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// MaxJump is the furthest one move of the clock may go: a year of virtual
// time fires every timer on the way, and more is never a test's intent.
const MaxJump = 366 * 24 * time.Hour

// follower maps wall time to virtual time: virtual = orig + scale ×
// (wall − wall0) + shift. Guarded by the world's lock.
type follower struct {
	c     Clock
	wall0 time.Time
	orig  clock.Time
	shift time.Duration
}

// target is the virtual time the wall says it is now.
func (f *follower) target() clock.Time {
	if f.c.Manual {
		return f.orig.Add(f.shift)
	}
	el := f.c.now().Sub(f.wall0)
	if el < 0 {
		el = 0 // the wall stepped back; virtual time never does
	}
	return f.orig.Add(time.Duration(float64(el)*f.c.scale()) + f.shift)
}

var errBackwards = errors.New("the clock cannot go back")
