package connector

import (
	"fmt"
	"strings"
)

// Fault is a documented way a connector can be wrong; the reference
// connector plants one on request so that the conformance run can show it
// fails in the rules the fault breaks.
type Fault uint8

// The faults, each with the rules a run against it must report broken.
const (
	NoFault           Fault = iota
	NoRefresh               // writes its session once and never refreshes it (C-2)
	PushDND                 // pushes DoNotDisturb as preferred presence (C-4, CL-7)
	Echo                    // reads its own write back and writes it again (C-9)
	IgnoreRetryAfter        // retries a 429 at once instead of after Retry-After (C-5)
	WrongSession            // uses the user's id as sessionId, not its app id (C-1)
	WriteAvailable          // writes Available instead of clearing its session (C-3)
	NoRenew                 // reader: lets its subscription expire (C-6)
	Rewind                  // reader: takes an older presence after a newer one (C-8)
	NoTokenCache            // asks for a new token before every Graph request (C-11)
	PBXMissTerminated       // PBX connector: misses a dialog's terminated, so the call never ends (C-3)
	PBXNoRefresh            // PBX connector: writes its session once and never refreshes it (C-2)
	PBXWrongSession         // PBX connector: uses the user's id as sessionId (C-1)
	XPhoneEcho              // two-way: mirrors its own session back and writes it again (C-9, XP-13)
	FirstDNDWrong           // two-way: selects the last Do-not-disturb profile, not the first (XP-6)
	NoCleanup               // two-way: leaves the appointment of a Teams call behind (XP-8)
	DNDAsSession            // two-way: writes XPhone's Do not disturb as its session (XP-10, C-4)
	NoPollFallback          // two-way: does not poll when notifications stop (C-7)
	OldWins                 // two-way: takes an older presence after a newer one (C-8)
	PollEach                // reads every user's presence, one request each, on every pass (C-12)
	numFaults
)

// FaultInfo names a fault and the rules it breaks.
type FaultInfo struct {
	Name  string
	Rules []string
	Doc   string
	// Integration is the reference connector the fault is planted in.
	Integration string
}

var faults = [numFaults]FaultInfo{
	NoFault:           {"none", nil, "the reference behaviour", ""},
	NoRefresh:         {"no-refresh", []string{"C-2"}, "writes its session once and never refreshes it, so it expires while the state holds", "cloudlink"},
	PushDND:           {"push-dnd", []string{"C-4", "CL-7"}, "pushes the PBX's Do not disturb into Teams as preferred presence", "cloudlink"},
	Echo:              {"echo", []string{"C-9"}, "reads its own write back as a change and writes it again", "cloudlink"},
	IgnoreRetryAfter:  {"ignore-retry-after", []string{"C-5"}, "retries a throttled request after 50 ms instead of waiting Retry-After", "cloudlink"},
	WrongSession:      {"wrong-session", []string{"C-1"}, "uses the user's object id as sessionId instead of its application id", "cloudlink"},
	WriteAvailable:    {"write-available", []string{"C-3"}, "writes Available/Available when a state ends instead of clearing its session", "cloudlink"},
	NoRenew:           {"no-renew", []string{"C-6"}, "never renews its subscription, so notifications stop when it expires", "nimbus"},
	Rewind:            {"rewind", []string{"C-8"}, "after taking a newer presence, takes the one before it again, as if an older read came in late", "nimbus"},
	NoTokenCache:      {"no-token-cache", []string{"C-11"}, "asks the identity platform for a new token before every Graph request instead of caching it until shortly before it expires", "cloudlink"},
	PBXMissTerminated: {"miss-terminated", []string{"C-3"}, "skips a NOTIFY whose dialogs are all terminated, so the call never ends in Teams", "pbx"},
	PBXNoRefresh:      {"no-refresh", []string{"C-2"}, "writes its session once and never refreshes it, so it expires while the call lasts", "pbx"},
	PBXWrongSession:   {"wrong-session", []string{"C-1"}, "uses the user's object id as sessionId instead of its application id", "pbx"},
	XPhoneEcho:        {"echo", []string{"C-9", "XP-13"}, "reads its own session back as a Teams call: writes it again and mirrors it into an appointment", "xphone"},
	FirstDNDWrong:     {"first-dnd-wrong", []string{"XP-6"}, "selects the last Do-not-disturb profile of \"Meine Profile\" for Teams' Do not disturb, not the first", "xphone"},
	NoCleanup:         {"no-cleanup", []string{"XP-8"}, "never deletes the appointment of a Teams call or meeting when it ends", "xphone"},
	DNDAsSession:      {"dnd-as-session", []string{"XP-10", "C-4"}, "writes XPhone's Do not disturb as its own session (DoNotDisturb/Presenting) instead of preferred presence", "xphone"},
	NoPollFallback:    {"no-poll-fallback", []string{"C-7"}, "does not poll when change notifications stop, so it misses Teams' changes", "xphone"},
	OldWins:           {"old-wins", []string{"C-8"}, "after taking a newer Teams presence, takes the one before it again, as if an older read came in late", "xphone"},
	PollEach:          {"poll-each", []string{"C-12"}, "reads every user's presence from Teams, one GET per user, on every pass before it writes, instead of keeping what it wrote (or reading 650 at a time)", "cloudlink"},
}

// Info describes the fault.
func (f Fault) Info() FaultInfo {
	if f < numFaults {
		return faults[f]
	}
	return FaultInfo{Name: fmt.Sprintf("fault(%d)", f)}
}

func (f Fault) String() string { return f.Info().Name }

// AtScale says the fault shows only at a tenant's scale, in a soak's
// figures (C-12), not in a conformance scenario of a few people.
func (f Fault) AtScale() bool { return f == PollEach }

// FaultsOf lists the faults of one reference connector.
func FaultsOf(integration string) []Fault {
	var out []Fault
	for _, f := range Faults() {
		if faults[f].Integration == integration {
			out = append(out, f)
		}
	}
	return out
}

// Faults lists every fault but NoFault.
func Faults() []Fault {
	out := make([]Fault, 0, numFaults-1)
	for f := NoFault + 1; f < numFaults; f++ {
		out = append(out, f)
	}
	return out
}

// ParseFault reads the name of a fault of the integration's connector.
func ParseFault(integration, s string) (Fault, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	names := []string{faults[NoFault].Name}
	for _, f := range FaultsOf(integration) {
		names = append(names, faults[f].Name)
	}
	for f := NoFault; f < numFaults; f++ {
		if faults[f].Name == s && (f == NoFault || faults[f].Integration == integration) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown fault %q for the %s connector; valid: %s", s, integration, strings.Join(names, ", "))
}
