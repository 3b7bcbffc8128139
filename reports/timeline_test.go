package reports

import (
	"regexp"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/trace"
)

func at(h, m int) clock.Time { return clock.At(1, h, m) }

// A synthetic scenario: a desktop client, a PBX line the report has never
// heard of, a meeting, then a failed assertion.
func sampleScenario() *Scenario {
	P := presence.MustParse
	off := P("Offline/Offline")
	tr := []trace.Entry{
		{At: at(9, 0), Kind: trace.SourceChange, User: "alice", Source: "desktop", Before: off, After: P("Available"), Rule: "T-ACT-1"},
		{At: at(9, 0), Kind: trace.PresenceChange, User: "alice", Source: "desktop", Before: off, After: P("Available"), Rule: "T-ACT-1"},
		{At: at(9, 30), Kind: trace.SourceChange, User: "alice", Source: "pbx line 1", Before: off, After: P("Busy/InACall"), Rule: "CL-3", Note: "off-hook"},
		{At: at(9, 30), Kind: trace.PresenceChange, User: "alice", Source: "pbx line 1", Before: P("Available"), After: P("Busy/InACall"), Rule: "T-AGG-2"},
		{At: at(9, 45), Kind: trace.SourceChange, User: "alice", Source: "pbx line 1", Before: P("Busy/InACall"), After: off, Rule: "CL-3", Note: "on-hook"},
		{At: at(9, 45), Kind: trace.PresenceChange, User: "alice", Source: "pbx line 1", Before: P("Busy/InACall"), After: P("Available"), Rule: "T-ACT-1"},
		{At: at(9, 45), Kind: trace.SourceChange, User: "bob", Source: "web", Before: off, After: P("Away"), Rule: "T-ACT-2"},
	}
	return &Scenario{ID: "7", Name: "sample", Status: Failed, Trace: tr, Steps: []Step{
		{Keyword: "Given", Text: "alice is signed in to Teams on desktop", Status: Passed, At: at(9, 0), TraceLen: 2, Ran: true},
		{Keyword: "When", Text: "alice's desk phone goes off-hook", Status: Passed, At: at(9, 30), TraceLen: 4, Ran: true},
		{Keyword: "Then", Text: "alice's presence is Busy/InACall", Status: Passed, At: at(9, 30), TraceLen: 4, Ran: true},
		{Keyword: "When", Text: "15 minutes pass", Status: Passed, At: at(9, 45), TraceLen: 7, Ran: true},
		{Keyword: "Then", Text: "alice's presence is Busy", Status: Failed, At: at(9, 45), TraceLen: 7, Ran: true,
			Message: "expected Busy/Busy, the model derived Available/Available", Why: "alice at 09:45 is Available"},
		{Keyword: "Then", Text: "bob's presence is Away", Status: Skipped},
	}}
}

func TestLanesComeFromTraceSources(t *testing.T) {
	s := sampleScenario()
	ls := lanes(s, buildAxis(s))
	var got []string
	for _, l := range ls {
		got = append(got, l.user+"/"+l.name)
	}
	want := []string{"alice/desktop", "alice/pbx line 1", "alice/presence", "alice/federated view", "bob/web", "bob/presence", "bob/federated view"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("lanes %v, want %v", got, want)
	}
	// The federated lane shows the user-configured level: Busy for InACall;
	// like the presence lane it starts with what alice showed before her
	// first change, Offline.
	fed := ls[3]
	var fv []string
	for _, c := range fed.changes {
		fv = append(fv, c.p.Short())
	}
	if strings.Join(fv, ",") != "Offline,Available,Busy,Available" {
		t.Errorf("federated lane %v, want Offline,Available,Busy,Available", fv)
	}
	if first := ls[2].changes[0]; first.p.Short() != "Offline" || first.x != buildAxis(s)[0].x0 || !first.on {
		t.Errorf("the presence lane starts with %+v, want Offline drawn from the axis start", first)
	}
	// A source that ended draws nothing after its end.
	pbx := ls[1]
	if len(pbx.changes) != 2 || !pbx.changes[0].on || pbx.changes[1].on {
		t.Errorf("pbx lane changes %+v: want on, then off", pbx.changes)
	}
}

func TestAxisKeepsOrderAndTime(t *testing.T) {
	s := sampleScenario()
	slots := buildAxis(s)
	if len(slots) != 5 {
		t.Fatalf("%d slots, want one per step that ran (5)", len(slots))
	}
	for i := 1; i < len(slots); i++ {
		if slots[i].x0 != slots[i-1].x1 || slots[i].x1 <= slots[i].x0 {
			t.Errorf("slot %d [%v,%v] does not follow slot %d [%v,%v]", i, slots[i].x0, slots[i].x1, i-1, slots[i-1].x0, slots[i-1].x1)
		}
	}
	if end := slots[len(slots)-1].x1; end >= tlLabelW+tlAreaW {
		t.Errorf("no room after the last step: it ends at %v", end)
	}
	// Thirty minutes get more room than an instant, fifteen less than thirty.
	w := func(i int) float64 { return slots[i].x1 - slots[i].x0 }
	if !(w(1) > w(3) && w(3) > w(2)) {
		t.Errorf("slot widths 30 min %v, 15 min %v, instant %v: want 30 > 15 > instant", w(1), w(3), w(2))
	}
	// An entry in a slot that moves time sits where its time falls.
	sl := slot{x0: 100, x1: 200, t0: at(9, 0), t1: at(10, 0)}
	if x := sl.xOf(at(9, 15)); x != 125 {
		t.Errorf("09:15 in 09:00–10:00 over 100..200 at %v, want 125", x)
	}
}

func TestTimelineSVG(t *testing.T) {
	s := sampleScenario()
	svg := string(Timeline(s))
	for _, want := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg" class="timeline"`,
		`>pbx line 1</text>`,
		`fill="` + Colour(presence.MustParse("Busy/InACall")) + `"`,
		`fill="` + Colour(presence.MustParse("Available")) + `"`,
		`fill="` + Colour(presence.MustParse("Away")) + `"`,
		`class="marker failed"`,
		`expected Busy/Busy, the model derived Available/Available`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	markers := regexp.MustCompile(`class="marker (\w+)"`).FindAllStringSubmatch(svg, -1)
	var states []string
	for _, m := range markers {
		states = append(states, m[1])
	}
	if strings.Join(states, ",") != "passed,failed" {
		t.Errorf("markers %v, want the two Then steps that ran: passed,failed", states)
	}
	if n := strings.Count(svg, `class="seg"`); n != 11 {
		t.Errorf("%d segments, want 11 (desktop 1, pbx 1, presence 4 and federated 4 with Offline before the sign-in, bob's web 1)", n)
	}
	if !strings.Contains(svg, `fill="`+Colour(presence.MustParse("Offline"))+`"`) {
		t.Error("the presence lane draws no grey Offline before the first change")
	}
	if Timeline(&Scenario{Name: "never ran", Steps: []Step{{Text: "x"}}}) != "" {
		t.Error("a scenario without steps that ran draws a timeline")
	}
}

func TestColoursAreTeams(t *testing.T) {
	for _, tc := range []struct{ p, want string }{
		{"Available", "#92C353"}, {"Available/AvailableInactive", "#92C353"},
		{"Busy/InACall", "#C4314B"}, {"DoNotDisturb/Presenting", "#C4314B"},
		{"Away", "#FCD116"}, {"BeRightBack", "#FCD116"},
		{"Offline", "#8A8886"}, {"PresenceUnknown", "#D2D0CE"},
	} {
		if got := Colour(presence.MustParse(tc.p)); got != tc.want {
			t.Errorf("Colour(%s) = %s, want %s", tc.p, got, tc.want)
		}
	}
}

func TestCoverage(t *testing.T) {
	rules := []Rule{{ID: "T-AGG-2", Title: "a"}, {ID: "T-CAL-1", Title: "b"}, {ID: "CL-10", Title: "c"}}
	ok := &Scenario{Name: "ok", Status: Passed, Tags: []string{"@T-AGG-2", "@slow"}}
	bad := &Scenario{Name: "bad", Status: Failed, Tags: []string{"@T-AGG-2", "@T-CAL-1", "@T-NOPE-1"}}
	cs := ruleCoverage(rules, []*Feature{{Scenarios: []*Scenario{ok, bad}}})
	got := map[string]string{}
	for _, c := range cs {
		got[c.Rule.ID] = c.State() + "/" + itoaScen(c.Scenarios)
	}
	want := map[string]string{"T-AGG-2": "failing/ok+bad", "T-CAL-1": "failing/bad", "CL-10": "uncovered/", "T-NOPE-1": "unknown/bad"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %s, want %s", id, got[id], w)
		}
	}
	n := coverageCounts(cs)
	if n != (CoverageCounts{Rules: 3, Covered: 2, Failing: 2, Uncovered: 1, Unknown: 1}) {
		t.Errorf("counts %+v", n)
	}
}

func itoaScen(ss []*Scenario) string {
	var n []string
	for _, s := range ss {
		n = append(n, s.Name)
	}
	return strings.Join(n, "+")
}

// A source that speaks in notes only (a PBX line) gets labelled states; a
// note on a lane with presence values is a tick.
func TestNoteOnlySources(t *testing.T) {
	P := presence.MustParse
	s := &Scenario{ID: "9", Name: "notes", Trace: []trace.Entry{
		{At: at(8, 0), Kind: trace.SourceChange, User: "alice", Source: "pbx:desk phone", Note: "off-hook", Rule: "CL-3"},
		{At: at(8, 0), Kind: trace.SourceChange, User: "alice", Source: "cloudlink", Before: P("Available"), After: P("Busy"), Rule: "CL-2"},
		{At: at(8, 5), Kind: trace.SourceChange, User: "alice", Source: "pbx:desk phone", Note: "on-hook", Rule: "CL-3"},
		{At: at(8, 5), Kind: trace.SourceChange, User: "alice", Source: "cloudlink", Note: "no matching Azure AD user", Rule: "CL-14"},
		{At: at(8, 5), Kind: trace.SourceChange, User: "", Source: "cloudlink", Note: "stopped"},
	}, Steps: []Step{
		{Keyword: "When", Text: "alice makes a call on her desk phone", Status: Passed, At: at(8, 0), TraceLen: 2, Ran: true},
		{Keyword: "When", Text: "5 minutes pass", Status: Passed, At: at(8, 5), TraceLen: 5, Ran: true},
	}}
	svg := string(Timeline(s))
	for _, want := range []string{">off-hook</text>", ">on-hook</text>", `class="event"`, "no matching Azure AD user", "(no user: the integration itself)"} {
		if !strings.Contains(svg, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	if n := strings.Count(svg, `class="seg note"`); n != 3 {
		t.Errorf("%d note states, want 3 (off-hook, on-hook, the integration stopped)", n)
	}
}
