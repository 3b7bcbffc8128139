package connector

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Pacer drives an in-process reference connector pass by pass on the
// world's clock instead of a ticker and the wall clock, so that a run is
// bounded by steps and gives the same figures each time: the harness moves
// the world's clock, waits until the connector has taken the PBX's events
// (Taken), and asks for a pass (Pass); the connector's timers (refresh,
// Retry-After) count the world's time (Now).
type Pacer struct {
	// Now is the world's time.
	Now func() time.Time

	passes chan chan struct{}

	mu      sync.Mutex
	taken   uint64        // the last PBX event the connector has taken in
	changed chan struct{} // closed when taken grows
}

// NewPacer makes a pacer on the world's time.
func NewPacer(now func() time.Time) *Pacer {
	return &Pacer{Now: now, passes: make(chan chan struct{}), changed: make(chan struct{})}
}

// errNotYet is a request a paced connector holds back until the world's
// clock reaches the time the last answer asked it to wait for.
var errNotYet = errors.New("waiting for Retry-After on the world's clock")

// take records that the connector has taken in the PBX's events up to id.
func (p *Pacer) take(id uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if id > p.taken {
		p.taken = id
		close(p.changed)
		p.changed = make(chan struct{})
	}
}

// Taken waits until the connector has taken in the PBX's events up to id,
// or ctx ends.
func (p *Pacer) Taken(ctx context.Context, id uint64) error {
	for {
		p.mu.Lock()
		taken, changed := p.taken, p.changed
		p.mu.Unlock()
		if taken >= id {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Pass makes the connector compare what it wants with what it wrote and
// write the difference, and returns when it has, or when ctx ends.
func (p *Pacer) Pass(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case p.passes <- done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// paced runs a pass each time the pacer asks, until ctx ends.
func (p *Pacer) paced(ctx context.Context, pass func()) {
	for {
		select {
		case done := <-p.passes:
			pass()
			close(done)
		case <-ctx.Done():
			return
		}
	}
}
