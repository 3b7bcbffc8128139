package cloudlink

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim/pbx"
	p "github.com/presencesim/presencesim/sim/presence"
)

// States are the CloudLink presence values, best first as CL-2 orders them:
// "Abwesend > Bitte nicht stören > Besetzt > Verfügbar > Offline >
// Unbekannt" (seed 002).
var States = []p.Availability{p.Away, p.DoNotDisturb, p.Busy, p.Available, p.Offline, p.AvailabilityUnknown}

// LineRule maps a line state to a CloudLink presence (CL-3).
type LineRule struct {
	State    pbx.CallState
	Dir      pbx.Direction
	Presence p.Availability
	Rule     string
	Why      string
}

// DefaultLineTable is CL-3: "Wenn Sie mit Ihrem Tischtelefon einen Anruf
// tätigen oder annehmen, lautet Ihr Präsenzstatus Besetzt, andernfalls
// Verfügbar." A call being made counts from off-hook; a call ringing in is
// not taken yet (decided).
var DefaultLineTable = []LineRule{
	{pbx.Idle, pbx.NoCall, p.Available, "CL-3", "no call"},
	{pbx.Ringing, pbx.Made, p.Busy, "CL-3", "making a call"},
	{pbx.Ringing, pbx.Received, p.Available, "CL-3", "ringing, not answered (decided)"},
	{pbx.Connected, pbx.Made, p.Busy, "CL-3", "in a call made"},
	{pbx.Connected, pbx.Received, p.Busy, "CL-3", "in a call received"},
	{pbx.Held, pbx.Made, p.Busy, "CL-3", "call made, on hold"},
	{pbx.Held, pbx.Received, p.Busy, "CL-3", "call received, on hold"},
}

// UnregisteredLine is what an unplugged device contributes (decided: the
// device is offline; any other source outranks it by CL-2).
var UnregisteredLine = LineRule{Presence: p.Offline, Rule: "CL-2", Why: "device not registered"}

// UserRule maps a MiVO400 user presence to a CloudLink presence (CL-4).
type UserRule struct {
	State    pbx.UserState
	Presence p.Availability
	Rule     string
}

// DefaultUserTable is seed 002's table "CloudLink-Präsenz / MIVO400
// Benutzerpräsenz-Status" (CL-4).
var DefaultUserTable = []UserRule{
	{pbx.StAvailable, p.Available, "CL-4"},
	{pbx.StAway, p.Away, "CL-4"},
	{pbx.StBusy, p.Busy, "CL-4"},
	{pbx.StMeeting, p.Busy, "CL-4"},
	{pbx.StUnavailable, p.DoNotDisturb, "CL-4"},
}

// MitelOneRule maps a Mitel One state to a CloudLink presence.
type MitelOneRule struct {
	State    pbx.MitelOneState
	Presence p.Availability
	Rule     string
}

// DefaultMitelOneTable is CL-15: where the PBX has no user presence (a
// MiCollab system), the state set in Mitel One is a CloudLink source of its
// own, with the same words ("die in der PBX- oder Mitel One-Anwendung
// eingestellte Benutzerpräsenz", seed 002). On a MiVoice Office 400 Mitel
// One is kept in step with the PBX user presence instead (CL-5), which
// DefaultUserTable maps.
var DefaultMitelOneTable = []MitelOneRule{
	{pbx.MOAvailable, p.Available, "CL-15"},
	{pbx.MOAway, p.Away, "CL-15"},
	{pbx.MOBusy, p.Busy, "CL-15"},
	{pbx.MODoNotDisturb, p.DoNotDisturb, "CL-15"},
}

// SessionRule says what CloudLink's session in Teams holds for a CloudLink
// presence: a pair written with setPresence, or no session at all.
type SessionRule struct {
	CloudLink p.Availability
	Write     bool
	Presence  p.Presence
	Rule      string
}

// DefaultSessionTable is CL-8 with CL-7: Busy → Busy/InACall, Away →
// Away/Away; Available, Offline and Unknown clear the session (an Available
// session would keep a signed-out user Available, against row 1 of the seed
// table); DoNotDisturb is not synced.
var DefaultSessionTable = []SessionRule{
	{p.Away, true, p.Of(p.Away, p.ActAway), "CL-8"},
	{p.DoNotDisturb, false, p.Presence{}, "CL-7"},
	{p.Busy, true, p.Of(p.Busy, p.InACall), "CL-8"},
	{p.Available, false, p.Presence{}, "CL-8"},
	{p.Offline, false, p.Presence{}, "CL-8"},
	{p.AvailabilityUnknown, false, p.Presence{}, "CL-8"},
}

// DNDSession replaces the DoNotDisturb row when DoNotDisturb sync is on
// (newer CloudLink versions, CL-7): DoNotDisturb/Presenting is the only DND
// pair setPresence accepts.
var DNDSession = SessionRule{p.DoNotDisturb, true, p.Of(p.DoNotDisturb, p.Presenting), "CL-7"}

// compiled is the tables turned into arrays, so a lookup allocates nothing.
type compiled struct {
	rank     [16]uint8 // higher wins (CL-2)
	line     [4][3]LineRule
	lineSet  [4][3]bool
	user     [8]UserRule
	mitelOne [8]MitelOneRule
	session  [16]SessionRule
}

func isState(a p.Availability) bool {
	for _, s := range States {
		if s == a {
			return true
		}
	}
	return false
}

func (s *Settings) compile() (compiled, error) {
	var c compiled
	if len(s.Precedence) != len(States) {
		return c, fmt.Errorf("CloudLink precedence (CL-2) must order %s, got %v", names(States), s.Precedence)
	}
	for i, a := range s.Precedence {
		if !isState(a) || c.rank[a] != 0 {
			return c, fmt.Errorf("CloudLink precedence (CL-2): %s is not a CloudLink presence or listed twice; order %s", a, names(States))
		}
		c.rank[a] = uint8(len(s.Precedence) - i)
	}
	for _, r := range s.LineTable {
		if r.State > pbx.Held || r.Dir > pbx.Received || !isState(r.Presence) {
			return c, fmt.Errorf("CloudLink line table (CL-3): bad row %+v", r)
		}
		c.line[r.State][r.Dir], c.lineSet[r.State][r.Dir] = r, true
	}
	for _, r := range DefaultLineTable {
		if !c.lineSet[r.State][r.Dir] {
			return c, fmt.Errorf("CloudLink line table (CL-3) has no row for %s/%s", r.State, r.Dir)
		}
	}
	seenUser := [8]bool{}
	for _, r := range s.UserTable {
		if int(r.State) >= len(seenUser) || !isState(r.Presence) || seenUser[r.State] {
			return c, fmt.Errorf("CloudLink user table (CL-4): bad or repeated row %+v", r)
		}
		seenUser[r.State] = true
		c.user[r.State] = r
	}
	for _, st := range pbx.UserStates() {
		if !seenUser[st] {
			return c, fmt.Errorf("CloudLink user table (CL-4) has no row for MiVO400 state %s", st)
		}
	}
	seenMO := [8]bool{}
	for _, r := range s.MitelOne {
		if int(r.State) >= len(seenMO) || !isState(r.Presence) || seenMO[r.State] {
			return c, fmt.Errorf("CloudLink Mitel One table (CL-15): bad or repeated row %+v", r)
		}
		seenMO[r.State] = true
		c.mitelOne[r.State] = r
	}
	for _, r := range DefaultMitelOneTable {
		if !seenMO[r.State] {
			return c, fmt.Errorf("CloudLink Mitel One table (CL-15) has no row for Mitel One %s", r.State.Label())
		}
	}
	seenSession := [16]bool{}
	for _, r := range s.SessionTable {
		if !isState(r.CloudLink) || seenSession[r.CloudLink] {
			return c, fmt.Errorf("CloudLink session table (CL-8): %s is not a CloudLink presence or listed twice", r.CloudLink)
		}
		if r.Write {
			if err := p.SetPresencePairs.Check(r.Presence); err != nil {
				return c, fmt.Errorf("CloudLink session table (CL-8), row %s: %v", r.CloudLink, err)
			}
		}
		seenSession[r.CloudLink] = true
		c.session[r.CloudLink] = r
	}
	for _, a := range States {
		if !seenSession[a] {
			return c, fmt.Errorf("CloudLink session table (CL-8) has no row for %s", a)
		}
	}
	if s.SyncDND {
		c.session[p.DoNotDisturb] = DNDSession
	}
	return c, nil
}

func names(as []p.Availability) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return strings.Join(out, " > ")
}

// labels are the German words of seed 002 for the CloudLink presences.
var labels = [16]string{
	p.Available:           "Verfügbar",
	p.Away:                "Abwesend",
	p.Busy:                "Besetzt",
	p.DoNotDisturb:        "Nicht stören",
	p.Offline:             "Offline",
	p.AvailabilityUnknown: "Unbekannt",
}

// Label is the German word for a CloudLink presence.
func Label(a p.Availability) string {
	if int(a) < len(labels) && labels[a] != "" {
		return labels[a]
	}
	return a.String()
}

// Parse reads a CloudLink presence: a German word of seed 002 or a Graph
// availability, restricted to the six CloudLink values.
func Parse(s string) (p.Availability, error) {
	pr, err := p.Parse(s)
	if err == nil && isState(pr.Availability) {
		return pr.Availability, nil
	}
	words := make([]string, len(States))
	for i, a := range States {
		words[i] = Label(a) + " (" + a.String() + ")"
	}
	return 0, fmt.Errorf("unknown CloudLink presence %q; valid: %s", s, strings.Join(words, ", "))
}
