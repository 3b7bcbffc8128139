package presence

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Presence
	}{
		{"Busy/InACall", Of(Busy, InACall)},
		{"busy/inACall", Of(Busy, InACall)},
		{"Busy", Of(Busy, ActBusy)},
		{"doNotDisturb/presenting", Of(DoNotDisturb, Presenting)},
		{"Offline/OffWork", Of(Offline, OffWork)},
		{"PresenceUnknown", Unknown},
		{"Available/AvailableInactive", Of(Available, AvailableInactive)},
		{"Am Telefon", Of(Busy, InACall)},
		{"Nicht stören", Of(DoNotDisturb, ActDoNotDisturb)},
		{"nicht stoeren", Of(DoNotDisturb, ActDoNotDisturb)},
		{"Konzentration", Of(DoNotDisturb, Focusing)},
		{"Offline erscheinen", Of(Offline, OffWork)},
		{"Busy – In a call", Of(Busy, InACall)},
		{"Busy - In a call", Of(Busy, InACall)},
		{"Available, out of office", Presence{Available, OutOfOffice, true}},
		{"Away, out of office", Presence{Away, OutOfOffice, true}},
		{"In a call, out of office", Presence{Busy, InACall, true}},
		{"Busy/InACall +OOF", Presence{Busy, InACall, true}},
		{"Available/Available +OOF", Presence{Available, ActAvailable, true}},
		{"Verfügbar, Außer Haus", Presence{Available, OutOfOffice, true}},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseErrorsNameValidWords(t *testing.T) {
	tests := []struct {
		in      string
		mention []string
	}{
		{"Bussy", []string{`"Bussy"`, "DoNotDisturb", "Am Telefon"}},
		{"Busy/OnThePhone", []string{`"OnThePhone"`, "InACall"}},
		{"", []string{"empty"}},
		{"InACall", []string{"InACall", "Availability/Activity"}},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted", tc.in)
			continue
		}
		for _, m := range tc.mention {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("Parse(%q) error %q does not mention %q", tc.in, err, m)
			}
		}
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		p    Presence
		want string
	}{
		{Of(Busy, InACall), "Busy – In a call"},
		{Of(DoNotDisturb, Presenting), "Do not disturb – Presenting"},
		{Presence{Available, OutOfOffice, true}, "Available, out of office"},
		{Presence{Busy, InACall, true}, "Busy – In a call, out of office"},
		{Of(Offline, ActOffline), "Offline"},
		{Of(Away, ActAway), "Away"},
		{Unknown, "Status unknown"},
	}
	for _, tc := range tests {
		if got := tc.p.Label(); got != tc.want {
			t.Errorf("%s.Label() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestEveryValueRoundTrips(t *testing.T) {
	for _, a := range Availabilities() {
		for _, act := range Activities() {
			p := Of(a, act)
			if a == AvailabilityUnknown && act != ActivityUnknown {
				continue // "PresenceUnknown/X" is not a form anyone writes
			}
			got, err := Parse(p.String())
			if err != nil || got != p {
				t.Errorf("Parse(%q) = %v, %v", p.String(), got, err)
			}
			if _, err := ParseAvailability(strings.ToLower(a.String()[:1]) + a.String()[1:]); err != nil {
				t.Errorf("camelCase %s: %v", a, err)
			}
		}
	}
}

func TestPairs(t *testing.T) {
	tests := []struct {
		rule PairRule
		p    Presence
		ok   bool
	}{
		{SetPresencePairs, Of(Busy, InACall), true},
		{SetPresencePairs, Of(DoNotDisturb, Presenting), true},
		{SetPresencePairs, Of(Busy, ActBusy), false},
		{SetPresencePairs, Of(DoNotDisturb, ActDoNotDisturb), false},
		{PreferredPairs, Of(Offline, OffWork), true},
		{PreferredPairs, Of(Busy, InACall), false},
		{PreferredPairs, Presence{Busy, ActBusy, true}, true},
	}
	for _, tc := range tests {
		err := tc.rule.Check(tc.p)
		if (err == nil) != tc.ok {
			t.Errorf("%s accepts %s: %v, want %v", tc.rule.API, tc.p, err == nil, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), tc.rule.Rule) {
			t.Errorf("error %q does not cite %s", err, tc.rule.Rule)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Busy/InACall", "Am Telefon", "Available, out of office", "x/y", "/", " +OOF", "Busy – In a call"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if !p.Availability.Valid() || !p.Activity.Valid() {
			t.Fatalf("Parse(%q) gave invalid %v", s, p)
		}
		back, err := Parse(p.String())
		if err != nil || back != p {
			t.Fatalf("Parse(%q) = %s does not round-trip: %v %v", s, p, back, err)
		}
	})
}
