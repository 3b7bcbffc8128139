package xphone

import (
	"strings"
	"testing"

	p "github.com/presencesim/presencesim/sim/presence"
)

func TestParseProfiles(t *testing.T) {
	list, err := ParseProfiles([][]string{
		{"Profil", "Präsenzstatus", "Rufumleitung"},
		{"Büro", "Verfügbar", "-"},
		{"Mobil", "Busy/InACall", "+49 170 1234567"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "Büro" || list[0].Presence != p.Of(p.Available, p.ActAvailable) || list[0].Forwarding != "" ||
		list[1].Forwarding != "+49 170 1234567" || list[1].Presence != p.Of(p.Busy, p.InACall) {
		t.Errorf("read %+v", list)
	}
	if en, err := ParseProfiles([][]string{{"name", "presence"}, {"Home", "Away"}}); err != nil || len(en) != 1 || en[0].Presence.Availability != p.Away {
		t.Errorf("English headers: %+v, %v", en, err)
	}
	for _, bad := range []struct {
		rows [][]string
		why  string
	}{
		{nil, "with a header"},
		{[][]string{{"Profil"}}, "with a header"},
		{[][]string{{"Profil", "Farbe"}, {"a", "b"}}, `unknown profile column "Farbe"`},
		{[][]string{{"Profil", "Präsenzstatus"}, {"a"}}, "has 1 cells"},
		{[][]string{{"Profil", "Präsenzstatus"}, {"a", "Bussy"}}, "Bussy"},
	} {
		if _, err := ParseProfiles(bad.rows); err == nil || !strings.Contains(err.Error(), bad.why) {
			t.Errorf("ParseProfiles(%q) = %v, want an error saying %q", bad.rows, err, bad.why)
		}
	}
}
