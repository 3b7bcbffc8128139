package graph

import (
	"fmt"
	"testing"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// fanOutWorld is a tenant of 31×650 people (20,150) with subs
// subscriptions of 650 ids each, as presence accounts of 650 users each
// hold them; the world is the same size whatever subs is, so the
// benchmarks compare the fan-out alone.
func fanOutWorld(tb testing.TB, subs int) (*Handler, []teams.UserID) {
	tb.Helper()
	w := sim.MustNew(7)
	users := make([]teams.UserID, 31*MaxBulkIDs)
	for i := range users {
		u, err := w.AddUser(fmt.Sprintf("u%05d", i), "")
		if err != nil {
			tb.Fatal(err)
		}
		users[i] = u
	}
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		tb.Fatal(err)
	}
	h := NewHandler(lw, Options{})
	_ = lw.Do(func(w *sim.World) error {
		for i := range subs {
			h.subs.add(&Subscription{ID: fmt.Sprintf("sub-%d", i), NotificationURL: fmt.Sprintf("https://hooks.example/%d", i),
				users: users[i*MaxBulkIDs : (i+1)*MaxBulkIDs], expires: clock.At(2, 0, 0)})
		}
		return nil
	})
	return h, users
}

// benchFanOut measures one presence change's fan-out: the user is covered
// by one subscription however many there are. The outbox is emptied
// outside the timer before its cap would drop notifications.
func benchFanOut(b *testing.B, subs int) {
	h, users := fanOutWorld(b, subs)
	u := users[subs*MaxBulkIDs-1] // in the newest subscription
	p := presence.Of(presence.Busy, presence.InACall)
	_ = h.lw.Do(func(w *sim.World) error {
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%512 == 511 {
				b.StopTimer()
				h.subs.out = newOutbox(h.subs.lim, h.attempt)
				b.StartTimer()
			}
			h.subs.PresenceChanged(w.Clock.Now(), u, presence.Presence{}, p)
		}
		b.StopTimer()
		return nil
	})
	if st := h.Stats(); st.Queued == 0 && st.DeliveriesDropped == 0 {
		b.Fatalf("the change reached no subscriber: %+v", st)
	}
}

// BenchmarkFanOutOneOf31 is a change of one of 20,150 people covered by
// one of 31 subscriptions of 650 ids; BenchmarkFanOutOneOf1 the same
// change with only that subscription live. A scan of every subscription's
// ids made the first about 4× the second; indexed by user it is within 2×
// (the larger index's cache misses), and a third of what the scan cost.
func BenchmarkFanOutOneOf31(b *testing.B) { benchFanOut(b, 31) }
func BenchmarkFanOutOneOf1(b *testing.B)  { benchFanOut(b, 1) }
