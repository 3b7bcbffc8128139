package xphone

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	cases := []struct {
		in   string
		want Mode
		err  string
	}{
		{"Kein Abgleich", SyncNone, ""},
		{"none", SyncNone, ""},
		{"  abgleich des  telefoniestatus ", SyncTelephonyOnly, ""},
		{"telephony only", SyncTelephonyOnly, ""},
		{"Abgleich von Telefonie- und Präsenzstatus", SyncTelephonyAndPresence, ""},
		{"telephony and presence", SyncTelephonyAndPresence, ""},
		{"presence only", 0, `valid: "telephony and presence"`},
		{"", 0, "unknown sync mode"},
	}
	for _, c := range cases {
		got, err := ParseMode(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrConfig) {
				t.Errorf("ParseMode(%q) error %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestModeTable(t *testing.T) {
	// XP-1, XP-9: what each option syncs.
	cases := []struct {
		m              Mode
		telephony, dnd bool
	}{
		{SyncTelephonyAndPresence, true, true},
		{SyncTelephonyOnly, true, false},
		{SyncNone, false, false},
	}
	for _, c := range cases {
		if c.m.Telephony() != c.telephony || c.m.DND() != c.dnd {
			t.Errorf("%v syncs telephony %v, DND %v; want %v, %v", c.m, c.m.Telephony(), c.m.DND(), c.telephony, c.dnd)
		}
	}
}

func TestConfigSet(t *testing.T) {
	cases := []struct {
		name  string
		steps [][2]string
		err   string
		check func(Config) bool
	}{
		{"mode in German", [][2]string{{"Präsenzabgleich", "Kein Abgleich"}}, "", func(c Config) bool { return c.Mode == SyncNone }},
		{"user may not change", [][2]string{{"benutzer darf ändern", "nein"}}, "", func(c Config) bool { return !c.UserMayChange }},
		{"mic sync on", [][2]string{{"MicrophoneUsageSync.Enable", "1"}}, "", func(c Config) bool { return c.MicSync }},
		{"mic sync value", [][2]string{{"MicrophoneUsageSync.Enable", "yes"}}, "valid: 1 (on) or 0 (off)", nil},
		{"whitelist", [][2]string{{"MicrophoneUsageSync.ProcessWhitelist", "Slack, Discord"}}, "", func(c Config) bool { return len(c.Whitelist) == 2 && c.Whitelisted("discord.exe") }},
		{"empty process name", [][2]string{{"MicrophoneUsageSync.ProcessWhitelist", "Slack,,Discord"}}, "empty process name at position 2", nil},
		{"ADFS then remember", [][2]string{{"ADFS", "ja"}, {"Anmeldedaten merken", "ja"}}, "not available with ADFS", nil},
		{"remember then ADFS", [][2]string{{"Anmeldedaten merken", "ja"}, {"ADFS", "ja"}}, "not available with ADFS", nil},
		{"remember without ADFS", [][2]string{{"Anmeldedaten merken", "ja"}}, "", func(c Config) bool { return c.RememberCredentials }},
		{"unknown key", [][2]string{{"Rufnummer", "1"}}, "valid: Präsenzabgleich", nil},
		{"bad yes/no", [][2]string{{"ADFS", "vielleicht"}}, "not a yes/no value", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			var err error
			for _, kv := range c.steps {
				before := cfg
				if err = cfg.Set(kv[0], kv[1]); err != nil {
					if cfg.Mode != before.Mode || cfg.ADFS != before.ADFS || cfg.RememberCredentials != before.RememberCredentials || cfg.MicSync != before.MicSync {
						t.Fatalf("a refused setting changed the configuration: %+v → %+v", before, cfg)
					}
					break
				}
			}
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(cfg) {
				t.Fatalf("configuration %+v does not hold what was set", cfg)
			}
		})
	}
}

func TestParseWhitelist(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"   ", nil, ""},
		{"Slack", []string{"Slack"}, ""},
		{" Slack , Amazon Chime,Discord ", []string{"Slack", "Amazon Chime", "Discord"}, ""},
		{"Slack,slack,SLACK.exe", []string{"Slack"}, ""},
		{"Slack,", nil, "position 2"},
		{",Slack", nil, "position 1"},
		{"Slack,,Discord", nil, "position 2"},
		{"Zoom;Slack", nil, "contains ';'"},
		{"Zoom\tMeeting", nil, "contains"},
	}
	for _, c := range cases {
		got, err := ParseWhitelist(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseWhitelist(%q) error %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("ParseWhitelist(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestWhitelistedDefaults(t *testing.T) {
	c := DefaultConfig()
	for _, n := range []string{"chrome", "firefox", "iexplore", "msedge", "g2mcomm", "TeamViewerMeeting", "Zoom", "zoom.exe"} {
		if !c.Whitelisted(n) {
			t.Errorf("%s is on the default list (XP-12) but not whitelisted", n)
		}
	}
	for _, n := range []string{"ms-teams", "teams", "Slack", ""} {
		if c.Whitelisted(n) {
			t.Errorf("%q is whitelisted without configuration", n)
		}
	}
}

// FuzzParseWhitelist: no input panics; an accepted list holds trimmed,
// valid, distinct names and reads back the same when joined again.
func FuzzParseWhitelist(f *testing.F) {
	for _, s := range []string{"", "Slack", "Slack, Discord", "a,,b", "Amazon Chime,Unify Office", "x.exe,X", ",", "ä,ö", "Zoom;Slack"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseWhitelist(s)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, n := range got {
			if n == "" || n != strings.TrimSpace(n) || strings.Contains(n, ",") {
				t.Fatalf("ParseWhitelist(%q) gave the name %q", s, n)
			}
			if checkProcessName(n) != nil {
				t.Fatalf("ParseWhitelist(%q) accepted the invalid name %q", s, n)
			}
			if seen[processKey(n)] {
				t.Fatalf("ParseWhitelist(%q) kept the duplicate %q", s, n)
			}
			seen[processKey(n)] = true
		}
		again, err := ParseWhitelist(strings.Join(got, ","))
		if err != nil || strings.Join(again, "\x00") != strings.Join(got, "\x00") {
			t.Fatalf("ParseWhitelist(%q) = %q does not read back: %q, %v", s, got, again, err)
		}
	})
}
