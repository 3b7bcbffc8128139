package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/connector"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
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

// await polls cond under the world's lock until it holds or d passes.
func await(s *Session, d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		s.w.Mu.Lock()
		ok := cond()
		s.w.Mu.Unlock()
		if ok {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

func TestReferenceInProcessWritesAndClears(t *testing.T) {
	w, i := world(t)
	s, err := Start(w, Target{Integration: "cloudlink"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	alice, _ := w.Teams.User("alice")
	busy := presence.Of(presence.Busy, presence.InACall)
	w.Mu.Lock()
	err = pbx.Of(w).LineEvent(i, pbx.DeskPhone, pbx.OffHook)
	w.Mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if !await(s, 5*time.Second, func() bool { p, _, ok := w.Teams.AppSession(alice, s.AppSession); return ok && p == busy }) {
		t.Fatalf("no Busy/InACall session within 5 s\n%s", s.OutputTail(20))
	}
	w.Mu.Lock()
	err = pbx.Of(w).LineEvent(i, pbx.DeskPhone, pbx.HangUp)
	w.Mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if !await(s, 5*time.Second, func() bool { _, _, ok := w.Teams.AppSession(alice, s.AppSession); return !ok }) {
		t.Fatalf("session not cleared within 5 s\n%s", s.OutputTail(20))
	}
	w.Mu.Lock()
	vs := s.Judge(w.Clock.Now())
	w.Mu.Unlock()
	if len(vs) > 0 {
		t.Fatalf("the reference connector broke rules:\n%s", Report(vs))
	}
	out := s.Stop()
	if !strings.Contains(out, "setPresence Busy/InACall") {
		t.Errorf("output does not show the write:\n%s", out)
	}
	_ = connector.NoFault
}
