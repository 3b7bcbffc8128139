package reports

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestFailedRules: a failed step fails the rules its violation lines name,
// with the wire-log block of each; without violation lines, the profile's
// rules its message names; otherwise none (the caller then fails the
// scenario's own rules).
func TestFailedRules(t *testing.T) {
	in := map[string]bool{"C-4": true, "C-9": true, "XP-6": true, "XP-13": true}
	keeps := Step{Status: Failed, Message: strings.Join([]string{
		"the reference xphone connector (in process) broke C-9, XP-13:",
		"  C-9 at 00:01:02 (alice): wrote Busy/InACall again 20ms after writing it",
		"  XP-13 at 00:01:03 (alice): created the appointment \"Am Telefon (MS Teams)\" for a Teams call",
		"  T-AGG-1 at 00:01:04 (alice): not in the profile",
		"wire log excerpt:",
		"  C-9 at 00:01:02:",
		"    00:01:01 POST /v1.0/users/x/presence/setPresence setPresence Busy/InACall → 200",
		"  XP-13 at 00:01:03:",
		"    xphone 00:01:03 alice: appointment created #1",
		"Expected",
	}, "\n")}
	within := Step{Status: Failed, Message: "alice's profile in XPhone did not become \"Konzentriert\" within 10s (XP-6: the first Do-not-disturb profile)\nExpected\n    <string>: Nicht stören"}
	silent := Step{Status: Failed, Error: "the connector under test has exited (exit status 3)"}
	for _, c := range []struct {
		name   string
		st     Step
		rules  []string
		sample map[string]string // a line the rule's evidence must hold
	}{
		{"violations with wire log", keeps, []string{"C-9", "XP-13"}, map[string]string{
			"C-9":   "00:01:01 POST /v1.0/users/x/presence/setPresence setPresence Busy/InACall → 200",
			"XP-13": "xphone 00:01:03 alice: appointment created #1"}},
		{"a rule named in the message", within, []string{"XP-6"}, map[string]string{"XP-6": "    <string>: Nicht stören"}},
		{"no rule named", silent, nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := failedRules(c.st, in)
			var ids []string
			for id := range got {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			if !reflect.DeepEqual(ids, c.rules) {
				t.Fatalf("failed rules %v, want %v", ids, c.rules)
			}
			for id, line := range c.sample {
				found := false
				for _, l := range got[id] {
					found = found || l == line
				}
				if !found {
					t.Errorf("%s's evidence lacks %q:\n%s", id, line, strings.Join(got[id], "\n"))
				}
			}
		})
	}
	if v := violationOf("C-9", []string{"C-9 at 00:01:02 (alice): wrote Busy/InACall again"}); v != "wrote Busy/InACall again" {
		t.Errorf("verdict line %q", v)
	}
}
