package graph

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// outbox holds the deliveries waiting to be sent, one FIFO queue per
// notification URL, and the workers that send them: each URL is served by
// at most one worker at a time, so a subscriber gets its notifications in
// order, and a slow subscriber holds up only its own queue. Its lock is
// taken inside the world's lock, never the other way round.
type outbox struct {
	mu     sync.Mutex
	lim    Limits
	send   func(context.Context, *pending) // delivers one, outside every lock
	queues map[string]*urlQueue            // by queueKey; only queues with work
	// oldest and newest link every queued delivery in the order they came,
	// for dropping the oldest when the outbox is full.
	oldest, newest *pending
	queued         int
	inFlight       int
	ready          []*urlQueue // queues with work and no worker, oldest first
	workers        int
	run            context.Context // Run's, while it runs: workers live as long
	// gen numbers Flush calls: open counts the deliveries queued or in flight
	// by the gen they were queued in, and changed is closed and replaced
	// whenever one finishes, for Flush to wait on.
	gen      uint64
	open     map[uint64]int
	changed  chan struct{}
	attempts uint64 // deliveries attempted so far
	dropped  uint64 // deliveries given up because a cap was reached
	kickCh   chan struct{}
}

type urlQueue struct {
	key        string
	head, tail *pending
	n          int
	// busy is set while a worker serves the queue or it waits in ready:
	// every queue with work is busy, so it stays in queues until its
	// worker finds it empty.
	busy bool
}

func newOutbox(lim Limits, send func(context.Context, *pending)) *outbox {
	return &outbox{lim: lim, send: send, queues: map[string]*urlQueue{}, open: map[uint64]int{}, changed: make(chan struct{}), kickCh: make(chan struct{}, 1)}
}

// queueKey is the worker key of a notification URL: scheme, host and path,
// so that URLs differing only in their query share a subscriber's queue.
func queueKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath()
}

// push queues p and returns the deliveries dropped to make room for it
// (the oldest of its URL, or the oldest of all), for the caller to record.
func (o *outbox) push(p *pending) (dropped []*pending) {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.queues[p.key]
	if q == nil {
		q = &urlQueue{key: p.key}
		o.queues[p.key] = q
	}
	if q.n >= o.lim.QueuedPerURL {
		d := o.unlink(q)
		d.why = "dropped by presencesim: this URL already had " + strconv.Itoa(o.lim.QueuedPerURL) + " notifications waiting (Limits.QueuedPerURL)"
		dropped = append(dropped, d)
	}
	if o.queued >= o.lim.Queued {
		d := o.unlink(o.queues[o.oldest.key]) // the oldest of all heads its URL's queue
		d.why = "dropped by presencesim: " + strconv.Itoa(o.lim.Queued) + " notifications were already waiting (Limits.Queued)"
		dropped = append(dropped, d)
	}
	p.gen = o.gen
	o.open[p.gen]++
	p.next = nil
	if q.tail == nil {
		q.head = p
	} else {
		q.tail.next = p
	}
	q.tail = p
	q.n++
	p.older, p.newer = o.newest, nil
	if o.newest == nil {
		o.oldest = p
	} else {
		o.newest.newer = p
	}
	o.newest = p
	o.queued++
	if !q.busy {
		q.busy = true
		o.ready = append(o.ready, q)
	}
	for _, d := range dropped {
		o.dropped++
		o.finish(d)
	}
	o.kick()
	return dropped
}

// unlink takes the head of q off q and off the list of every delivery.
// Under o.mu.
func (o *outbox) unlink(q *urlQueue) *pending {
	p := q.head
	q.head = p.next
	if q.head == nil {
		q.tail = nil
	}
	q.n--
	p.next = nil
	if p.older == nil {
		o.oldest = p.newer
	} else {
		p.older.newer = p.newer
	}
	if p.newer == nil {
		o.newest = p.older
	} else {
		p.newer.older = p.older
	}
	p.older, p.newer = nil, nil
	o.queued--
	return p
}

// finish marks p done for Flush. Under o.mu.
func (o *outbox) finish(p *pending) {
	if o.open[p.gen]--; o.open[p.gen] <= 0 {
		delete(o.open, p.gen)
	}
	close(o.changed)
	o.changed = make(chan struct{})
}

func (o *outbox) kick() {
	select {
	case o.kickCh <- struct{}{}:
	default:
	}
}

// start hands ready queues to new workers, up to Limits.Workers; the
// workers deliver under ctx.
func (o *outbox) start(ctx context.Context) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for o.workers < o.lim.Workers && len(o.ready) > 0 {
		q := o.ready[0]
		o.ready = o.ready[1:]
		o.workers++
		go o.work(ctx, q)
	}
}

// work delivers q's queue in order, then takes the next ready queue, until
// none is left or ctx ends.
func (o *outbox) work(ctx context.Context, q *urlQueue) {
	o.mu.Lock()
	for {
		if q.n == 0 || ctx.Err() != nil {
			q.busy = false
			if q.n == 0 {
				delete(o.queues, q.key)
			} else {
				q.busy = true
				o.ready = append(o.ready, q)
			}
			if len(o.ready) == 0 || ctx.Err() != nil {
				o.workers--
				o.mu.Unlock()
				return
			}
			q = o.ready[0]
			o.ready = o.ready[1:]
			continue
		}
		p := o.unlink(q)
		o.inFlight++
		o.attempts++
		o.mu.Unlock()
		o.send(ctx, p)
		o.mu.Lock()
		o.inFlight--
		o.finish(p)
	}
}

// flush starts workers under ctx unless Run's are about, and waits until
// every delivery queued before the call has been attempted (or dropped),
// or until wait ends. It returns how many deliveries were attempted
// meanwhile.
func (o *outbox) flush(wait context.Context) int {
	o.mu.Lock()
	g := o.gen
	o.gen++
	before := o.attempts
	run := o.run
	o.mu.Unlock()
	if run != nil {
		o.kick()
	} else {
		o.start(context.Background())
	}
	for {
		o.mu.Lock()
		open := false
		for gen, n := range o.open {
			open = open || gen <= g && n > 0
		}
		ch, n := o.changed, int(o.attempts-before)
		o.mu.Unlock()
		if !open {
			return n
		}
		select {
		case <-wait.Done():
			return n
		case <-ch:
		}
	}
}

// counts reads the outbox's gauges and counters.
func (o *outbox) counts() (queued, inFlight, workers int, attempts, dropped uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queued, o.inFlight, o.workers, o.attempts, o.dropped
}
