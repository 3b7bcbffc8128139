package teams_test

import (
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// TestHistoryIsBounded: a user changing every minute for weeks keeps at
// most MaxHistory changes, and the recent past still reads exactly.
func TestHistoryIsBounded(t *testing.T) {
	w := sim.MustNew(1)
	alice, _ := w.AddUser("alice", "")
	if err := w.Teams.SignIn(alice, teams.Desktop); err != nil {
		t.Fatal(err)
	}
	busy := presence.Of(presence.Busy, presence.ActBusy)
	n := 3 * teams.MaxHistory
	for i := 0; i < n; i++ {
		var err error
		if i%2 == 0 {
			err = w.Teams.SetPreferred(alice, busy, 0, teams.ViaClient)
		} else {
			err = w.Teams.ClearPreferred(alice)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Clock.Advance(time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if got := teams.HistoryLen(w.Teams, alice); got > teams.MaxHistory {
		t.Fatalf("after %d changes the history holds %d; want at most %d", n, got, teams.MaxHistory)
	}
	now := w.Clock.Now()
	// the last change (i = n-1, odd: cleared) was a minute ago; the one
	// before it set Busy
	if got := w.Teams.PresenceAt(alice, now.Add(-90*time.Second)); got != busy {
		t.Fatalf("90 s ago alice read %s; want %s", got, busy)
	}
	if got := w.Teams.PresenceAt(alice, now); got == busy {
		t.Fatalf("now alice read %s; she cleared it", got)
	}
}
