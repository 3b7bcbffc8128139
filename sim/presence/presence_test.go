package presence

import (
	"regexp"
	"strings"
	"testing"

	"github.com/onsi/gomega"
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
	for _, s := range []string{"Busy/InACall", "Am Telefon", "Available, out of office", "x/y", "/", " +OOF", "Busy – In a call",
		"Verfügbar, ausser Haus.", "Bei einem Anruf, ausser Haus", "Zeitpunkt für «Zuletzt gesehen»", "Blockiert", "onThePhone", "Ausser Haus, verfügbar"} {
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

// TestGomegaPrintsNames: a failed assertion on typed values names them.
func TestGomegaPrintsNames(t *testing.T) {
	tests := []struct {
		got, want any
		mention   []string
		never     string
	}{
		{Busy, Available, []string{"Busy", "Available"}, "{"},
		{InACall, InAMeeting, []string{"InACall", "InAMeeting"}, "{"},
		{Of(Busy, InACall), Of(Away, ActAway), []string{"<presence.Presence>: Busy/InACall", "<presence.Presence>: Away/Away"}, "Availability:"},
		{KindLastSeen, KindPresence, []string{"last seen", "presence"}, "{"},
	}
	for _, tc := range tests {
		var msg string
		g := gomega.NewGomega(func(m string, _ ...int) { msg = m })
		g.Expect(tc.got).To(gomega.Equal(tc.want))
		if msg == "" {
			t.Fatalf("%v equal to %v", tc.got, tc.want)
		}
		for _, m := range tc.mention {
			if !strings.Contains(msg, m) {
				t.Errorf("failure message does not name %q:\n%s", m, msg)
			}
		}
		if regexp.MustCompile(`>: \d`).MatchString(msg) || strings.Contains(msg, tc.never) {
			t.Errorf("failure message prints a number or the struct:\n%s", msg)
		}
	}
}

// TestGlossary: every §0 label in the seeds' spelling is read, with the
// source documents the glossary names; words that are no presence are
// refused with a hint.
func TestGlossary(t *testing.T) {
	tests := []struct {
		in, source string
		want       Presence
	}{
		{"Verfügbar, ausser Haus", "seed 003", Presence{Available, OutOfOffice, true}},
		{"Verfügbar, ausser Haus.", "seed 003", Presence{Available, OutOfOffice, true}},
		{"Ausser Haus, verfügbar", "seed 003", Presence{Available, OutOfOffice, true}},
		{"Bei einem Anruf, ausser Haus", "seed 003", Presence{Busy, InACall, true}},
		{"Beschäftigt - In einem Anruf", "seed 003", Of(Busy, InACall)},
		{"Beschäftigt - In einer Besprechung", "seed 003", Of(Busy, InAMeeting)},
		{"Beschäftigt – In einer Besprechung", "seed 003", Of(Busy, InAMeeting)},
		{"Konzentration.", "seed 003", Of(DoNotDisturb, Focusing)},
		{"Im Meeting", "seed 000", Of(Busy, InAMeeting)},
		{"onThePhone", "seed 000", Of(Busy, InACall)},
		{"inAMeeting", "seed 000", Of(Busy, InAMeeting)},
		{"beRightBack", "seed 000", Of(BeRightBack, ActBeRightBack)},
		{"doNotDisturb", "seed 000", Of(DoNotDisturb, ActDoNotDisturb)},
		{"presenting", "seed 000; Teams UI", Of(DoNotDisturb, Presenting)},
		{"Idle", "seed 000", Of(Away, ActAway)},
		{"Unknown", "seed 000", Unknown},
		{"Weg", "seed 003", Of(Away, ActAway)},
		{"Bitte nicht stören", "seed 002", Of(DoNotDisturb, ActDoNotDisturb)},
		{"Am Telefon", "seeds 000, 001", Of(Busy, InACall)},
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
		term, ok := Lookup(tc.in)
		if !ok || term.Source != tc.source {
			t.Errorf("glossary source of %q = %q, want %q", tc.in, term.Source, tc.source)
		}
	}
	for _, w := range []string{"Zuletzt gesehen", "Abwesenheit", "Blockiert", "connectionerror", "noNetwork"} {
		_, err := Parse(w)
		if err == nil || !strings.Contains(err.Error(), "not a presence") {
			t.Errorf("Parse(%q) = %v, want a refusal naming what the word is", w, err)
		}
	}
	seen := map[string]bool{}
	for _, g := range glossary {
		k := normLabel(g.Label)
		if seen[k] {
			t.Errorf("glossary lists %q twice", g.Label)
		}
		seen[k] = true
		if g.Source == "" {
			t.Errorf("glossary word %q names no source", g.Label)
		}
	}
}
