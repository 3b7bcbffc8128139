package steps

import (
	"testing"
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
