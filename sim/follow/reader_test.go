package follow

import (
	"net/http"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

var (
	busy      = presence.Of(presence.Busy, presence.InACall)
	available = presence.Of(presence.Available, presence.ActAvailable)
	dnd       = presence.Of(presence.DoNotDisturb, presence.ActDoNotDisturb)
)

const alice teams.UserID = 0

// fakeGraph is a graph.Mock whose answers a test scripts: reads return
// truth, or the next scripted error; every request is timed.
type fakeGraph struct {
	graph.Mock
	clk      *clock.Clock
	truth    graph.Presence
	errs     []error // answers of the next requests, nil = success
	sent     []clock.Time
	sub      graph.Subscriber
	subID    graph.SubscriptionID
	unsubbed int
}

func (f *fakeGraph) answer() error {
	f.sent = append(f.sent, f.clk.Now())
	if len(f.errs) == 0 {
		return nil
	}
	err := f.errs[0]
	f.errs = f.errs[1:]
	return err
}

func newFake(clk *clock.Clock) *fakeGraph {
	f := &fakeGraph{clk: clk, truth: graph.Presence{User: alice, Presence: available, Sequence: 1}}
	f.ReadFunc = func(u teams.UserID) (graph.Presence, error) {
		if err := f.answer(); err != nil {
			return graph.Presence{}, err
		}
		return f.truth, nil
	}
	f.SubscribeFunc = func(ids []teams.UserID, s graph.Subscriber) (graph.SubscriptionID, error) {
		if err := f.answer(); err != nil {
			return 0, err
		}
		f.subID++
		f.sub = s
		return f.subID, nil
	}
	f.UnsubscribeFunc = func(graph.SubscriptionID) error { f.unsubbed++; return nil }
	return f
}

// notify delivers a notification of the current subscription.
func (f *fakeGraph) notify(p presence.Presence, seq uint64) {
	f.sub.Notified(f.clk.Now(), graph.Notification{Subscription: f.subID, Changed: f.clk.Now(),
		Presence: graph.Presence{User: alice, Presence: p, Sequence: seq}})
}

type seen struct{ got []graph.Presence }

func (s *seen) Seen(_ clock.Time, p graph.Presence, _ Origin) { s.got = append(s.got, p) }

func rig(t *testing.T, set Settings) (*clock.Clock, *fakeGraph, *Reader, *seen, *Backoff) {
	t.Helper()
	clk := clock.New()
	f := newFake(clk)
	h := &seen{}
	bo := &Backoff{Base: 2 * time.Second, Max: time.Minute}
	return clk, f, New(f, clk, h, set, bo), h, bo
}

func throttled(after time.Duration) error {
	return &graph.Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: after}
}

func unavailable() error {
	return &graph.Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"}
}

func run(t *testing.T, clk *clock.Clock, d time.Duration) {
	t.Helper()
	if err := clk.Advance(d); err != nil {
		t.Fatal(err)
	}
}

// C-8: a notification carrying an older sequenceNumber than one taken
// already, or the same one again, changes nothing.
func TestOlderNotificationNeverWins(t *testing.T) {
	cases := []struct {
		name string
		seqs []uint64
		want []uint64 // sequence numbers the handler is told of
	}{
		{"in order", []uint64{2, 3, 4}, []uint64{2, 3, 4}},
		{"old after new", []uint64{5, 3}, []uint64{5}},
		{"duplicate", []uint64{4, 4}, []uint64{4}},
		{"reversed", []uint64{9, 8, 7, 10}, []uint64{9, 10}},
		{"older than the first read", []uint64{1}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, f, r, h, _ := rig(t, Settings{PollInterval: time.Minute})
			r.Watch(alice)
			if p, ok := r.Fresh(alice); !ok || p.Sequence != 1 {
				t.Fatalf("first read gave %+v, %v; want sequence 1", p, ok)
			}
			for i, s := range c.seqs {
				f.notify([]presence.Presence{busy, dnd}[i%2], s)
			}
			var got []uint64
			for _, p := range h.got {
				got = append(got, p.Sequence)
			}
			if len(got) != len(c.want) {
				t.Fatalf("handler told of sequence numbers %v; want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("handler told of sequence numbers %v; want %v", got, c.want)
				}
			}
			newest, _ := r.Current(alice)
			if max := c.want; len(max) > 0 && newest.Sequence != max[len(max)-1] {
				t.Fatalf("current sequence %d; want %d", newest.Sequence, max[len(max)-1])
			}
		})
	}
}

// C-8 for reads too: a poll answering with an older presence than a
// notification brought stays unseen.
func TestOlderReadNeverWins(t *testing.T) {
	_, f, r, h, _ := rig(t, Settings{PollInterval: time.Minute})
	r.Watch(alice)
	f.notify(busy, 7)
	f.truth = graph.Presence{User: alice, Presence: available, Sequence: 6} // a lagging replica
	if p, _ := r.Fresh(alice); p.Presence != busy || p.Sequence != 7 {
		t.Fatalf("after an older read Current is %s at %d; want %s at 7", p.Presence.Short(), p.Sequence, busy.Short())
	}
	if len(h.got) != 1 {
		t.Fatalf("handler told %d times; want once", len(h.got))
	}
}

// C-5: after a 429 with Retry-After nothing is sent sooner; after a 5xx
// without one the waits double.
func TestBackoffHonoursRetryAfter(t *testing.T) {
	cases := []struct {
		name string
		errs []error
		// gaps are the least times between consecutive requests after the
		// first poll
		gaps []time.Duration
	}{
		{"429 with Retry-After 30 s", []error{throttled(30 * time.Second)}, []time.Duration{30 * time.Second}},
		{"429 twice", []error{throttled(30 * time.Second), throttled(45 * time.Second)}, []time.Duration{30 * time.Second, 45 * time.Second}},
		{"503 three times", []error{unavailable(), unavailable(), unavailable()}, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{"503 capped", []error{unavailable(), unavailable(), unavailable(), unavailable(), unavailable(), unavailable(), unavailable()},
			[]time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk, f, r, h, _ := rig(t, Settings{PollInterval: 10 * time.Second})
			r.SetLost(alice, true)
			r.Watch(alice)
			f.errs = c.errs
			f.truth = graph.Presence{User: alice, Presence: busy, Sequence: 2}
			run(t, clk, time.Hour)
			if len(f.sent) < len(c.gaps)+1 {
				t.Fatalf("%d requests in an hour; want at least %d", len(f.sent), len(c.gaps)+1)
			}
			for i, least := range c.gaps {
				if gap := f.sent[i+1].Sub(f.sent[i]); gap < least {
					t.Fatalf("request %d came %s after a refused one; Retry-After or back-off asks for %s (first requests at %v)", i+2, gap, least, f.sent[:i+2])
				}
			}
			if gap := f.sent[len(c.gaps)].Sub(f.sent[len(c.gaps)-1]); gap > c.gaps[len(c.gaps)-1]+time.Second {
				t.Fatalf("the retry came %s after the refusal; want it once the wait of %s is over", gap, c.gaps[len(c.gaps)-1])
			}
			if len(h.got) != 1 || h.got[0].Presence != busy {
				t.Fatalf("after the back-off the reader saw %+v; want %s once", h.got, busy.Short())
			}
		})
	}
}

// C-7: without a subscription the reader polls; a refused subscription is
// tried again at each poll, and once it stands the polling stops.
func TestPollsUntilSubscribed(t *testing.T) {
	clk, f, r, h, _ := rig(t, Settings{PollInterval: time.Minute})
	f.errs = []error{unavailable()} // the subscription
	r.Watch(alice)
	if f.sub != nil {
		t.Fatal("subscribed although Graph refused")
	}
	f.truth = graph.Presence{User: alice, Presence: dnd, Sequence: 3}
	run(t, clk, time.Minute)
	if f.sub == nil || len(h.got) != 1 || h.got[0].Presence != dnd {
		t.Fatalf("after a minute: subscribed %v, seen %+v; want subscribed and %s read", f.sub != nil, h.got, dnd.Short())
	}
	n := len(f.sent)
	run(t, clk, time.Hour)
	if len(f.sent) != n {
		t.Fatalf("%d requests in the hour after subscribing, with no quiet read set; want none", len(f.sent)-n)
	}
}

// C-7: a quiet subscription is read, so a lost notification does not stand.
func TestQuietSubscriptionIsRead(t *testing.T) {
	clk, f, r, h, _ := rig(t, Settings{PollInterval: time.Minute, Quiet: 10 * time.Minute})
	r.Watch(alice)
	run(t, clk, 5*time.Minute)
	f.notify(busy, 2)
	f.truth = graph.Presence{User: alice, Presence: available, Sequence: 3} // its notification is lost
	run(t, clk, 9*time.Minute)
	if len(h.got) != 1 {
		t.Fatalf("seen %+v before the subscription was quiet 10 minutes; want only the notification", h.got)
	}
	run(t, clk, time.Minute)
	if len(h.got) != 2 || h.got[1].Presence != available || h.got[1].Sequence != 3 {
		t.Fatalf("seen %+v; want the lost change read 10 minutes after the last notification", h.got)
	}
}

// A notification of a subscription deleted already is not taken.
func TestNotificationOfDeletedSubscription(t *testing.T) {
	_, f, r, h, _ := rig(t, Settings{PollInterval: time.Minute})
	r.Watch(alice)
	old := f.sub
	r.SetLost(alice, true)
	if f.unsubbed != 1 {
		t.Fatalf("%d unsubscriptions; want 1", f.unsubbed)
	}
	old.Notified(0, graph.Notification{Subscription: f.subID, Presence: graph.Presence{User: alice, Presence: busy, Sequence: 9}})
	if len(h.got) != 0 {
		t.Fatalf("took %+v from a deleted subscription", h.got)
	}
}

// Fresh sends nothing while the back-off lasts.
func TestFreshWaitsForBackoff(t *testing.T) {
	clk, f, r, _, bo := rig(t, Settings{PollInterval: time.Minute})
	f.errs = []error{throttled(30 * time.Second)}
	if _, ok := r.Fresh(alice); ok {
		t.Fatal("a refused read gave a presence")
	}
	run(t, clk, 29*time.Second)
	if _, ok := r.Fresh(alice); ok || len(f.sent) != 1 {
		t.Fatalf("%d requests within Retry-After (back-off until %s); want 1", len(f.sent), bo.NotBefore())
	}
	run(t, clk, time.Second)
	if p, ok := r.Fresh(alice); !ok || p.Sequence != 1 {
		t.Fatalf("after Retry-After: %+v, %v", p, ok)
	}
}
