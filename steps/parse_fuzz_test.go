package steps

import (
	"testing"

	"github.com/presencesim/presencesim/sim/clock"
)

// FuzzParseDuration: any text gives a duration or an error, never a panic
// or a negative duration.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"1 minute", "an hour", "a second", "90 seconds", "2 days", "1h30m", "one minute", "-5m", "99999999999999999999 days", "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("ParseDuration(%q) = %s", s, d)
		}
	})
}

// FuzzParseClock: any text gives a time of day or an error, never a panic.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"09:45", "day 2 09:00", "23:59:59", "24:00", "day 0 10:00", "day 99999999999999999999 10:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := ParseClock(s, clock.At(1, 9, 0))
		if err == nil && at < 0 {
			t.Fatalf("ParseClock(%q) = %s", s, at)
		}
	})
}
