package event_test

import (
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/event"
)

func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		err  string // a part of the error; "" when it reads
	}{
		{"1 minute", time.Minute, ""},
		{"2 minutes", 2 * time.Minute, ""},
		{"a minute", time.Minute, ""},
		{"one minute", time.Minute, ""},
		{"an hour", time.Hour, ""},
		{"3 hours", 3 * time.Hour, ""},
		{"a second", time.Second, ""},
		{"90 seconds", 90 * time.Second, ""},
		{"1 day", 24 * time.Hour, ""},
		{"2 days", 48 * time.Hour, ""},
		{"120 s", 2 * time.Minute, ""},
		{"5 min", 5 * time.Minute, ""},
		{"24 h", 24 * time.Hour, ""},
		{"2 weeks", 14 * 24 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"365 days", 365 * 24 * time.Hour, ""},
		{"366 days", 0, "longer than a year"},
		{"1000000 weeks", 0, "longer than a year"},
		{"99999999999999999999 days", 0, "longer than a year"},
		{"9000h", 0, "longer than a year"},
		{"-5m", 0, "malformed"},
		{"a while", 0, "malformed"},
	} {
		d, err := event.ParseDuration(c.in)
		switch {
		case c.err == "" && (err != nil || d != c.want):
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", c.in, d, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseDuration(%q) = %s, %v; want an error saying %q", c.in, d, err, c.err)
		}
	}
}

// FuzzParseDuration: any text gives a duration of at most a year or an
// error, never a panic or a negative duration; a duration of whole
// seconds writes back (Duration) to text that reads as the same.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"1 minute", "an hour", "a second", "90 seconds", "2 days", "1h30m", "one minute", "-5m", "99999999999999999999 days", "a", "3 w", "1500ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := event.ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 || d > 365*24*time.Hour {
			t.Fatalf("ParseDuration(%q) = %s", s, d)
		}
		if d%time.Second != 0 {
			return // Duration writes whole seconds, as the steps say them
		}
		if back, err := event.ParseDuration(event.Duration(d)); err != nil || back != d {
			t.Fatalf("ParseDuration(%q) = %s, written %q, read back %s, %v", s, d, event.Duration(d), back, err)
		}
	})
}
