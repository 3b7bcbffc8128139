package steps

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// TestTeamsViewMessages runs view steps that fail on purpose and checks
// each failure reads well: expected against derived, values by name, the
// rule that decided, no empty source list.
func TestTeamsViewMessages(t *testing.T) {
	st, out := runSuite(t, "teams messages", nil, godog.Options{Format: "cucumber", Paths: []string{"testdata/teams/messages.feature"}, Concurrency: 2})
	if st == 0 {
		t.Fatal("the failing scenarios passed")
	}
	got := failures(t, out)
	want := map[string][]string{
		"stays until breaks at an event": {"to equal\n    <presence.Presence>: Available/Available", "alice's presence was to stay Available/Available (Available) from 09:00 until 09:10, but at 09:05 it is Away/Away (Away) by T-ACT-2"},
		"last seen while Available":      {"bob's view of alice at 09:00: expected Available/Available (Available), last seen 09:00, the model derived Available/Available (Available) by T-ACT-1"},
		"a user without a session": {"expected Available/Available (Available), the model derived Offline/Offline (Offline) by T-AGG-4",
			"chosen by T-AGG-4 from no session"},
		"within passes its bound":          {"within 2 minutes of 09:00: expected alice's presence to show Away/Away (Away), but at 09:02 it still is Available/Available (Available) by T-ACT-1"},
		"a lock without a computer client": {"alice's computer holds no Teams client (desktop or web) to lock; alice is signed in on mobile"},
		"Blockiert without a block":        {`expected "Blockiert" (alice blocks bob, T-FED-3)`, "alice does not block bob"},
		"a federated view stays until":     {"the federated view of alice was to stay Available/Available (Available) from 09:00 until 09:30, but at 09:05 it is Away/Away (Away) by T-FED-1 from internal Away"},
		"a word that is no presence":       {`"Zuletzt gesehen" (seed 003) is the last seen, not a presence`, "last seen 09:00"},
	}
	numbers := regexp.MustCompile(`<presence\.\w+>: \d|\{Availability:|from ;|from \n`)
	for name, texts := range want {
		msg, ok := got[name]
		if !ok {
			t.Errorf("scenario %q did not fail; failed: %v", name, keys(got))
			continue
		}
		for _, w := range texts {
			if !strings.Contains(msg, w) {
				t.Errorf("failure of %q does not say %q:\n%s", name, w, msg)
			}
		}
		if m := numbers.FindString(msg); m != "" {
			t.Errorf("failure of %q prints %q:\n%s", name, m, msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d scenarios failed, want %d: %v", len(got), len(want), keys(got))
	}
}
