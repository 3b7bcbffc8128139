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
	NoFault          Fault = iota
	NoRefresh              // writes its session once and never refreshes it (C-2)
	PushDND                // pushes DoNotDisturb as preferred presence (C-4, CL-7)
	Echo                   // reads its own write back and writes it again (C-9)
	IgnoreRetryAfter       // retries a 429 at once instead of after Retry-After (C-5)
	WrongSession           // uses the user's id as sessionId, not its app id (C-1)
	WriteAvailable         // writes Available instead of clearing its session (C-3)
	numFaults
)

// FaultInfo names a fault and the rules it breaks.
type FaultInfo struct {
	Name  string
	Rules []string
	Doc   string
}

var faults = [numFaults]FaultInfo{
	NoFault:          {"none", nil, "the reference behaviour"},
	NoRefresh:        {"no-refresh", []string{"C-2"}, "writes its session once and never refreshes it, so it expires while the state holds"},
	PushDND:          {"push-dnd", []string{"C-4", "CL-7"}, "pushes the PBX's Do not disturb into Teams as preferred presence"},
	Echo:             {"echo", []string{"C-9"}, "reads its own write back as a change and writes it again"},
	IgnoreRetryAfter: {"ignore-retry-after", []string{"C-5"}, "retries a throttled request after 50 ms instead of waiting Retry-After"},
	WrongSession:     {"wrong-session", []string{"C-1"}, "uses the user's object id as sessionId instead of its application id"},
	WriteAvailable:   {"write-available", []string{"C-3"}, "writes Available/Available when a state ends instead of clearing its session"},
}

// Info describes the fault.
func (f Fault) Info() FaultInfo {
	if f < numFaults {
		return faults[f]
	}
	return FaultInfo{Name: fmt.Sprintf("fault(%d)", f)}
}

func (f Fault) String() string { return f.Info().Name }

// Faults lists every fault but NoFault.
func Faults() []Fault {
	out := make([]Fault, 0, numFaults-1)
	for f := NoFault + 1; f < numFaults; f++ {
		out = append(out, f)
	}
	return out
}

// ParseFault reads a fault's name.
func ParseFault(s string) (Fault, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for f := NoFault; f < numFaults; f++ {
		if faults[f].Name == s {
			return f, nil
		}
	}
	names := make([]string, 0, numFaults)
	for f := NoFault; f < numFaults; f++ {
		names = append(names, faults[f].Name)
	}
	return 0, fmt.Errorf("unknown fault %q; valid: %s", s, strings.Join(names, ", "))
}
