package connector

import (
	"context"
	"sync"
	"time"
)

// budgetShare is the part of Graph's limit a connector spends: the
// rest is headroom for the jitter between its clock and Graph's window.
const budgetShare = 0.9

// budgetWindow is Graph's throttling window (G-THR-1), virtual time.
const budgetWindow = 30 * time.Second

// budget keeps a connector's Graph requests under the limit by itself
// (C-12), so that at a tenant's scale it is paced rather than throttled:
// a request waits while as many as the budget holds went out within the
// last window. It is a sliding window over the send times of the last n
// requests, on the client's clock. Clients of one app registration share
// one, as Graph counts them as one (C-5).
type budget struct {
	mu   sync.Mutex
	sent []time.Time // a ring of the last len(sent) send times
	next int
}

func newBudget(limit int) *budget {
	return &budget{sent: make([]time.Time, max(1, int(float64(limit)*budgetShare)))}
}

// take records a request sent at now, or says how long to wait first
// (the window is given on the client's clock).
func (b *budget) take(now time.Time, window time.Duration) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if oldest := b.sent[b.next]; !oldest.IsZero() {
		if d := oldest.Add(window).Sub(now); d > 0 {
			return d
		}
	}
	b.sent[b.next] = now
	b.next = (b.next + 1) % len(b.sent)
	return 0
}

// spend waits for room in the client's budget and takes it; a paced
// client is told errNotYet instead of sleeping.
func (g *graphClient) spend(ctx context.Context) error {
	b := g.budget
	if b == nil {
		return nil
	}
	for {
		d := b.take(g.clock(), g.real(budgetWindow))
		if d <= 0 {
			return nil
		}
		if g.pace != nil {
			return errNotYet
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}
