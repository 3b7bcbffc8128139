package suite

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"github.com/presencesim/presencesim/reports"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/presencesim/presencesim/sim/presence"
)

// testRun runs the report's own features, one that passes and one that
// fails on purpose, once for all tests of the package.
type testRun struct {
	res    Result
	err    error
	dir    string
	stdout string
}

var (
	sampleOnce sync.Once
	sample     testRun
)

func sampleRun(t testing.TB) testRun {
	t.Helper()
	sampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "presencesim-report-test-")
		if err != nil {
			sample.err = err
			return
		}
		var out bytes.Buffer
		sample.dir = dir
		sample.res, sample.err = Execute(Config{
			Paths: []string{"testdata/pass", "testdata/fail"}, Seed: 1, Dir: dir,
			Output: &out, NoColors: true, Concurrency: 2, Source: "report test features",
		})
		sample.stdout = out.String()
	})
	if sample.err != nil {
		t.Fatal(sample.err)
	}
	return sample
}

// read returns a file the sample run wrote.
func (r testRun) read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sample.dir != "" {
		os.RemoveAll(sample.dir)
	}
	os.Exit(code)
}

func TestRunWritesTheReportFiles(t *testing.T) {
	r := sampleRun(t)
	if r.res.Status != 1 {
		t.Errorf("status %d, want 1: the run fails on purpose", r.res.Status)
	}
	for _, f := range []string{reports.IndexFile, reports.JUnitFile, reports.CucumberFile} {
		if fi, err := os.Stat(filepath.Join(r.dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour codes in the output although NoColors is set")
	}
}

// godogSummary reads godog's summary line: "4 scenarios (2 passed, 1 failed, 1 undefined)".
func godogSummary(t *testing.T, out string) map[string]int {
	m := regexp.MustCompile(`(?m)^(\d+) scenarios \(([^)]*)\)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no scenario summary in godog's output:\n%s", out)
	}
	got := map[string]int{}
	got["total"], _ = strconv.Atoi(m[1])
	for _, part := range strings.Split(m[2], ", ") {
		f := strings.Fields(part)
		got[f[1]], _ = strconv.Atoi(f[0])
	}
	return got
}

type junitSuites struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Name   string `xml:"name,attr"`
			Status string `xml:"status,attr"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// The JUnit XML parses and its counts match godog's summary and the report.
func TestJUnitCountsMatch(t *testing.T) {
	r := sampleRun(t)
	b := r.read(t, reports.JUnitFile)
	var j junitSuites
	if err := xml.Unmarshal(b, &j); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	status := map[string]int{}
	cases := 0
	for _, s := range j.Suites {
		for _, c := range s.Cases {
			cases++
			status[c.Status]++
		}
	}
	g := godogSummary(t, r.stdout)
	c := r.res.Run.Counts
	for _, tc := range []struct {
		what         string
		junit, godog int
		report       int
	}{
		{"scenarios", j.Tests, g["total"], c.Scenarios},
		{"test cases", cases, g["total"], c.Scenarios},
		{"passed", status["passed"], g["passed"], c.Passed},
		{"failed", j.Failures, g["failed"], c.Failed},
		{"undefined", j.Errors, g["undefined"], c.Undefined},
	} {
		if tc.junit != tc.godog || tc.report != tc.godog {
			t.Errorf("%s: junit %d, godog %d, report %d", tc.what, tc.junit, tc.godog, tc.report)
		}
	}
	if c.Scenarios != 4 {
		t.Errorf("%d scenarios, want the 4 of testdata", c.Scenarios)
	}
}

func TestCucumberJSONParses(t *testing.T) {
	r := sampleRun(t)
	b := r.read(t, reports.CucumberFile)
	var fs []struct {
		URI      string `json:"uri"`
		Elements []struct {
			Name string `json:"name"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatalf("cucumber.json does not parse: %v", err)
	}
	n := 0
	for _, f := range fs {
		n += len(f.Elements)
	}
	if len(fs) != len(r.res.Run.Features) || n != r.res.Run.Counts.Scenarios {
		t.Errorf("cucumber.json has %d features, %d scenarios; the run %d, %d", len(fs), n, len(r.res.Run.Features), r.res.Run.Counts.Scenarios)
	}
}

// section returns the HTML of one scenario's section, unescaped.
func section(t *testing.T, page string, s *reports.Scenario) string {
	t.Helper()
	i := strings.Index(page, `id="`+s.Anchor()+`"`)
	if i < 0 {
		t.Fatalf("no section %s for %q", s.Anchor(), s.Name)
	}
	j := strings.Index(page[i:], "</details>")
	return page[i : i+j]
}

func field(sec, class string) (string, bool) {
	m := regexp.MustCompile(`(?s)<dd class="` + class + `"><pre>(.*?)</pre>`).FindStringSubmatch(sec)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(m[1]), true
}

// A failing scenario's section shows the expected value, the derived value
// and the explanation.
func TestFailingScenarioShowsExpectedDerivedWhy(t *testing.T) {
	r := sampleRun(t)
	b := r.read(t, reports.IndexFile)
	page := string(b)
	var failed, undefined *reports.Scenario
	for _, s := range r.res.Run.Scenarios() {
		switch s.Name {
		case "An expectation the model does not meet":
			failed = s
		case "A step nobody defined":
			undefined = s
		}
	}
	if failed == nil || undefined == nil {
		t.Fatal("the failing scenarios of testdata/fail did not run")
	}
	sec := section(t, page, failed)
	// The feature expects Available; a calendar meeting makes the model
	// derive Busy/InAMeeting (T-CAL-1).
	if got, _ := field(sec, "expected"); got != presence.MustParse("Available").String() {
		t.Errorf("expected value shown %q, want Available/Available", got)
	}
	if got, _ := field(sec, "derived"); got != presence.MustParse("Busy/InAMeeting").String() {
		t.Errorf("derived value shown %q, want Busy/InAMeeting", got)
	}
	why, ok := field(sec, "explanation")
	if !ok || !strings.Contains(why, "calendar") || !strings.Contains(why, "chosen by") {
		t.Errorf("explanation %q should name the calendar source and the deciding rule", why)
	}
	st, _, _ := failed.Failure()
	if st.Why == "" || strings.TrimSpace(why) != strings.TrimSpace(st.Why) {
		t.Errorf("explanation shown differs from the model's:\n%s\n---\n%s", why, st.Why)
	}
	if !strings.Contains(sec, `class="marker failed"`) {
		t.Error("the failed assertion is not marked on the timeline")
	}
	usec := section(t, page, undefined)
	if e, _ := field(usec, "error"); !strings.Contains(e, "alice juggles three phones") {
		t.Errorf("undefined step's section shows %q", e)
	}
	// The failures list links both.
	for _, s := range []*reports.Scenario{failed, undefined} {
		if !strings.Contains(page, `href="#`+s.Anchor()+`"`) {
			t.Errorf("no link to %s", s.Name)
		}
	}
}

// The report is self-contained: no scripts and nothing fetched.
func TestReportIsSelfContained(t *testing.T) {
	r := sampleRun(t)
	b := r.read(t, reports.IndexFile)
	page := strings.ToLower(string(b))
	for _, bad := range []string{"<script", "src=", "<link", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	if strings.Contains(page, "http://") && strings.Count(page, "http://") != strings.Count(page, "http://www.w3.org/2000/svg") {
		t.Error("report refers to an address other than the SVG namespace")
	}
}

func TestUnknownFormatIsRefused(t *testing.T) {
	_, err := Execute(Config{Paths: []string{"testdata/pass"}, Format: "prety"})
	if err == nil || !strings.Contains(err.Error(), "pretty") || !strings.Contains(err.Error(), "progress") {
		t.Fatalf("err = %v, want one naming the valid formats", err)
	}
	if strings.Contains(err.Error(), reports.JUnitFormat) {
		t.Errorf("err names the internal format %s: %v", reports.JUnitFormat, err)
	}
}
