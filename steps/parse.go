package steps

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
)

var durationRe = regexp.MustCompile(`^(\d+|an?|one)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d|weeks?)$`)

// ParseDuration reads "10 minutes", "1 hour", "an hour", "2 days", "a
// second", "90 seconds" (singular or plural) or a Go duration ("1h30m").
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(strings.ToLower(s))
	if m := durationRe.FindStringSubmatch(in); m != nil {
		n := 1
		if m[1][0] >= '0' && m[1][0] <= '9' {
			var err error
			if n, err = strconv.Atoi(m[1]); err != nil {
				return 0, fmt.Errorf("malformed duration %q: %v", s, err)
			}
		}
		unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[m[2][0]]
		if int64(n) > int64(clock.MaxDay*24*time.Hour/unit) {
			return 0, fmt.Errorf("duration %q is longer than %d days", s, clock.MaxDay)
		}
		return time.Duration(n) * unit, nil
	}
	if d, err := time.ParseDuration(in); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("malformed duration %q; write e.g. \"10 minutes\", \"2 hours\", \"1 day\", \"90 seconds\" or \"1h30m\"", s)
}

// ParseClock reads a clock time as clock.Parse does: "10:00", "10:00:30"
// or "day 2 09:00", on now's day when no day is named.
func ParseClock(s string, now clock.Time) (clock.Time, error) { return clock.Parse(s, now) }

// splitNames reads "alice", "alice and bob", "alice, bob and carol".
func splitNames(s string) []string {
	s = strings.ReplaceAll(s, " and ", ",")
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
