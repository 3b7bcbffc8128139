package steps

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/sim/xphone"
)

// xphonePaths are the XPhone features, or those of them named.
func xphonePaths(names ...string) []string {
	var out []string
	for _, p := range features.Paths() {
		if !strings.HasPrefix(p, "xphone/") {
			continue
		}
		keep := len(names) == 0
		for _, n := range names {
			keep = keep || p == "xphone/"+n+".feature"
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
	var out bytes.Buffer
	suite := godog.TestSuite{
		Name: "xphone",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			if tune != nil {
				sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
					return WithXPhoneSettings(ctx, tune), nil
				})
			}
			Initializer(Options{Seed: 1})(sc)
		},
		Options: &godog.Options{
			Format:      "pretty",
			Output:      &out,
			Paths:       xphonePaths(names...),
			FS:          features.FS,
			Strict:      true,
			Concurrency: 1,
			NoColors:    true,
		},
	}
	return suite.Run(), out.String()
}

func TestXPhoneFeaturesPass(t *testing.T) {
	if len(xphonePaths()) == 0 {
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
			if len(xphonePaths(c.where)) != 1 {
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
	for _, p := range xphonePaths() {
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

// No XPhone phrase is matched by another group's pattern, and no other
// group's example by an XPhone pattern: godog strict fails ambiguous steps.
func TestXPhoneStepsDoNotOverlap(t *testing.T) {
	cat := Catalog()
	for _, mine := range cat {
		if mine.Group != "XPhone Connect" {
			continue
		}
		re := regexp.MustCompile(mine.Pattern)
		if !re.MatchString(mine.Example) {
			t.Errorf("the example %q does not match its pattern %s", mine.Example, mine.Pattern)
		}
		for _, other := range cat {
			if other.Group == mine.Group {
				continue
			}
			if regexp.MustCompile(other.Pattern).MatchString(mine.Example) {
				t.Errorf("%q is matched by %s (%s) as well", mine.Example, other.Pattern, other.Group)
			}
			if re.MatchString(other.Example) {
				t.Errorf("%s matches %q of %s as well", mine.Pattern, other.Example, other.Group)
			}
		}
	}
}
