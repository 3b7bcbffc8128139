package nimbus

import (
	"bytes"
	"testing"
)

func dayText(t testing.TB, d DayConfig) string {
	t.Helper()
	rep, err := RunDay(d)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The same seed gives the same day, byte for byte; another seed another.
func TestDayIsDeterministic(t *testing.T) {
	a, b := dayText(t, DefaultDay(7)), dayText(t, DefaultDay(7))
	if a != b {
		t.Fatalf("two runs of seed 7 differ:\n%s\n---\n%s", a, b)
	}
	if c := dayText(t, DefaultDay(8)); c == a {
		t.Fatalf("seeds 7 and 8 gave the same report; the seed is not used:\n%s", a)
	}
	t.Log("\n" + a)
}
