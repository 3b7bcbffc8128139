package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// subscribe makes n live subscriptions to alice's presence straight in the
// world, the i-th notifying url(i), as a validated creation would; the
// one-per-user rule is not the point here.
func (f *fixture) subscribe(n int, url func(i int) string) []string {
	f.t.Helper()
	var ids []string
	_ = f.lw.Do(func(w *sim.World) error {
		alice, _ := w.Teams.User("alice")
		tenant := f.h.Identity().Tenant(w.Teams.Dir(alice).Org).ID
		exp := w.Clock.Now().Wall().Add(50 * time.Minute)
		for i := 0; i < n; i++ {
			sub := &Subscription{ID: f.h.subs.guid(), Resource: "communications/presences/" + f.ids["alice"], ApplicationID: f.app.AppID, ChangeType: "updated",
				NotificationURL: url(i), CreatorID: f.ids["alice"], tenant: tenant, creator: alice, users: []teams.UserID{alice}, ExpirationDateTime: exp}
			f.h.subs.add(sub)
			f.h.arm(sub, exp)
			ids = append(ids, sub.ID)
		}
		return nil
	})
	return ids
}

// change makes n presence changes of alice through Graph.
func (f *fixture) change(n int) {
	f.t.Helper()
	tok := f.appToken()
	pairs := []string{`"Busy","activity":"InACall"`, `"Away","activity":"Away"`}
	for i := 0; i < n; i++ {
		body := `{"sessionId":"` + f.app.AppID + `","availability":` + pairs[i%2] + `,"expirationDuration":"PT1H"}`
		if st, b, _ := f.do("POST", "/v1.0/users/"+f.ids["alice"]+"/presence/setPresence", tok, body); st != 200 {
			f.t.Fatalf("setPresence: %d %s", st, b)
		}
	}
}

var errRefused = errors.New("dial tcp 127.0.0.1:9: connect: connection refused")

func refuse(_ context.Context, d Delivery) (Reply, error) { return Reply{}, errRefused }

// Delivery attempts to a dead subscriber used to pile up without end:
// the notices are a ring, and what falls out is counted.
func TestNoticesAreBounded(t *testing.T) {
	const subs, changes, kept = 50, 10, 120
	f := newFixture(t, Options{Deliverer: DeliverFunc(refuse), Limits: Limits{Notices: kept}})
	f.subscribe(subs, func(i int) string { return fmt.Sprintf("https://dead.example/%d", i) })
	for i := 0; i < changes; i++ {
		f.change(1)
		f.h.Flush(context.Background())
		if err := f.lw.Advance(time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	f.h.Flush(context.Background())
	st := f.h.Stats()
	if n := len(f.h.Notices()); n != kept || st.Notices <= kept || st.NoticesDropped != st.Notices-kept {
		t.Fatalf("kept %d notices of %d, %d dropped; want the last %d kept and the rest counted", n, st.Notices, st.NoticesDropped, kept)
	}
	// Paging walks the kept ones in order, without gaps.
	seq, got := uint64(0), 0
	for pages := 0; pages < 100; pages++ {
		list, next, dropped := f.h.NoticesSince(seq, 50)
		if pages == 0 && dropped != st.NoticesDropped {
			t.Fatalf("the first page from 0 reports %d dropped, want %d", dropped, st.NoticesDropped)
		}
		for i, n := range list {
			if i > 0 && n.Seq != list[i-1].Seq+1 {
				t.Fatalf("page from %d skips from %d to %d", seq, list[i-1].Seq, n.Seq)
			}
		}
		got += len(list)
		if len(list) == 0 {
			break
		}
		seq = next
	}
	if got != kept {
		t.Fatalf("paging read %d notices, want %d", got, kept)
	}
}

// Subscriptions used to stay in memory after they were deleted or expired,
// and timers named them by position: removing one must not make another's
// timer hit the wrong subscription.
func TestGoneSubscriptionsAreForgotten(t *testing.T) {
	f := newFixture(t, Options{})
	ids := f.subscribe(3, func(i int) string { return fmt.Sprintf("https://hooks.example/%d", i) })
	tok := f.userToken("alice")
	if st, b, _ := f.do("DELETE", "/v1.0/subscriptions/"+ids[0], tok, ""); st != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", st, b)
	}
	// Renew the last one, then let the middle one expire.
	exp := f.lw.Now().Wall().Add(55 * time.Minute).Format(time.RFC3339)
	if st, b, _ := f.do("PATCH", "/v1.0/subscriptions/"+ids[2], tok, `{"expirationDateTime":"`+exp+`"}`); st != 200 {
		t.Fatalf("PATCH: %d %s", st, b)
	}
	if err := f.lw.Advance(52 * time.Minute); err != nil {
		t.Fatal(err)
	}
	live := f.h.Subscriptions()
	if len(live) != 1 || live[0].ID != ids[2] {
		t.Fatalf("after a delete and an expiry the live subscriptions are %v; want only %s", live, ids[2])
	}
	_ = f.lw.Do(func(*sim.World) error {
		if len(f.h.subs.all) != 1 || len(f.h.subs.byKey) != 1 {
			t.Errorf("the fake still holds %d subscriptions (%d by key)", len(f.h.subs.all), len(f.h.subs.byKey))
		}
		return nil
	})
	if err := f.lw.Advance(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if live := f.h.Subscriptions(); len(live) != 0 || f.h.Stats().Subscriptions != 0 {
		t.Fatalf("after its renewed expiry %d subscriptions are live", len(live))
	}
}

func TestSubscriptionCaps(t *testing.T) {
	cases := []struct {
		name   string
		lim    Limits
		want   []int // statuses for alice, bob, carol
		refuse uint64
	}{
		{"per app and tenant", Limits{SubscriptionsPerApp: 2}, []int{201, 201, 403}, 1},
		{"in all", Limits{Subscriptions: 1}, []int{201, 403, 403}, 2},
		{"defaults", Limits{}, []int{201, 201, 201}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{Limits: c.lim})
			exp := f.lw.Now().Wall().Add(30 * time.Minute).Format(time.RFC3339)
			for i, u := range []string{"alice", "bob", "carol"} {
				body := `{"changeType":"updated","notificationUrl":"https://hooks.example/` + u + `","resource":"communications/presences/` + f.ids[u] + `","expirationDateTime":"` + exp + `"}`
				st, b, _ := f.do("POST", "/v1.0/subscriptions", f.userToken(u), body)
				if st != c.want[i] {
					t.Fatalf("subscription %d (%s): %d %s; want %d", i+1, u, st, b, c.want[i])
				}
				if st == 403 && !strings.Contains(string(b), "Limits.") {
					t.Fatalf("the refusal does not name the cap: %s", b)
				}
			}
			if got := f.h.Stats().SubscriptionsRefused; got != c.refuse {
				t.Fatalf("%d creations counted as refused, want %d", got, c.refuse)
			}
		})
	}
}

// The queues in front of the workers and the retries waiting on the clock
// are capped; the oldest delivery gives way, as a counted "dropped" notice.
func TestDeliveryQueuesAreBounded(t *testing.T) {
	cases := []struct {
		name      string
		lim       Limits
		urls      int // subscriptions, one URL each
		changes   int // presence changes before the flush
		delivered int
		dropped   int
	}{
		{"per URL", Limits{QueuedPerURL: 3}, 1, 5, 3, 2},
		{"in all", Limits{Queued: 4}, 3, 2, 4, 2},
		{"within the caps", Limits{}, 3, 2, 6, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			f := newFixture(t, Options{Limits: c.lim, Deliverer: DeliverFunc(func(_ context.Context, d Delivery) (Reply, error) {
				mu.Lock()
				got = append(got, d.URL)
				mu.Unlock()
				return Reply{Status: 202}, nil
			})})
			f.subscribe(c.urls, func(i int) string { return fmt.Sprintf("https://hooks.example/%d", i) })
			f.change(c.changes)
			f.h.Flush(context.Background())
			dropped := 0
			for _, n := range f.h.Notices() {
				if n.Outcome == "dropped" && strings.Contains(n.Error, "Limits.") {
					dropped++
				}
			}
			if len(got) != c.delivered || dropped != c.dropped || f.h.Stats().DeliveriesDropped != uint64(c.dropped) {
				t.Fatalf("delivered %d, %d dropped notices, %d counted; want %d and %d", len(got), dropped, f.h.Stats().DeliveriesDropped, c.delivered, c.dropped)
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	const subs, cap = 12, 5
	f := newFixture(t, Options{Deliverer: DeliverFunc(refuse), Limits: Limits{Retries: cap}})
	f.subscribe(subs, func(i int) string { return fmt.Sprintf("https://dead.example/%d", i) })
	f.change(1)
	f.h.Flush(context.Background())
	st := f.h.Stats()
	if st.Retrying != cap || st.DeliveriesDropped != subs-cap {
		t.Fatalf("%d retries wait, %d dropped; want %d and %d", st.Retrying, st.DeliveriesDropped, cap, subs-cap)
	}
	_ = f.lw.Do(func(w *sim.World) error {
		timers := 0
		for _, p := range w.Clock.Pending() {
			if strings.HasPrefix(p.Label, "notification retry") {
				timers++
			}
		}
		if timers != cap {
			t.Errorf("%d retry timers on the clock, want %d: a dropped retry keeps its timer", timers, cap)
		}
		return nil
	})
	// The retries that kept their place go out when they fall due.
	if err := f.lw.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := f.h.Flush(context.Background()); n != cap {
		t.Fatalf("a minute later %d retries went out, want %d", n, cap)
	}
}

// Each URL gets its notifications in order and one at a time, and no more
// than Limits.Workers URLs are served at once.
func TestDeliveryOrderAndWorkers(t *testing.T) {
	const urls, changes, workers = 12, 6, 4
	var mu sync.Mutex
	seen := map[string][]string{} // URL → users in the order delivered
	busy := map[string]bool{}
	var inFlight, peak atomic.Int32
	full := make(chan struct{})
	var once sync.Once
	gate := make(chan struct{})
	f := newFixture(t, Options{Limits: Limits{Workers: workers}, Deliverer: DeliverFunc(func(_ context.Context, d Delivery) (Reply, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if n == workers {
			once.Do(func() { close(full) })
		}
		<-gate
		var p NotificationPayload
		_ = json.Unmarshal(d.Body, &p)
		mu.Lock()
		defer mu.Unlock()
		if busy[d.URL] {
			t.Errorf("two deliveries to %s at once", d.URL)
		}
		busy[d.URL] = true
		seen[d.URL] = append(seen[d.URL], p.Value[0].ResourceData.ID)
		busy[d.URL] = false
		return Reply{Status: 202}, nil
	})})
	f.subscribe(urls, func(i int) string { return fmt.Sprintf("https://hooks.example/%d", i) })
	// Each change goes to another user of the subscription, so the order
	// shows in the bodies.
	_ = f.lw.Do(func(w *sim.World) error {
		for _, sub := range f.h.subs.all {
			for _, n := range []string{"bob", "carol"} {
				u, _ := w.Teams.User(n)
				sub.users = append(sub.users, u)
				f.h.subs.byUser[u] = append(f.h.subs.byUser[u], sub)
			}
		}
		return nil
	})
	tok := f.appToken()
	var order []string
	for i := 0; i < changes; i++ {
		u := []string{"alice", "bob", "carol"}[i%3]
		order = append(order, f.ids[u])
		body := `{"sessionId":"` + f.app.AppID + `","availability":"Busy","activity":"InACall","expirationDuration":"PT` + fmt.Sprint(i+1) + `H"}`
		if i >= 3 {
			body = `{"sessionId":"` + f.app.AppID + `","availability":"Away","activity":"Away"}`
		}
		if st, b, _ := f.do("POST", "/v1.0/users/"+f.ids[u]+"/presence/setPresence", tok, body); st != 200 {
			t.Fatalf("setPresence: %d %s", st, b)
		}
	}
	done := make(chan int)
	go func() { done <- f.h.Flush(context.Background()) }()
	<-full
	close(gate)
	if n := <-done; n != urls*changes {
		t.Fatalf("Flush attempted %d deliveries, want %d", n, urls*changes)
	}
	if p := peak.Load(); p != workers {
		t.Fatalf("%d deliveries ran at once; want at most (and here exactly) %d", p, workers)
	}
	for u, got := range seen {
		if strings.Join(got, " ") != strings.Join(order, " ") {
			t.Fatalf("%s got %v; want the changes in order %v", u, got, order)
		}
	}
}

// fanOut subscribes n URLs to alice, the first of which never answers,
// changes alice's presence under Run and returns how long the change took
// to answer and the n−1 others to be notified.
func fanOut(tb testing.TB, n int, deliver func(slow bool, d Delivery, ctx context.Context) (Reply, error)) (request, others time.Duration) {
	return fanOutWith(tb, n, make(chan struct{}), make(chan struct{}), deliver)
}

// fanOutWith is fanOut closing answered once the change is answered and all
// once the n−1 others are notified.
func fanOutWith(tb testing.TB, n int, answered, all chan struct{}, deliver func(slow bool, d Delivery, ctx context.Context) (Reply, error)) (request, others time.Duration) {
	var count atomic.Int32
	f := newFixture(&testing.T{}, Options{Throttle: Throttle{Off: true}, Deliverer: DeliverFunc(func(ctx context.Context, d Delivery) (Reply, error) {
		slow := strings.HasSuffix(d.URL, "/slow")
		rep, err := deliver(slow, d, ctx)
		if !slow && count.Add(1) == int32(n-1) {
			close(all)
		}
		return rep, err
	})})
	f.subscribe(n, func(i int) string {
		if i == 0 {
			return "https://hooks.example/slow"
		}
		return fmt.Sprintf("https://hooks.example/%d", i)
	})
	tok := f.appToken()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { f.h.Run(ctx, 50*time.Millisecond); close(ran) }()
	defer func() { cancel(); <-ran }()
	start := time.Now()
	if st, b, _ := f.do("POST", "/v1.0/users/"+f.ids["alice"]+"/presence/setPresence", tok, `{"sessionId":"`+f.app.AppID+`","availability":"Busy","activity":"InACall"}`); st != 200 {
		tb.Fatalf("setPresence: %d %s", st, b)
	}
	request = time.Since(start)
	close(answered)
	select {
	case <-all:
	case <-time.After(30 * time.Second):
		tb.Fatalf("after 30 s %d of %d subscribers were notified", count.Load(), n-1)
	}
	return request, time.Since(start)
}

// slowOrFast is a subscriber that answers at once, except the slow one,
// which holds on past Graph's 3 s deadline.
func slowOrFast(slow bool, _ Delivery, ctx context.Context) (Reply, error) {
	if slow {
		select {
		case <-ctx.Done():
			return Reply{}, ctx.Err()
		case <-time.After(4 * time.Second):
		}
	}
	return Reply{Status: 202}, nil
}

// One slow subscriber used to hold up every other, since notifications went
// out one at a time. Judged by order, not by the wall clock: the slow
// subscriber holds its delivery until the change has been answered and the
// 999 others are notified; were either waiting behind it, Graph's 3 s
// deadline on its delivery would end the wait first.
func TestFanOutIsNotHeldUpBySlowSubscriber(t *testing.T) {
	var heldUp atomic.Bool
	answered, all := make(chan struct{}), make(chan struct{})
	var once sync.Once
	slowDone := make(chan struct{})
	request, others := fanOutWith(t, 1000, answered, all, func(slow bool, _ Delivery, ctx context.Context) (Reply, error) {
		if slow {
			defer once.Do(func() { close(slowDone) })
			for _, ch := range []chan struct{}{answered, all} {
				select {
				case <-ch:
				case <-ctx.Done():
					select {
					case <-ch: // both at once: the wait was over in time
					default:
						heldUp.Store(true)
						return Reply{}, ctx.Err()
					}
				}
			}
		}
		return Reply{Status: 202}, nil
	})
	select {
	case <-slowDone:
	case <-time.After(eventually.Bound):
		t.Fatalf("the slow subscriber's delivery never ended")
	}
	if heldUp.Load() {
		t.Fatalf("the slow subscriber's delivery ran out of Graph's deadline before the change was answered and the 999 others were notified (answered in %s, others in %s)", request, others)
	}
	t.Logf("change answered in %s; 999 of 1,000 subscribers notified in %s", request, others)
}

// BenchmarkFanOut reports how long one change takes to reach 999 of 1,000
// subscribers, the first of which is slow.
func BenchmarkFanOut(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		_, others := fanOut(b, 1000, slowOrFast)
		total += others
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/fan-out")
}

// BenchmarkFanOutHTTP is BenchmarkFanOut over loopback HTTP: one server,
// a path per subscriber.
func BenchmarkFanOutHTTP(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/slow") {
			select {
			case <-r.Context().Done():
			case <-time.After(4 * time.Second):
			}
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	hd := &HTTPDeliverer{}
	var total time.Duration
	for i := 0; i < b.N; i++ {
		_, others := fanOut(b, 1000, func(_ bool, d Delivery, ctx context.Context) (Reply, error) {
			d.URL = srv.URL + strings.TrimPrefix(d.URL, "https://hooks.example")
			return hd.Deliver(ctx, d)
		})
		total += others
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/fan-out")
}
