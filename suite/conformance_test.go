package suite

import (
	"bytes"
	"encoding/json"
	"github.com/presencesim/presencesim/reports"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/internal/headless"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
)

// conformanceRun runs two XPhone scenarios against the reference XPhone
// connector in process with the no-cleanup fault: the Teams call's
// appointment stays (XP-8 fails), the echo scenario passes, and the rest
// of the profile is not exercised.
func conformanceRun(t *testing.T) (*reports.ConformanceReport, string) {
	t.Helper()
	conformance.Use(conformance.Target{Integration: "xphone", Fault: connector.NoCleanup})
	t.Cleanup(func() { conformance.Use(conformance.Target{Integration: "cloudlink"}) })
	dir := t.TempDir()
	var out bytes.Buffer
	res, err := Execute(Config{FS: features.FS, Paths: features.Paths(), Tags: "@connector-xphone && @XP-4,@C-9",
		Seed: 7, Dir: dir, Output: &out, NoColors: true, Concurrency: 2, Version: "test-1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status == 0 {
		t.Fatalf("the run with the no-cleanup fault passed:\n%s", out.String())
	}
	rep, err := reports.BuildConformance(res.Run, reports.Connector{Name: "Reference XPhone <sync>", Version: "1.2.3", Integration: "xphone", Command: "presencesim connector xphone --fault no-cleanup"}, 120)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reports.WriteConformance(dir, rep); err != nil {
		t.Fatal(err)
	}
	return rep, dir
}

// TestConformanceReport: each rule of the profile is passed, failed or
// not exercised as the run judged it, a failure carries its wire-log
// excerpt, the JSON validates against the schema in the repository (and
// a broken copy does not), and the page renders in headless Chromium with
// no script and no request of its own.
func TestConformanceReport(t *testing.T) {
	rep, dir := conformanceRun(t)
	byID := map[string]reports.RuleResult{}
	for _, r := range rep.Rules {
		byID[r.ID] = r
	}
	prof, _ := conformance.ProfileOf("xphone")
	if len(rep.Rules) != len(prof.Rules) {
		t.Fatalf("%d rules reported, the profile has %d", len(rep.Rules), len(prof.Rules))
	}
	for _, c := range []struct{ id, status string }{
		{"XP-8", reports.RuleFailed}, {"C-9", reports.RulePassed}, {"XP-13", reports.RulePassed}, {"XP-6", reports.RuleNotExercised}, {"C-7", reports.RuleNotExercised},
	} {
		if got := byID[c.id].Status; got != c.status {
			t.Errorf("%s is %s, want %s (%s)", c.id, got, c.status, byID[c.id].Verdict)
		}
	}
	xp8 := byID["XP-8"]
	ev := strings.Join(xp8.Evidence, "\n")
	if !strings.Contains(ev, "XP-8 at ") || !strings.Contains(ev, conformance.WireHeader) || !strings.Contains(ev, "appointment created") {
		t.Errorf("XP-8's evidence lacks the violation or the wire-log excerpt:\n%s", ev)
	}
	if !strings.HasPrefix(xp8.Verdict, "Failed: the appointment") {
		t.Errorf("XP-8's verdict: %q", xp8.Verdict)
	}
	n := rep.Summary
	if n.Passed+n.Failed+n.NotExercised != n.Total || n.Failed != 1 || !strings.HasPrefix(n.Text, "XPhone profile: "+strconv.Itoa(n.Passed)+"/"+strconv.Itoa(n.Total)+" rules passed") {
		t.Errorf("summary %+v", n)
	}

	raw, err := os.ReadFile(filepath.Join(dir, reports.ConformanceJSON))
	if err != nil {
		t.Fatal(err)
	}
	schema := compileSchema(t)
	if err := validate(schema, raw); err != nil {
		t.Fatalf("conformance.json does not validate against conformance.schema.json: %v", err)
	}
	var broken map[string]any
	_ = json.Unmarshal(raw, &broken)
	broken["rules"].([]any)[0].(map[string]any)["status"] = "maybe"
	delete(broken, "seed")
	b, _ := json.Marshal(broken)
	if err := validate(schema, b); err == nil {
		t.Error("a report with an unknown status and no seed validates; the schema checks nothing")
	}

	page, _ := filepath.Abs(filepath.Join(dir, reports.ConformanceHTML))
	tab := headless.Browser(t, map[string]any{"window-size": "1100,1400"})
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	for _, c := range []struct{ js, want string }{
		{`String(document.scripts.length)`, "0"},
		{`String(performance.getEntriesByType("resource").length)`, "0"},
		{`document.getElementById("connector").textContent`, "Reference XPhone <sync> 1.2.3"},
		{`document.getElementById("summary").textContent`, n.Text},
		{`document.getElementById("seed").textContent`, "7"},
		{`document.getElementById("presencesim-version").textContent`, "test-1"},
		{`String(document.querySelectorAll("#rules tr.rule").length)`, strconv.Itoa(n.Total)},
		{`String(document.querySelectorAll("#rules tr.rule.failed").length)`, strconv.Itoa(n.Failed)},
		{`String(document.querySelectorAll("#rules tr.rule.not-exercised").length)`, strconv.Itoa(n.NotExercised)},
		{`document.querySelector("#rule-XP-8 pre.evidence") ? "evidence" : "none"`, "evidence"},
		{`document.querySelector("#rule-C-9 pre.evidence") ? "evidence" : "none"`, "none"},
		{`getComputedStyle(document.querySelector("#rule-XP-8 .status")).color`, "rgb(197, 15, 31)"},
	} {
		if got := eval(c.js); got != c.want {
			t.Errorf("%s = %q, want %q", c.js, got, c.want)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(reports.ConformanceSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("conformance.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("conformance.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(s *jsonschema.Schema, raw []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return s.Validate(v)
}
