package clock

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := At(3, 14, 0) // a day other than the first, so a bare time shows it is on now's day
	tests := []struct {
		in   string
		want Time
		err  string // a part of the error; "" for none
	}{
		{"09:30", At(3, 9, 30), ""},
		{"9:30", At(3, 9, 30), ""},
		{" 09:30 ", At(3, 9, 30), ""},
		{"00:00", At(3, 0, 0), ""},
		{"23:59:59", At(3, 23, 59).Add(59 * time.Second), ""},
		{"10:00:30.25", At(3, 10, 0).Add(30*time.Second + 250*time.Millisecond), ""},
		{"10:00:00.000000001", At(3, 10, 0).Add(1), ""},
		{"day 1 09:00", At(1, 9, 0), ""},
		{"day 2 09:00:05", At(2, 9, 0).Add(5 * time.Second), ""},
		{"day 10000 23:59", At(MaxDay, 23, 59), ""},
		{"24:00", 0, "hours 0-23"},
		{"12:60", 0, "minutes and seconds 0-59"},
		{"12:00:60", 0, "minutes and seconds 0-59"},
		{"day 0 10:00", 0, "days count from 1 to 10000"},
		{"day 10001 10:00", 0, "days count from 1 to 10000"},
		{"day 99999999999999999999 10:00", 0, "days count from 1 to 10000"},
		{"", 0, "malformed time"},
		{"9:5", 0, "malformed time"},
		{"123:00", 0, "malformed time"},
		{"-1:00", 0, "malformed time"},
		{"+9:00", 0, "malformed time"},
		{"09:30 tomorrow", 0, "malformed time"},
		{"09:30:5", 0, "malformed time"},
		{"09:30:05.", 0, "malformed time"},
		{"09:30:05.1234567890", 0, "malformed time"},
		{"Day 2 09:00", 0, "malformed time"},
		{"day 2 09:00 x", 0, "malformed time"},
		{"day -2 09:00", 0, "malformed time"},
		{"09:30.5", 0, "malformed time"},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in, now)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("Parse(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("Parse(%q) = %s, %v; want an error saying %q", tc.in, got, err, tc.err)
		}
	}
	if _, err := Parse(strings.Repeat("9", 10000), now); err == nil || len(err.Error()) > 120 {
		t.Errorf("a long input: %v, want a short error", err)
	}
}

// FuzzParse: any text gives a time or an error, never a panic; a time
// String prints reads back as itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"09:45", "day 2 09:00", "23:59:59", "10:00:30.25", "24:00", "day 0 10:00", "day 99999999999999999999 10:00"} {
		f.Add(s, int64(At(2, 9, 30)))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		if at, err := Parse(s, At(1, 9, 0)); err == nil && (at < 0 || at.Day() > MaxDay) {
			t.Fatalf("Parse(%q) = %s", s, at)
		}
		// String prints to the millisecond, days 1 to MaxDay
		span := int64(MaxDay) * int64(24*time.Hour/time.Millisecond)
		ms := n % span
		if ms < 0 {
			ms = -ms
		}
		at := Time(time.Duration(ms) * time.Millisecond)
		got, err := Parse(at.String(), 0)
		if err != nil || got != at {
			t.Fatalf("Parse(%q) = %s, %v; want %s (%d ns)", at.String(), got, err, at, int64(at))
		}
	})
}
