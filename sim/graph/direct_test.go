package graph_test

import (
	"errors"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

type recorder struct{ got []graph.Notification }

func (r *recorder) Notified(_ clock.Time, n graph.Notification) { r.got = append(r.got, n) }

func TestDirectWritesReadsAndNotifies(t *testing.T) {
	w := sim.MustNew(1)
	alice, _ := w.AddUser("alice", "")
	bob, _ := w.AddUser("bob", "")
	if err := w.Teams.SignIn(alice, teams.Desktop); err != nil {
		t.Fatal(err)
	}
	g := graph.NewDirect(w.Teams, "pbx")
	var r recorder
	if _, err := g.Subscribe([]teams.UserID{alice}, &r); err != nil {
		t.Fatal(err)
	}
	busy := presence.Of(presence.Busy, presence.InACall)
	if err := g.SetPresence(alice, busy, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := w.Clock.Advance(time.Second); err != nil { // Teams notifies after its notify delay
		t.Fatal(err)
	}
	p, err := g.Read(alice)
	if err != nil || p.Presence != busy {
		t.Fatalf("read after setPresence: %v, %v; want %v", p.Presence, err, busy)
	}
	if len(r.got) != 1 || r.got[0].Presence.Presence != busy || r.got[0].Presence.Sequence != p.Sequence {
		t.Fatalf("notifications %+v; want one of %v at sequence %d", r.got, busy, p.Sequence)
	}
	many, err := g.ReadMany([]teams.UserID{alice, bob}, nil)
	if err != nil || len(many) != 2 || many[1].User != bob {
		t.Fatalf("ReadMany = %+v, %v", many, err)
	}
	var ge *graph.Error
	if err := g.SetPresence(alice, busy, time.Minute); !errors.As(err, &ge) || ge.Status != 400 {
		t.Fatalf("an expiry under 5 minutes gave %v; want 400", err)
	}
	if _, err := g.ReadMany(make([]teams.UserID, graph.MaxBulkIDs+1), nil); !errors.As(err, &ge) || ge.Status != 400 {
		t.Fatalf("651 ids gave %v; want 400", err)
	}
	if _, err := g.Read(teams.UserID(99)); !errors.As(err, &ge) || ge.Status != 404 {
		t.Fatalf("unknown user gave %v; want 404", err)
	}
	var m graph.Mock
	if err := m.ClearPresence(alice); !errors.As(err, &ge) || ge.Status != 501 {
		t.Fatalf("an unset mock field gave %v; want 501", err)
	}
}
