package xphone

import (
	"testing"

	p "github.com/presencesim/presencesim/sim/presence"
)

// TestClassify: the seed 001 table, row by row, with Teams meetings
// mirrored and not.
func TestClassify(t *testing.T) {
	tests := []struct {
		in       p.Presence
		meetings bool
		want     reaction
		rule     string
	}{
		{p.Of(p.Busy, p.InACall), false, reactTeamsCall, "XP-4"},
		{p.Of(p.Busy, p.InAConferenceCall), false, reactTeamsCall, "XP-4"},
		{p.Of(p.DoNotDisturb, p.Presenting), false, reactTeamsDND, "XP-5"},
		{p.Of(p.DoNotDisturb, p.ActDoNotDisturb), false, reactTeamsDND, "XP-6"},
		{p.Of(p.DoNotDisturb, p.Focusing), false, reactTeamsDND, "XP-6"},
		{p.Of(p.Busy, p.InAMeeting), true, reactTeamsCall, "XP-7"},
		{p.Of(p.Busy, p.InAMeeting), false, reactNone, "XP-14"},
		{p.Of(p.Busy, p.ActBusy), true, reactNone, "XP-14"},
		{p.Of(p.Available, p.ActAvailable), true, reactNone, "XP-14"},
		{p.Of(p.Offline, p.ActOffline), false, reactNone, "XP-14"},
	}
	for _, tc := range tests {
		got, rule := classify(tc.in, tc.meetings)
		if got != tc.want || rule != tc.rule {
			t.Errorf("Teams %s (meetings mirrored: %v): XPhone reacts with %v by %s, want %v by %s", tc.in, tc.meetings, got, rule, tc.want, tc.rule)
		}
	}
}
