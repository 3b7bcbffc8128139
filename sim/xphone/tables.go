package xphone

import (
	"fmt"
	"regexp"
	"strings"

	p "github.com/presencesim/presencesim/sim/presence"
)

// Source is one input that can decide what the XPhone client shows.
type Source uint8

// The XPhone-side sources, in the order of displayOrder.
const (
	SrcXPhoneCall    Source = iota // a call in the XPhone client (XP-3)
	SrcXPhoneMeeting               // an XPhone Connect meeting joined (XP-2)
	SrcTeamsCall                   // a Teams call, kept as an appointment (XP-4, XP-7, XP-8)
	SrcTeamsDND                    // Teams Do-not-disturb or presenting (XP-5, XP-6)
	SrcMicSync                     // a whitelisted process uses the microphone (XP-12)
	SrcProfile                     // the profile the user selected (XP-14)
	numSources
)

var sourceNames = [numSources]string{"XPhone call", "XPhone meeting", "Teams call", "Teams Do-not-disturb", "microphone sync", "selected profile"}

func (s Source) String() string { return sourceNames[s] }

// sourceRule names the rule by which each source decides the status.
var sourceRule = [numSources]string{
	SrcXPhoneCall:    "XP-3",
	SrcXPhoneMeeting: "XP-2",
	SrcTeamsCall:     "XP-7",
	SrcTeamsDND:      "XP-6",
	SrcMicSync:       "XP-12",
	SrcProfile:       "XP-14",
}

// DefaultOrder is what the XPhone client shows when several sources are on:
// the first live one wins. The telephony of the XPhone client itself comes
// first (it is what its line shows), then what Teams reports, then the
// microphone, then the user's own choice, to which the client returns when
// everything above ends (XP-14). The order is decided (the seed states each
// source alone), so it is Settings.Order.
func DefaultOrder() []Source {
	return []Source{SrcXPhoneCall, SrcXPhoneMeeting, SrcTeamsCall, SrcTeamsDND, SrcMicSync, SrcProfile}
}

// checkOrder accepts an order that names every source once.
func checkOrder(o []Source) error {
	var seen [numSources]bool
	for _, s := range o {
		if s >= numSources || seen[s] {
			return fmt.Errorf("%w: display order %v names a source twice or an unknown one", ErrConfig, o)
		}
		seen[s] = true
	}
	if len(o) != int(numSources) {
		return fmt.Errorf("%w: display order %v must name all of %v", ErrConfig, o, sourceNames)
	}
	return nil
}

// reaction is what XPhone does with a presence it reads from Teams.
type reaction uint8

const (
	reactNone      reaction = iota // nothing of Teams' own: end what Teams had started (XP-8, XP-14)
	reactTeamsCall                 // keep an appointment "Am Telefon (MS Teams)" (XP-4, XP-7)
	reactTeamsDND                  // select the first Do-not-disturb profile (XP-5, XP-6)
)

var reactionNames = [...]string{"nothing to sync", "Teams call", "Teams Do-not-disturb"}

func (r reaction) String() string { return reactionNames[r] }

// anyActivity matches every activity in teamsToXPhone.
const anyActivity = p.Activity(255)

// teamsToXPhone maps the Teams presence XPhone reads onto its reaction (seed
// 001 table). Teams shows a call or video call as Busy/InACall (conference
// calls as InAConferenceCall); screen sharing as DoNotDisturb/Presenting,
// which XPhone takes as Do-not-disturb. Rows are tried in order. The seed
// speaks of the "MS Teams" profile for Teams meetings too, so Busy/InAMeeting
// is mirrored like a call (XP-7); since it is also any calendar appointment,
// Settings.TeamsMeetings turns the meeting row off.
var teamsToXPhone = []struct {
	Availability p.Availability
	Activity     p.Activity
	React        reaction
	Rule         string
	Meeting      bool // only with Settings.TeamsMeetings
}{
	{p.Busy, p.InACall, reactTeamsCall, "XP-4", false},
	{p.Busy, p.InAConferenceCall, reactTeamsCall, "XP-4", false},
	{p.Busy, p.InAMeeting, reactTeamsCall, "XP-7", true},
	{p.DoNotDisturb, p.Presenting, reactTeamsDND, "XP-5", false},
	{p.DoNotDisturb, anyActivity, reactTeamsDND, "XP-6", false},
}

// classify looks a Teams presence up in teamsToXPhone.
func classify(pr p.Presence, meetings bool) (reaction, string) {
	for _, row := range teamsToXPhone {
		if row.Meeting && !meetings {
			continue
		}
		if row.Availability == pr.Availability && (row.Activity == anyActivity || row.Activity == pr.Activity) {
			return row.React, row.Rule
		}
	}
	return reactNone, "XP-14"
}

// writeKind is how XPhone writes to Teams.
type writeKind uint8

const (
	writeSession   writeKind = iota // setPresence with XPhone's app id, refreshed before expiry
	writePreferred                  // setUserPreferredPresence
)

// xphoneToTeams maps XPhone's own state onto what it writes to Teams: calls
// and meetings as its app session "On the phone" (XP-2, XP-3), a
// Do-not-disturb profile as preferred presence (XP-10). Screen sharing alone,
// microphone sync and every other profile write nothing.
var xphoneToTeams = []struct {
	Src       Source
	Kind      writeKind
	Presence  p.Presence
	Telephony bool // synced in modes that sync telephony; otherwise DND
	Rule      string
}{
	{SrcXPhoneCall, writeSession, p.Of(p.Busy, p.InACall), true, "XP-3"},
	{SrcXPhoneMeeting, writeSession, p.Of(p.Busy, p.InACall), true, "XP-2"},
	{SrcProfile, writePreferred, p.Of(p.DoNotDisturb, p.ActDoNotDisturb), false, "XP-10"},
}

// TeamsAction is one action of the seed 001 table, done in Teams between a
// user A and a user B.
type TeamsAction struct {
	Words string // as the seed writes it
	Video bool   // a video call shows the same presence as a call
	Share bool   // A shares the screen: Teams shows A Presenting
	Rule  string
}

// teamsActions are the rows of the seed 001 table. "Nur Screensharing" is a
// sharing session A→B, which Teams holds as a call (B is "Am Telefon").
var teamsActions = []TeamsAction{
	{"MS Teams Call", false, false, "XP-4"},
	{"MS Teams Videocall", true, false, "XP-4"},
	{"Nur Screensharing", false, true, "XP-5"},
	{"MS Teams Videocall mit Screensharing", true, true, "XP-5"},
}

var directionRe = regexp.MustCompile(`\s+\w+\s*->\s*\w+\s*$`)

// ParseTeamsAction reads an action of the seed table; a trailing "A -> B"
// is the direction and may be left out.
func ParseTeamsAction(s string) (TeamsAction, error) {
	key := fold(directionRe.ReplaceAllString(s, ""))
	var valid []string
	for _, a := range teamsActions {
		if fold(a.Words) == key {
			return a, nil
		}
		valid = append(valid, fmt.Sprintf("%q", a.Words))
	}
	return TeamsAction{}, fmt.Errorf("unknown Teams action %q; valid: %s", s, strings.Join(valid, ", "))
}
