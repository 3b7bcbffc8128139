package teams

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	p "github.com/presencesim/presencesim/sim/presence"
)

func TestParseShowAs(t *testing.T) {
	tests := []struct {
		in   string
		want ShowAs
	}{
		{"meeting", ShowBusy},
		{"appointment", ShowBusy},
		{"busy", ShowBusy},
		{"Meeting", ShowBusy},
		{"focus time", ShowFocus},
		{"focus", ShowFocus},
		{"out-of-office event", ShowOOF},
		{"out of office", ShowOOF},
		{" oof ", ShowOOF},
		{"free slot", ShowFree},
		{"free", ShowFree},
	}
	for _, tc := range tests {
		got, err := ParseShowAs(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseShowAs(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "tentative", "meetings", "focus  time", strings.Repeat("x", 1000)} {
		_, err := ParseShowAs(bad)
		if err == nil || !strings.Contains(err.Error(), "valid: meeting, focus time, out-of-office event, free slot") || len(err.Error()) > 200 {
			t.Errorf("ParseShowAs(%.20q): %v, want an error that lists the phrases", bad, err)
		}
	}
}

// Every kind reads back from its phrase and its name, and the step pattern
// built from the table takes each phrase.
func TestShowAsVocabulary(t *testing.T) {
	step := regexp.MustCompile(`^alice has (?:a|an) (` + ShowAsPhrases() + `) from`)
	for k := ShowAs(0); k < numShowAs; k++ {
		for _, w := range []string{k.Phrase(), k.String()} {
			if got, err := ParseShowAs(w); err != nil || got != k {
				t.Errorf("ParseShowAs(%q) = %v, %v; want %v", w, got, err, k)
			}
		}
		if m := step.FindStringSubmatch("alice has a " + k.Phrase() + " from"); m == nil || m[1] != k.Phrase() {
			t.Errorf("the step pattern does not read %q: %v", k.Phrase(), m)
		}
	}
	if got := ShowAs(9).String(); got != "ShowAs(9)" {
		t.Errorf("an unknown kind prints %q", got)
	}
	m, _ := newModel(t, DefaultSettings())
	u := addUser(t, m, "alice")
	if _, err := m.AddAppointment(u, "x", 0, clock.At(1, 1, 0), numShowAs); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown kind of entry: %v, want ErrInvalid", err)
	}
}

// Aggregation, the explanation and LiveSources read the same walk: every
// live source shows up in the explanation with the rule that the trace
// cites, and the winner is one of them.
func TestSourcesAgree(t *testing.T) {
	m, clk := newModel(t, DefaultSettings())
	u, v := addUser(t, m, "alice"), addUser(t, m, "bob")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.SignIn(u, Desktop))
	must(m.SignIn(u, Mobile))
	must(m.SignIn(v, Mobile))
	must(m.SetAppPresence(u, m.App("pbx"), p.Of(p.Busy, p.InACall), 2*time.Hour))
	_, err := m.StartCall(u, v)
	must(err)
	must(m.StartPresenting(u))
	_, err = m.AddAppointment(u, "standup", 0, clock.At(1, 2, 0), ShowBusy)
	must(err)
	_, err = m.AddAppointment(u, "deep work", 0, clock.At(1, 2, 0), ShowFocus)
	must(err)
	_, err = m.AddAppointment(u, "lunch", 0, clock.At(1, 2, 0), ShowFree)
	must(err)
	must(clk.RunUntil(clock.At(1, 0, 1)))

	for _, k := range ClientKinds() {
		if SourceKind(k).String() != k.String() {
			t.Fatalf("the source of the %s client is %s", k, SourceKind(k))
		}
	}
	live := m.LiveSources(u, nil)
	var kinds []string
	for _, s := range live {
		kinds = append(kinds, s.Kind.String())
	}
	if want := "desktop mobile app call presenting calendar focus time"; strings.Join(kinds, " ") != want {
		t.Fatalf("live sources %q, want %q", strings.Join(kinds, " "), want)
	}
	e := m.Explain(u)
	if len(e.Sources) != len(live) {
		t.Fatalf("%d live sources but %d in the explanation:\n%s", len(live), len(e.Sources), e)
	}
	wantRules := []string{"T-ACT-1", "T-ACT-1", "T-SRC-2", "T-CALL-1", "T-PRES-1", "T-CAL-1", "T-CAL-2"}
	winner := false
	for i, s := range e.Sources {
		if s.Presence != live[i].Presence || s.Rule != wantRules[i] {
			t.Errorf("explained source %d is %s by %s, want %s by %s", i, s.Presence, s.Rule, live[i].Presence, wantRules[i])
		}
		winner = winner || strings.HasPrefix(s.Name, e.Winner) && s.Presence == e.Presence
	}
	if !winner || e.Presence != p.Of(p.DoNotDisturb, p.Presenting) || e.Rule != "T-AGG-5" {
		t.Errorf("presence %s from %q by %s; want DoNotDisturb/Presenting from presenting by T-AGG-5 (focus time has the same availability):\n%s", e.Presence, e.Winner, e.Rule, e)
	}
}
