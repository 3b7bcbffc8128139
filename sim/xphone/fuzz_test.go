package xphone

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzConfigSet: any key and value either apply and leave a valid
// configuration, or are refused with ErrConfig and change nothing.
func FuzzConfigSet(f *testing.F) {
	for _, kv := range [][2]string{
		{"Präsenzabgleich", "Kein Abgleich"}, {"präsenzabgleich", "telephony only"}, {"Präsenzabgleich", "x"},
		{"Benutzer darf ändern", "nein"}, {"ADFS", "ja"}, {"Anmeldedaten merken", "1"},
		{"MicrophoneUsageSync.Enable", "1"}, {"MicrophoneUsageSync.Enable", "2"},
		{"MicrophoneUsageSync.ProcessWhitelist", "Slack,,Discord"}, {"Rufumleitung MS Teams", "Voicemail"}, {"", ""},
		{"Zentrale Profilvorlage MicSync", "ja"}, {"zentrale profilvorlage  micsync", "vielleicht"},
	} {
		f.Add(kv[0], kv[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		c := DefaultConfig()
		c.ADFS = true // so that remembering credentials is refused
		before := c
		before.Whitelist = append([]string(nil), c.Whitelist...)
		err := c.Set(key, value)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("Set(%q, %q) error %v does not wrap ErrConfig", key, value, err)
			}
			if !reflect.DeepEqual(c, before) {
				t.Fatalf("a refused Set(%q, %q) changed the configuration", key, value)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Set(%q, %q) left an invalid configuration: %v", key, value, err)
		}
	})
}

// FuzzParseTeamsAction: an accepted action is one of the seed's rows, found
// again by its own words.
func FuzzParseTeamsAction(f *testing.F) {
	for _, s := range []string{"MS Teams Call A -> B", "Nur Screensharing", "ms teams videocall  mit screensharing", "MS Teams Videocall A->B", "x -> y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseTeamsAction(s)
		if err != nil {
			if !strings.Contains(err.Error(), "Nur Screensharing") {
				t.Fatalf("the error for %q does not name the valid actions: %v", s, err)
			}
			return
		}
		b, err := ParseTeamsAction(a.Words)
		if err != nil || b != a {
			t.Fatalf("%q read as %+v, which does not read back: %+v, %v", s, a, b, err)
		}
	})
}

// FuzzParseMode: an accepted mode reads back from both its names.
func FuzzParseMode(f *testing.F) {
	for _, s := range []string{"Kein Abgleich", "telephony only", "Abgleich von Telefonie- und Präsenzstatus", "", "none "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMode(s)
		if err != nil {
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "valid:") {
				t.Fatalf("ParseMode(%q): %v", s, err)
			}
			return
		}
		for _, name := range []string{modeTable[m].German, modeTable[m].English} {
			if back, err := ParseMode(name); err != nil || back != m {
				t.Fatalf("%q read as %v, but %q reads as %v, %v", s, m, name, back, err)
			}
		}
	})
}
