package graph

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MaxISODuration is the longest duration ParseISODuration reads: longer
// than any Graph duration field takes, and far enough from time.Duration's
// limit (about 292 years) that adding it to the world's clock cannot
// overflow.
const MaxISODuration = 100 * 365 * 24 * time.Hour

// ParseISODuration reads an ISO 8601 duration as Graph writes them:
// "PT5M", "PT1H30M", "P1D", "P1DT2H", "PT90S", "PT0.5S", "P1W". Years and
// months are refused: their length depends on the calendar. So is
// anything longer than MaxISODuration.
func ParseISODuration(s string) (time.Duration, error) {
	const tooLong = "longer than 36500 days"
	bad := func(why string) (time.Duration, error) {
		return 0, fmt.Errorf("malformed ISO 8601 duration %q: %s; write e.g. PT5M, PT1H30M, P1D", s, why)
	}
	if len(s) < 2 || (s[0] != 'P' && s[0] != 'p') {
		return bad("it must start with P")
	}
	rest := s[1:]
	var total time.Duration
	inTime, any := false, false
	for len(rest) > 0 {
		if rest[0] == 'T' || rest[0] == 't' {
			if inTime {
				return bad("T appears twice")
			}
			inTime, rest = true, rest[1:]
			if rest == "" {
				return bad("nothing after T")
			}
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.' || rest[i] == ',') {
			i++
		}
		if i == 0 || i == len(rest) {
			return bad("expected a number followed by a unit")
		}
		num := strings.ReplaceAll(rest[:i], ",", ".")
		unit := rest[i] | 0x20
		rest = rest[i+1:]
		whole, frac, _ := strings.Cut(num, ".")
		if whole+frac == "" || strings.Contains(frac, ".") {
			return bad("number out of range")
		}
		var u time.Duration
		switch {
		case !inTime && unit == 'w':
			u = 7 * 24 * time.Hour
		case !inTime && unit == 'd':
			u = 24 * time.Hour
		case inTime && unit == 'h':
			u = time.Hour
		case inTime && unit == 'm':
			u = time.Minute
		case inTime && unit == 's':
			u = time.Second
		case !inTime && (unit == 'y' || unit == 'm'):
			return bad("years and months are not supported")
		default:
			return bad("unknown unit " + string(unit))
		}
		// Whole units are counted in integers, checked before they are
		// multiplied, so that neither a part nor the sum can wrap; only the
		// fraction, less than one unit, goes through floating point.
		var n uint64
		if whole != "" {
			var err error // only digits: the one error is ErrRange
			if n, err = strconv.ParseUint(whole, 10, 64); err != nil || n > uint64((MaxISODuration-total)/u) {
				return bad(tooLong)
			}
		}
		part := time.Duration(n) * u
		if frac != "" {
			f, err := strconv.ParseFloat("0."+frac, 64)
			if err != nil {
				return bad("number out of range")
			}
			part += time.Duration(math.Round(f * float64(u)))
		}
		if part > MaxISODuration-total {
			return bad(tooLong)
		}
		total += part
		any = true
	}
	if !any {
		return bad("no value")
	}
	return total, nil
}
