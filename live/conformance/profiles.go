package conformance

import (
	"fmt"
	"strings"
)

// Profile is the set of rules a kind of connector is held to: what its
// conformance report lists, rule by rule, as passed, failed or not
// exercised. The rows are data; a profile of another kind of connector is
// one more row.
type Profile struct {
	// Integration is the --connector name the profile applies to.
	Integration string
	// Name is how the report names the profile ("XPhone profile").
	Name string
	// Rules are the rulebook ids, in the order the report lists them.
	Rules []string
}

// Profiles are the conformance profiles, one per kind of connector:
//   - a one-way writer from a PBX (cloudlink): its session, refresh,
//     clear, no preferred presence, throttling, recovery, echo and
//     authentication, and the CloudLink mapping;
//   - a reader (nimbus): subscription, polling fallback, order of
//     presences, authentication;
//   - any PBX connector (pbx): line state to a session, refreshed,
//     cleared, no preferred presence, throttling, recovery — CloudLink's precedence rules are not asked of it;
//   - a two-way sync (xphone): every connector rule, since it both writes
//     and reads, and the XPhone rules a sync can break; the XPhone
//     client's own settings (XP-1, XP-9, XP-11, XP-12) are not the sync's.
var Profiles = []Profile{
	{"cloudlink", "CloudLink", []string{"C-1", "C-2", "C-3", "C-4", "C-5", "C-9", "C-10", "C-11",
		"CL-2", "CL-3", "CL-4", "CL-6", "CL-7", "CL-8", "CL-10"}},
	{"nimbus", "Nimbus", []string{"C-6", "C-7", "C-8", "C-11"}},
	{"pbx", "PBX connector", []string{"C-1", "C-2", "C-3", "C-4", "C-5", "C-10"}},
	{"xphone", "XPhone", []string{"C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7", "C-8", "C-9", "C-10", "C-11",
		"XP-2", "XP-3", "XP-4", "XP-5", "XP-6", "XP-7", "XP-8", "XP-10", "XP-13", "XP-14"}},
}

// ProfileOf is the profile of an integration.
func ProfileOf(integration string) (Profile, error) {
	var names []string
	for _, p := range Profiles {
		if p.Integration == integration {
			return p, nil
		}
		names = append(names, p.Integration)
	}
	return Profile{}, fmt.Errorf("no conformance profile for %q; profiles: %s", integration, strings.Join(names, ", "))
}
