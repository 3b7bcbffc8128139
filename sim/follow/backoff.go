package follow

import (
	"errors"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
)

// Backoff is a caller's discipline after Graph refuses a request as
// transient (C-5): nothing is sent before Retry-After has passed, and
// without one (a 5xx) the wait doubles from Base up to Max with every failure in a
// row. One Backoff serves all requests of an app: Graph throttles the app,
// not one user.
type Backoff struct {
	Base, Max time.Duration

	notBefore clock.Time
	fails     int
}

// Ready reports whether a request may be sent now.
func (b *Backoff) Ready(now clock.Time) bool { return now >= b.notBefore }

// NotBefore is the earliest time of the next request.
func (b *Backoff) NotBefore() clock.Time { return b.notBefore }

// Done records a request's outcome at now and reports whether it failed
// transiently, so the caller should try again at NotBefore. A success or a
// permanent error (4xx but 429) ends the back-off.
func (b *Backoff) Done(now clock.Time, err error) (retry bool) {
	ge := transient(err)
	if ge == nil {
		b.fails = 0
		return false
	}
	wait := ge.RetryAfter
	if wait <= 0 {
		wait = b.Base << min(b.fails, 30)
		if wait > b.Max || wait <= 0 {
			wait = b.Max
		}
	}
	b.fails++
	if t := now.Add(wait); t > b.notBefore {
		b.notBefore = t
	}
	return true
}

// transient returns err as a transient Graph error, or nil; it allocates
// nothing for a success, the common case.
func transient(err error) *graph.Error {
	if err == nil {
		return nil
	}
	var ge *graph.Error
	if !errors.As(err, &ge) || !ge.Transient() {
		return nil
	}
	return ge
}
