package served

import (
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// Every event the error message offers is one the endpoint handles.
func TestEventNamesAreHandled(t *testing.T) {
	for _, name := range eventNames {
		w := mustWorld(t)
		ev := event{Event: name, User: "alice", Users: []string{"alice"}, Presence: "Busy"}
		if err := ev.apply(w); err != nil && strings.Contains(err.Error(), "unknown event") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (event{Event: "dance", User: "alice"}).apply(mustWorld(t)); err == nil || !strings.Contains(err.Error(), "unknown event") {
		t.Errorf("dance: %v", err)
	}
}

func mustWorld(t *testing.T) *sim.World {
	w, err := sim.New(1, teams.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddUser("alice", ""); err != nil {
		t.Fatal(err)
	}
	return w
}
