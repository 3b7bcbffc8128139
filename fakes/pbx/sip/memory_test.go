package sip_test

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
)

// maxBytesPerSubscription bounds what one live dialog subscription costs
// the fake (its dialog state, its expiry timer, the index entries): a
// tenant of 20,000 extensions is well under 100 MB of it.
const maxBytesPerSubscription = 8 << 10

// A subscription costs the fake a few kilobytes at most, measured over
// thousands of them on the heap after a collection. Over TCP, so that what
// is measured is the subscriptions: over UDP every transaction is kept
// for Timer J (32 s, RFC 3261 17.2.2) to absorb retransmissions, some
// 25 KB for a SUBSCRIBE and its NOTIFY on both sides — traffic's, not the
// subscription's, and gone half a minute later. The cap is honoured to
// the subscription: one past it is answered 503 with Retry-After, and the
// stats report the cap and the peak.
func TestSubscriptionMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: thousands of SUBSCRIBEs")
	}
	const n = 3000
	w := sim.MustNew(1)
	p := pbx.Of(w)
	for k := range n + 1 {
		id, err := w.AddUser("user"+strconv.Itoa(k), "")
		if err != nil {
			t.Fatal(err)
		}
		i, _ := p.Ensure(id)
		if err := p.SetSIP(i, "", "pw"); err != nil {
			t.Fatal(err)
		}
	}
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sip.New(lw, sip.Options{MaxSubscriptions: n, NotifyTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	wa, err := watch.New(addr, "tcp", "201", "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer wa.Close()
	var got atomic.Int64
	wa.Handle(func(watch.Notify) { got.Add(1) }) // the watcher keeps none
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	before := heap()
	exts := make(chan string)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ext := range exts {
				if _, _, err := wa.Subscribe(ctx, ext, "dialog", 3600); err != nil {
					errs <- err
				}
			}
		}()
	}
	for k := range n {
		exts <- strconv.Itoa(202 + k)
	}
	close(exts)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	eventually.True(t, func() (bool, string) {
		return got.Load() >= n, strconv.FormatInt(got.Load(), 10) + " first NOTIFYs of " + strconv.Itoa(n) + " subscriptions"
	})
	after := heap()
	per := (int64(after) - int64(before)) / n
	t.Logf("%d subscriptions: heap %d → %d bytes, %d bytes each", n, before, after, per)
	if per > maxBytesPerSubscription {
		t.Errorf("a subscription costs the fake %d bytes, want at most %d", per, maxBytesPerSubscription)
	}

	_, res, err := wa.Subscribe(ctx, "201", "dialog", 3600)
	if err == nil || res == nil || res.StatusCode != 503 || res.GetHeader("Retry-After") == nil {
		t.Errorf("subscription %d of a cap of %d: %v, %v; want 503 with Retry-After", n+1, n, res, err)
	}
	st := srv.Stats()
	if st.Subscriptions != n || st.PeakSubscriptions != n || st.MaxSubscriptions != n || st.SubscriptionsRefused != 1 {
		t.Errorf("stats %+v; want %d live, a peak of %d, the cap %d and one refused", st, n, n, n)
	}
}

// heap is the heap in use after a collection.
func heap() uint64 {
	var m runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
