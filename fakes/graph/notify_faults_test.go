package graph

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	sgraph "github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// tallyReader is an in-process subscriber that counts what it got.
type tallyReader struct{ n int }

func (r *tallyReader) Notified(clock.Time, sgraph.Notification) { r.n++ }

// The Graph fake's webhook notifications pass the same notification
// faults as an in-process subscriber's: with the same seed and setting,
// each change is lost, doubled and delayed alike on both paths.
func TestWebhookAndInProcessDrawTheSameNotificationFaults(t *testing.T) {
	const changes, window = 30, 90 // a change every 90 s, past the band's 60 s
	faults := sgraph.NotifyFaults{LossRate: 0.3, Duplicate: true, Mean: 10 * time.Second, Max: time.Minute}
	// arrivals runs the changes and says, per change, after how many
	// whole seconds each of its deliveries had arrived.
	arrivals := func(webhook bool) [][]int {
		f := newFixture(t, Options{})
		var reader tallyReader
		if webhook {
			f.subscribe(1, func(int) string { return "https://hooks.example.com/presence" })
		}
		received := func() int {
			if !webhook {
				return reader.n
			}
			f.h.Flush(context.Background())
			f.mu.Lock()
			defer f.mu.Unlock()
			n := 0
			for _, d := range f.rx {
				if !d.Validation {
					n++
				}
			}
			return n
		}
		_ = f.lw.Do(func(w *sim.World) error {
			alice, _ := w.Teams.User("alice")
			if !webhook {
				if _, err := w.Graph("reader").Subscribe([]teams.UserID{alice}, &reader); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.GraphFaults().SetNotifyFaults(alice, faults); err != nil {
				t.Fatal(err)
			}
			return nil
		})
		out := make([][]int, changes)
		ps := []presence.Presence{presence.MustParse("Busy/InACall"), presence.MustParse("Away/Away")}
		for i := range out {
			before := received()
			_ = f.lw.Do(func(w *sim.World) error {
				alice, _ := w.Teams.User("alice")
				return w.Graph("pbx").SetPresence(alice, ps[i%2], time.Hour)
			})
			for sec := 1; sec <= window; sec++ {
				if err := f.lw.Advance(time.Second); err != nil {
					t.Fatal(err)
				}
				for n := received(); before < n; before++ {
					out[i] = append(out[i], sec)
				}
			}
		}
		return out
	}
	hook, direct := arrivals(true), arrivals(false)
	if !slices.EqualFunc(hook, direct, slices.Equal[[]int]) {
		t.Fatalf("the same seed drew different notification faults by path:\n webhook    %v\n in process %v", hook, direct)
	}
	lost, doubled, total, sum, most := 0, 0, 0, 0, 0
	for _, a := range hook {
		switch len(a) {
		case 0:
			lost++
		case 2:
			doubled++
		}
		for _, s := range a {
			total++
			sum += s - 1 // the latency is more than s-1 seconds, at most s
			most = max(most, s)
		}
	}
	if lost == 0 || doubled == 0 {
		t.Errorf("of %d changes, %d were lost and %d came twice; at a loss rate of 0.3 with duplication expected some of each: %v", changes, lost, doubled, hook)
	}
	if most > 60 || total == 0 || float64(sum)/float64(total) >= 10 {
		t.Errorf("latencies in whole seconds %v: at most %d s, at least %.1f s on average; the band is 60 s at most, under 10 s on average", hook, most, float64(sum)/float64(max(total, 1)))
	}
}

// Duplication doubles what the outbox is asked to send, never what it
// holds: the copies meet the same caps as every delivery.
func TestDuplicatedNotificationsKeepTheOutboxBounded(t *testing.T) {
	const perURL, changes = 5, 40
	f := newFixture(t, Options{Limits: Limits{QueuedPerURL: perURL}})
	f.subscribe(1, func(int) string { return "https://hooks.example.com/presence" })
	_ = f.lw.Do(func(w *sim.World) error {
		alice, _ := w.Teams.User("alice")
		return w.GraphFaults().SetNotifyFaults(alice, sgraph.NotifyFaults{Duplicate: true})
	})
	f.change(changes)
	st := f.h.Stats()
	if st.Queued > perURL || st.DeliveriesDropped != 2*changes-uint64(st.Queued) {
		t.Fatalf("%d duplicated changes: %d queued, %d dropped; want at most %d queued and the rest of %d counted as dropped", changes, st.Queued, st.DeliveriesDropped, perURL, 2*changes)
	}
}
