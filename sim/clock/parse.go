package clock

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MaxDay bounds the day a clock time may name ("day 10000 09:00"): far
// beyond any scenario or soak, well inside virtual time's range.
const MaxDay = 10000

var clockRe = regexp.MustCompile(`^(?:day (\d+) )?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$`)

// Parse reads a clock time as String prints it: "10:00", "10:00:30",
// "10:00:30.25" or "day 2 09:00". Without a day the time falls on now's day.
// Hours run 0-23, minutes and seconds 0-59, days 1 to MaxDay; surrounding
// white space is ignored.
func Parse(s string, now Time) (Time, error) {
	m := clockRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("malformed time %q; write hh:mm, e.g. 09:30, or \"day 2 09:30\"", clip(s))
	}
	day := now.Day()
	if m[1] != "" {
		d, err := strconv.Atoi(m[1])
		if err != nil || d < 1 || d > MaxDay {
			return 0, fmt.Errorf("malformed time %q: days count from 1 to %d", clip(s), MaxDay)
		}
		day = d
	}
	h, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	sec := 0
	if m[4] != "" {
		sec, _ = strconv.Atoi(m[4])
	}
	if h > 23 || mi > 59 || sec > 59 {
		return 0, fmt.Errorf("malformed time %q: hours 0-23, minutes and seconds 0-59", clip(s))
	}
	var frac time.Duration
	if m[5] != "" {
		n, _ := strconv.Atoi(m[5] + strings.Repeat("0", 9-len(m[5])))
		frac = time.Duration(n)
	}
	return At(day, h, mi).Add(time.Duration(sec)*time.Second + frac), nil
}

// clip shortens what an error quotes back.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
