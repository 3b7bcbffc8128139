package steps

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/sim/xphone"
)

// featurePaths are the embedded features in dir, or those of them named.
func featurePaths(dir string, names ...string) []string {
	var out []string
	for _, p := range features.Paths() {
		if !strings.HasPrefix(p, dir+"/") {
			continue
		}
		keep := len(names) == 0
		for _, n := range names {
			keep = keep || p == dir+"/"+n+".feature"
		}
		if keep {
			out = append(out, p)
		}
	}
	return out
}

// runXPhone runs the XPhone features with the model's settings adjusted by
// tune and returns godog's status and output.
func runXPhone(t *testing.T, tune func(*xphone.Settings), names ...string) (int, string) {
	t.Helper()
	return runSuite(t, "xphone", adjusting(tune, WithXPhoneSettings), godog.Options{Format: "pretty", Paths: featurePaths("xphone", names...), FS: features.FS, Concurrency: 1})
}

func TestXPhoneFeaturesPass(t *testing.T) {
	if len(featurePaths("xphone")) == 0 {
		t.Fatal("no XPhone features embedded")
	}
	if st, out := runXPhone(t, nil); st != 0 {
		t.Fatalf("XPhone features fail with the reference model:\n%s", out)
	}
}

// A wrong XPhone model must make the features fail: each planted fault is
// caught, and by the scenarios that check its rule.
func TestXPhoneFeaturesCatchFaults(t *testing.T) {
	cases := []struct {
		name  string
		tune  func(*xphone.Settings)
		needs string // text the failure output must contain
		where string // the feature that states the rule
	}{
		{"echoes a Do-not-disturb read from Teams", func(s *xphone.Settings) { s.Faults.EchoDND = true }, "XPhone echoes (XP-13)", "dnd"},
		{"forgets the 12 h cleanup", func(s *xphone.Settings) { s.Faults.SkipMaxAge = true }, "XP-8", "appointments"},
		{"forgets the cleanup at client start", func(s *xphone.Settings) { s.Faults.SkipStartCleanup = true }, "XP-8", "appointments"},
		{"shows microphone use above a call", func(s *xphone.Settings) {
			s.Order = []xphone.Source{xphone.SrcMicSync, xphone.SrcXPhoneCall, xphone.SrcXPhoneMeeting, xphone.SrcTeamsCall, xphone.SrcTeamsDND, xphone.SrcProfile}
		}, `shows "MicSync (Zoom)"`, "microphone"},
		{"shows a Teams call under another text", func(s *xphone.Settings) { s.TeamsCallText = "Termin" }, "Am Telefon (MS Teams)", "action_table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(featurePaths("xphone", c.where)) != 1 {
				t.Fatalf("no feature xphone/%s.feature", c.where)
			}
			st, out := runXPhone(t, c.tune, c.where)
			if st == 0 {
				t.Fatalf("the XPhone features pass with a model that %s", c.name)
			}
			if !strings.Contains(out, c.needs) {
				t.Fatalf("the features fail, but not for %q:\n%s", c.needs, out)
			}
		})
	}
}

// Every XP- rule is tagged on at least one XPhone scenario or feature.
func TestXPhoneRulesTagged(t *testing.T) {
	var all strings.Builder
	for _, p := range featurePaths("xphone") {
		b, err := features.FS.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	text := all.String() + "\n"
	for i := 1; i <= 14; i++ {
		tag := fmt.Sprintf("@XP-%d", i)
		if !strings.Contains(text, tag+" ") && !strings.Contains(text, tag+"\n") {
			t.Errorf("no XPhone scenario is tagged %s", tag)
		}
	}
}

func TestXPhoneStepsDoNotOverlap(t *testing.T) { unambiguous(t, "XPhone Connect") }

// TestSeedProcessNamesVerbatim checks the Examples of the further known
// process names are seed 001's list, line for line: "Anwendung =
// Prozessname", with "(Hinweis)" where the seed has one.
func TestSeedProcessNamesVerbatim(t *testing.T) {
	var got [][]string
	for _, tb := range tables(t, "../features/xphone/reconciled.feature") {
		if len(tb[0]) == 3 && tb[0][0] == "Anwendung" && tb[0][1] == "Prozessname" {
			got = tb[1:]
		}
	}
	want := strings.Split(strings.TrimSpace(readTestdata(t, "testdata/xphone/seed001_processes.txt")), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d rows, the seed lists %d process names", len(got), len(want))
	}
	for i, r := range got {
		line := r[0] + " = " + r[1]
		if r[2] != "" {
			line += " (" + r[2] + ")"
		}
		if line != strings.TrimSpace(want[i]) {
			t.Errorf("row %d reads %q, the seed has %q", i+1, line, want[i])
		}
	}
}

func readTestdata(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A "within" the XPhone client does not meet says what it still shows, when
// and since when.
func TestXPhoneWithinSaysWhatTheClientStillShows(t *testing.T) {
	st, out := runSuite(t, "xphone-within", nil, godog.Options{Format: "pretty", Paths: []string{"testdata/xphone/within.feature"}, Concurrency: 1})
	if st == 0 {
		t.Fatal("the scenario meant to fail passes")
	}
	want := `alice's XPhone client still shows "Verfügbar" (Available, from selected profile [XP-14]) at 09:01, 1m0s after 09:00; expected "Am Telefon (MS Teams)" within that time`
	if !strings.Contains(out, want) {
		t.Errorf("the failure does not say %q:\n%s", want, out)
	}
}
