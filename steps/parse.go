package steps

import (
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/event"
)

// ParseDuration reads a duration as every step and the event table read
// it: "10 minutes", "an hour", "2 days", "90 s" or "1h30m", up to a year.
func ParseDuration(s string) (time.Duration, error) { return event.ParseDuration(s) }

// ParseClock reads a clock time as clock.Parse does: "10:00", "10:00:30"
// or "day 2 09:00", on now's day when no day is named.
func ParseClock(s string, now clock.Time) (clock.Time, error) { return clock.Parse(s, now) }

// splitNames reads "alice", "alice and bob", "alice, bob and carol".
func splitNames(s string) []string { return event.SplitNames(s) }
