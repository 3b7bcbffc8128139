package clock

import (
	"fmt"
	"time"
)

// Time is a point of virtual time: the offset from the start of the
// simulation (Monday 00:00 of day 1).
type Time time.Duration

// Epoch is the calendar date virtual time zero stands for, used only to
// print timestamps a person can read and to render Graph date-times.
var Epoch = time.Date(2026, time.January, 5, 0, 0, 0, 0, time.UTC)

// Add returns t moved by d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the duration t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Wall returns the calendar time t stands for.
func (t Time) Wall() time.Time { return Epoch.Add(time.Duration(t)) }

// At builds the time of hh:mm on the given day (day 1 is the first).
func At(day, hh, mm int) Time {
	return Time(time.Duration(day-1)*24*time.Hour + time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// Day returns the 1-based day t falls on.
func (t Time) Day() int { return int(time.Duration(t)/(24*time.Hour)) + 1 }

// String prints "09:05" on day 1, "day 2 09:05" later, with seconds only when
// they are not zero.
func (t Time) String() string {
	d := time.Duration(t)
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	day := int(d / (24 * time.Hour))
	d -= time.Duration(day) * 24 * time.Hour
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	s := d % time.Minute
	out := fmt.Sprintf("%02d:%02d", h, m)
	if s != 0 {
		out += fmt.Sprintf(":%06.3f", s.Seconds())
		out = trimZeros(out)
	}
	if day > 0 {
		out = fmt.Sprintf("day %d %s", day+1, out)
	}
	return neg + out
}

func trimZeros(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
