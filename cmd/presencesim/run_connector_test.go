package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/live/conformance"
)

// helperEnv makes the test binary the presencesim command when it is
// started as a connector: TestConnectorProcess then runs "connector".
const helperEnv = "PRESENCESIM_TEST_AS_COMMAND"

// TestConnectorProcess is not a test: started by the harness with
// helperEnv set, it is the command `presencesim connector …`.
func TestConnectorProcess(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("runs only as a connector process")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(dispatch(args, os.Stdout, os.Stderr))
}

// connectorCommand is a --connector command line that runs this binary as
// `presencesim connector <args>`.
func connectorCommand(t *testing.T, args ...string) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return "env " + helperEnv + "=1 " + exe + " -test.run=^TestConnectorProcess$ -- connector " + strings.Join(args, " ")
}

func runConnector(t *testing.T, spec string, extra ...string) (int, string, string) {
	t.Cleanup(func() { conformance.Use(conformance.Target{Integration: "cloudlink"}) })
	dir := filepath.Join(t.TempDir(), "report")
	var out, errb bytes.Buffer
	args := append([]string{"run", "--report", dir, "--connector", spec}, extra...)
	code := dispatch(args, &out, &errb)
	return code, out.String(), dir
}

// TestRunConnectorPassesTheReference judges the reference connector process
// through the run command and finds its output beside the report.
func TestRunConnectorPassesTheReference(t *testing.T) {
	code, out, dir := runConnector(t, "cloudlink="+connectorCommand(t, "cloudlink"), "--tags", "@C-1")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, w := range []string{"judging the cloudlink connector", "scenarios (", "passed)", "features tagged @connector-cloudlink"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "connector", "*.log"))
	if len(logs) == 0 {
		t.Fatalf("no connector output kept in %s", dir)
	}
	b, _ := os.ReadFile(logs[0])
	if !strings.Contains(string(b), "cloudlink connector: signed in to Graph") {
		t.Errorf("the kept output is not the connector's:\n%s", b)
	}
}

// TestRunConnectorFailsAFaultyConnector: the run fails and names the rule.
func TestRunConnectorFailsAFaultyConnector(t *testing.T) {
	code, out, _ := runConnector(t, "cloudlink="+connectorCommand(t, "cloudlink", "--fault", "echo"), "--tags", "@C-9")
	if code != 1 || !strings.Contains(out, "C-9 at ") || !strings.Contains(out, "presencesim: FAILED") {
		t.Fatalf("exit %d, want 1 naming C-9:\n%s", code, out)
	}
}

func TestRunConnectorRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct{ args []string }{
		{[]string{"--connector", "skype=./x"}},
		{[]string{"--connector", "cloudlink"}},
		{[]string{"--connector", "cloudlink=./x", "--time-scale", "0"}},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(append([]string{"run", "--report", ""}, tc.args...), &out, &errb); code != 2 || !strings.Contains(errb.String(), "presencesim run:") {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errb.String())
		}
	}
}
