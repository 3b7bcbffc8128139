package connector

import (
	"context"
	"sync"
	"time"
)

// reconcileEvery is a writer's loop: every tick it takes the keys it
// knows (users, extensions) and reconciles each, at most workers at a
// time, in the order keys gives them, until ctx ends. A tenant of thousands changes faster
// than one request at a time can follow (C-12).
func reconcileEvery(ctx context.Context, tick time.Duration, workers int, keys func() []string, reconcile func(context.Context, string)) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		reconcilePass(ctx, workers, keys, reconcile)
		if ctx.Err() != nil {
			return
		}
	}
}

// reconcilePass is one pass of a writer's loop.
func reconcilePass(ctx context.Context, workers int, keys func() []string, reconcile func(context.Context, string)) {
	ks := keys()
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(max(workers, 1), len(ks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				reconcile(ctx, k)
			}
		}()
	}
feed:
	for _, k := range ks {
		select {
		case next <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}
