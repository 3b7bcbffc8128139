package nimbus

import (
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim/presence"
)

// Every availability falls in exactly one column.
func TestGroupingsCoverEveryAvailability(t *testing.T) {
	seen := map[presence.Availability]int{}
	for _, g := range Groupings {
		seen[g.Availability]++
		if !strings.HasPrefix(g.Rule, "NB-2") {
			t.Errorf("grouping of %s names rule %q, want NB-2", g.Availability, g.Rule)
		}
	}
	for _, a := range append(presence.Availabilities(), presence.AvailabilityUnknown) {
		if seen[a] != 1 {
			t.Errorf("%s is grouped %d times, want once", a, seen[a])
		}
	}
}

// The two tables of seed 003, read as the document writes them.
func TestSeedTables(t *testing.T) {
	first := [][2]string{
		{"● Available", "Distributed to the user"},
		{"● Busy *", "Distributed to the user"},
		{"● Do not Disturb", "NOT distributed to the user"},
		{"● Away *", "NOT distributed to the user"},
		{"Ⓞ Offline", "NOT distributed to the user"},
	}
	second := append([][2]string(nil), first...)
	second[1][1] = "NOT distributed to the user"
	for _, tc := range []struct {
		name string
		rows [][2]string
		want Distribution
		// what each availability gets
		allowed map[presence.Availability]bool
	}{
		{"first", first, BusyDistributed, map[presence.Availability]bool{
			presence.Available: true, presence.AvailableIdle: true, presence.Busy: true, presence.BusyIdle: true,
			presence.DoNotDisturb: false, presence.Away: false, presence.BeRightBack: false, presence.Offline: false, presence.AvailabilityUnknown: false}},
		{"second", second, AvailableOnly, map[presence.Availability]bool{
			presence.Available: true, presence.Busy: false, presence.BusyIdle: false, presence.DoNotDisturb: false, presence.Away: false, presence.Offline: false}},
	} {
		d, err := ParseDistribution(tc.rows)
		if err != nil {
			t.Fatalf("%s table: %v", tc.name, err)
		}
		if d != tc.want {
			t.Errorf("%s table: got %s, want %s", tc.name, d, tc.want)
		}
		for a, want := range tc.allowed {
			if got, _, _ := d.Allows(a); got != want {
				t.Errorf("%s table: %s distributed = %v, want %v", tc.name, a, got, want)
			}
		}
	}
}

func TestParseDistributionRefuses(t *testing.T) {
	all := func() [][2]string {
		var rows [][2]string
		for _, c := range Columns() {
			rows = append(rows, [2]string{c.String(), "distributed"})
		}
		return rows
	}
	missing := all()[:4]
	dup := append(all(), [2]string{"Busy", "not distributed"})
	bad := all()
	bad[2][1] = "maybe"
	unknown := all()
	unknown[0][0] = "Available, out of office"
	for _, tc := range []struct {
		name string
		rows [][2]string
		want string
	}{
		{"missing", missing, "lacks Offline"},
		{"twice", dup, "names \"Busy *\" twice"},
		{"bad decision", bad, "valid: \"Distributed to the user\""},
		{"unknown line", unknown, "valid: Available, Busy *"},
	} {
		_, err := ParseDistribution(tc.rows)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestParseColumnSpellings(t *testing.T) {
	for in, want := range map[string]Column{
		"Available": ColAvailable, "busy": ColBusy, "Busy *": ColBusy, "● Busy *": ColBusy,
		"Do not Disturb": ColDoNotDisturb, "DoNotDisturb": ColDoNotDisturb, "do-not-disturb": ColDoNotDisturb,
		"Away *": ColAway, "Ⓞ Offline": ColOffline,
	} {
		got, err := ParseColumn(in)
		if err != nil || got != want {
			t.Errorf("ParseColumn(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
