package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// world builds a world with alice on the PBX (a desk phone) and in Teams.
func world(t *testing.T) (*sim.World, int) {
	t.Helper()
	w := sim.MustNew(7)
	id, err := w.AddUser("alice", "")
	if err != nil {
		t.Fatal(err)
	}
	m := pbx.Of(w)
	i, err := m.Ensure(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddDevice(i, pbx.DeskPhone); err != nil {
		t.Fatal(err)
	}
	return w, i
}

// await waits, with the world held at each change, until cond holds or d
// passes; d only matters when the test fails.
func await(s *Session, d time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.World().Await(ctx, func(*sim.World) bool { return cond() }) == nil
}

// in runs fn with the session's world held.
func in(s *Session, fn func() error) error {
	return s.World().Do(func(*sim.World) error { return fn() })
}

func TestReferenceInProcessWritesAndClears(t *testing.T) {
	w, i := world(t)
	s, err := Start(w, Target{Integration: "cloudlink"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	var alice teams.UserID
	_ = in(s, func() error { alice, err = w.Teams.User("alice"); return err })
	busy := presence.Of(presence.Busy, presence.InACall)
	err = in(s, func() error { return pbx.Of(w).LineEvent(i, pbx.DeskPhone, pbx.OffHook) })
	if err != nil {
		t.Fatal(err)
	}
	if !await(s, eventually.Bound, func() bool { p, _, ok := w.Teams.AppSession(alice, s.AppSession); return ok && p == busy }) {
		t.Fatalf("no Busy/InACall session within 10 s\n%s", s.OutputTail(20))
	}
	err = in(s, func() error { return pbx.Of(w).LineEvent(i, pbx.DeskPhone, pbx.HangUp) })
	if err != nil {
		t.Fatal(err)
	}
	if !await(s, eventually.Bound, func() bool { _, _, ok := w.Teams.AppSession(alice, s.AppSession); return !ok }) {
		t.Fatalf("session not cleared within 10 s\n%s", s.OutputTail(20))
	}
	vs := s.Judge(s.World().Now())
	if len(vs) > 0 {
		t.Fatalf("the reference connector broke rules:\n%s", Report(vs))
	}
	out := s.Stop()
	if !strings.Contains(out, "setPresence Busy/InACall") {
		t.Errorf("output does not show the write:\n%s", out)
	}
	_ = connector.NoFault
}
