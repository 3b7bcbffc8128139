package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/reports"
)

// TestRunConnectorWritesTheConformanceReport: an XPhone process judged
// through the run command gets conformance.html and conformance.json
// beside the report, headed by the name and version given, its summary
// line printed; rules the selected scenarios did not judge are listed as
// not exercised.
func TestRunConnectorWritesTheConformanceReport(t *testing.T) {
	code, out, dir := runConnector(t, "xphone="+connectorCommand(t, "xphone"), "--tags", "@XP-6 && @XP-14",
		"--connector-name", "XPhone Connect", "--connector-version", "9.1")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, reports.ConformanceJSON))
	if err != nil {
		t.Fatal(err)
	}
	var rep reports.ConformanceReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Connector.Name != "XPhone Connect" || rep.Connector.Version != "9.1" || rep.Connector.Integration != "xphone" || rep.Seed != 1 {
		t.Errorf("header %+v, seed %d", rep.Connector, rep.Seed)
	}
	status := map[string]string{}
	for _, r := range rep.Rules {
		status[r.ID] = r.Status
	}
	if status["XP-6"] != reports.RulePassed || status["XP-14"] != reports.RulePassed || status["C-5"] != reports.RuleNotExercised {
		t.Errorf("XP-6 %s, XP-14 %s, C-5 %s; want passed, passed, not exercised", status["XP-6"], status["XP-14"], status["C-5"])
	}
	if !strings.Contains(out, rep.Summary.Text+"; conformance report ") {
		t.Errorf("the output does not print the summary %q:\n%s", rep.Summary.Text, out)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.ConformanceHTML)); err != nil {
		t.Error(err)
	}
}
