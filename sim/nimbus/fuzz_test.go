package nimbus

import (
	"strings"
	"testing"
)

// A column name that parses prints back to a name that parses to it.
func FuzzParseColumn(f *testing.F) {
	for _, s := range []string{"Available", "● Busy *", "Do not Disturb", "Away *", "Ⓞ Offline", "DoNotDisturb", "", "*", "●"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { readsBack(t, s, ParseColumn, Column.String) })
}

// readsBack checks that parse either refuses s naming the valid choices, or
// reads the name of what it accepts back to the same value.
func readsBack[T comparable](t *testing.T, s string, parse func(string) (T, error), name func(T) string) {
	t.Helper()
	v, err := parse(s)
	if err != nil {
		if !strings.Contains(err.Error(), "valid:") {
			t.Fatalf("error without the valid choices: %v", err)
		}
		return
	}
	if back, err := parse(name(v)); err != nil || back != v {
		t.Fatalf("%q → %v → %q → %v, %v", s, v, name(v), back, err)
	}
}

// A setting written as "line: decision" rows either parses and survives a
// round trip through its printed form, or is refused with a reason.
func FuzzParseDistribution(f *testing.F) {
	f.Add("Available: Distributed to the user\nBusy *: Distributed to the user\nDo not Disturb: NOT distributed to the user\nAway *: NOT distributed to the user\nOffline: NOT distributed to the user")
	f.Add("Available: distributed\nBusy: not distributed")
	f.Add("Offline: NOT distributed tot he user")
	f.Fuzz(func(t *testing.T, s string) {
		var rows [][2]string
		for _, line := range strings.Split(s, "\n") {
			k, v, _ := strings.Cut(line, ":")
			rows = append(rows, [2]string{k, v})
		}
		d, err := ParseDistribution(rows)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		var back [][2]string
		for _, part := range strings.Split(d.String(), "; ") {
			k, v, _ := strings.Cut(part, ": ")
			back = append(back, [2]string{k, v})
		}
		if d2, err := ParseDistribution(back); err != nil || d2 != d {
			t.Fatalf("%q → %s → %v, %v", s, d, d2, err)
		}
	})
}

// A configuration name parses to a configuration whose name parses to it.
func FuzzParseConfig(f *testing.F) {
	for _, c := range Configurations {
		f.Add(c.Name)
	}
	f.Add("federation and Busy distributed")
	f.Add("presence accounts and busy not distributed")
	f.Fuzz(func(t *testing.T, s string) {
		readsBack(t, s, ParseConfig, func(c Config) string { return c.Name })
	})
}
