package nimbus

import (
	"net/http"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Nimbus on a graph.Mock reads an agent through its presence account only
// from what Graph gave it, and never lets an older sequenceNumber win (C-8,
// NB-4); a throttled read is not repeated before Retry-After (C-5).
func TestNimbusReadsThroughTheSeam(t *testing.T) {
	w := sim.MustNew(1)
	bob, err := w.AddUser("bob", "")
	if err != nil {
		t.Fatal(err)
	}
	var (
		sub   graph.Subscriber
		subID graph.SubscriptionID
		reads []time.Duration
		errs  = []error{&graph.Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: 30 * time.Second}}
	)
	g := &graph.Mock{
		ReadFunc: func(u teams.UserID) (graph.Presence, error) {
			reads = append(reads, time.Duration(w.Clock.Now()))
			if len(errs) > 0 {
				err := errs[0]
				errs = errs[1:]
				return graph.Presence{}, err
			}
			return graph.Presence{User: u, Presence: presence.Of(presence.Available, presence.ActAvailable), Sequence: 1}, nil
		},
		SubscribeFunc: func(_ []teams.UserID, s graph.Subscriber) (graph.SubscriptionID, error) {
			subID++
			sub = s
			return subID, nil
		},
	}
	m := NewOn(g, w.Teams, w.Teams, TenantOf(w), w.Clock)
	svc, err := m.AddService("Support", TeamBased, BusyDistributed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddAccount("pa1"); err != nil {
		t.Fatal(err)
	}
	m.AddMember(svc, bob)
	if got := m.Read(bob); got.P != presence.Unknown || got.Tracking.Source != PresenceAccount {
		t.Fatalf("after a throttled first read Nimbus reads %s through %s; want nothing yet through the presence account", got.P.Short(), got.Tracking.Source)
	}
	if err := w.Clock.Advance(29 * time.Second); err != nil {
		t.Fatal(err)
	}
	m.Read(bob)
	if len(reads) != 1 {
		t.Fatalf("%d reads within Retry-After; want 1", len(reads))
	}
	if err := w.Clock.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	if got := m.Read(bob); got.P != presence.Of(presence.Available, presence.ActAvailable) {
		t.Fatalf("after Retry-After Nimbus reads %s; want Available", got.P.Short())
	}
	notify := func(p presence.Presence, seq uint64) {
		sub.Notified(w.Clock.Now(), graph.Notification{Subscription: subID, Presence: graph.Presence{User: bob, Presence: p, Sequence: seq}})
	}
	inCall := presence.Of(presence.Busy, presence.InACall)
	notify(inCall, 5)
	notify(presence.Of(presence.Available, presence.ActAvailable), 4) // delivered late
	if got := m.Read(bob); got.P != inCall {
		t.Fatalf("after notifications at sequence 5 then 4 Nimbus reads %s; want %s", got.P.Short(), inCall.Short())
	}
	if v := m.Verdict(svc, bob); v.Eligible || v.Rule != "NB-4" {
		t.Fatalf("verdict %s; want not eligible by NB-4", v)
	}
}
