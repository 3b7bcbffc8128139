package presence

import (
	"fmt"
	"strings"
	"time"
)

// PairRule is one table of accepted availability/activity pairs and the
// rule that states it.
type PairRule struct {
	API   string
	Rule  string
	Pairs []Presence
}

// SetPresencePairs are the pairs setPresence accepts (G-SET-1).
var SetPresencePairs = PairRule{
	API:  "setPresence",
	Rule: "G-SET-1",
	Pairs: []Presence{
		Of(Available, ActAvailable),
		Of(Busy, InACall),
		Of(Busy, InAConferenceCall),
		Of(Away, ActAway),
		Of(DoNotDisturb, Presenting),
	},
}

// PreferredPairs are the pairs setUserPreferredPresence accepts, which are
// also the states a user can pick by hand in Teams (G-PREF-1, T-MAN-1).
var PreferredPairs = PairRule{
	API:  "setUserPreferredPresence",
	Rule: "G-PREF-1",
	Pairs: []Presence{
		Of(Available, ActAvailable),
		Of(Busy, ActBusy),
		Of(DoNotDisturb, ActDoNotDisturb),
		Of(BeRightBack, ActBeRightBack),
		Of(Away, ActAway),
		Of(Offline, OffWork),
	},
}

// Accepts reports whether the pair p (flag ignored) is in the table.
func (r PairRule) Accepts(p Presence) bool {
	p = p.Pair()
	for _, q := range r.Pairs {
		if q == p {
			return true
		}
	}
	return false
}

// Check returns an error naming the accepted pairs when p is not one.
func (r PairRule) Check(p Presence) error {
	if r.Accepts(p) {
		return nil
	}
	names := make([]string, len(r.Pairs))
	for i, q := range r.Pairs {
		names[i] = q.Availability.String() + "/" + q.Activity.String()
	}
	return fmt.Errorf("%s does not accept %s/%s (%s); accepted: %s", r.API, p.Availability, p.Activity, r.Rule, strings.Join(names, ", "))
}

// PreferredExpiry is the default lifetime of a preferred presence set without
// a duration through Graph (G-PREF-1): Busy and DoNotDisturb one day, every
// other state seven days.
func PreferredExpiry(a Availability) time.Duration {
	switch a {
	case Busy, DoNotDisturb:
		return 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}
