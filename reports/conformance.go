package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/presencesim/presencesim/live/conformance"
)

// Files of a connector's conformance report, beside the run's report.
const (
	ConformanceHTML = "conformance.html"
	ConformanceJSON = "conformance.json"
)

// ConformanceFormat names the JSON's shape; conformance.schema.json
// describes it.
const ConformanceFormat = "presencesim-conformance/1"

//go:embed conformance.schema.json
var ConformanceSchema []byte

// Rule outcomes in a conformance report.
const (
	RulePassed       = "passed"
	RuleFailed       = "failed"
	RuleNotExercised = "not-exercised"
)

// Connector says what was judged.
type Connector struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Integration string `json:"integration"`
	Command     string `json:"command"`
}

// ConformanceReport is a connector's result against its profile, rule by
// rule: what a vendor hands on.
type ConformanceReport struct {
	Format      string       `json:"format"`
	Connector   Connector    `json:"connector"`
	Presencesim string       `json:"presencesimVersion"`
	Seed        uint64       `json:"seed"`
	Date        time.Time    `json:"date"`
	Duration    float64      `json:"durationSeconds"`
	TimeScale   float64      `json:"timeScale"`
	Profile     string       `json:"profile"`
	Summary     RuleCounts   `json:"summary"`
	Rules       []RuleResult `json:"rules"`
}

// RuleCounts are a report's totals; Text is the line at its top.
type RuleCounts struct {
	Passed       int    `json:"passed"`
	Failed       int    `json:"failed"`
	NotExercised int    `json:"notExercised"`
	Total        int    `json:"total"`
	Text         string `json:"text"`
}

// RuleResult is one rule of the profile.
type RuleResult struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Status    string         `json:"status"`
	Verdict   string         `json:"verdict"`
	Scenarios []RuleJudgedBy `json:"scenarios"`
	// Evidence is what decided a failure: the broken rule's lines and the
	// wire-log excerpt of the failing step.
	Evidence []string `json:"evidence"`
}

// RuleJudgedBy is a scenario that judged a rule, and how it ended.
type RuleJudgedBy struct {
	Name    string `json:"name"`
	Feature string `json:"feature"`
	Status  string `json:"status"`
	Anchor  string `json:"anchor"`
}

// Evidence bounds per rule.
const maxEvidenceLines = 24

// BuildConformance reads a run of the connector's features against the
// profile of its integration.
func BuildConformance(r *Run, c Connector, timeScale float64) (*ConformanceReport, error) {
	prof, err := conformance.ProfileOf(c.Integration)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, x := range rulebook {
		titles[x.ID] = x.Title
	}
	in := map[string]bool{}
	for _, id := range prof.Rules {
		in[id] = true
	}
	type judged struct {
		by       []RuleJudgedBy
		failed   bool
		evidence []string
		why      string
		skipped  int
	}
	res := map[string]*judged{}
	for _, id := range prof.Rules {
		res[id] = &judged{}
	}
	tag := "@connector-" + c.Integration
	for _, sc := range r.Scenarios() {
		if !hasTag(sc.Tags, tag) {
			continue
		}
		var tagged []string
		for _, t := range sc.Tags {
			if id := strings.TrimPrefix(t, "@"); in[id] {
				tagged = append(tagged, id)
			}
		}
		if sc.Status == Skipped {
			for _, id := range tagged {
				res[id].skipped++
			}
			continue
		}
		failed := map[string][]string{} // rule → evidence
		var failReason string
		if st, _, ok := sc.Failure(); ok {
			failed, failReason = failedRules(st, in)
			if len(failed) == 0 {
				for _, id := range tagged {
					failed[id] = failLines(st)
				}
			}
		}
		judgedBy := append([]string(nil), tagged...)
		for _, st := range sc.Steps {
			// "the connector keeps the rules C-1, C-4 and XP-13" judges them too
			if !st.Ran || !strings.Contains(st.Text, "keeps the rule") {
				continue
			}
			for _, id := range RuleRef.FindAllString(st.Text, -1) {
				if in[id] && !contains(judgedBy, id) {
					judgedBy = append(judgedBy, id)
				}
			}
		}
		for id := range failed {
			if !contains(judgedBy, id) {
				judgedBy = append(judgedBy, id)
			}
		}
		for _, id := range judgedBy {
			j := res[id]
			j.by = append(j.by, RuleJudgedBy{Name: sc.Title(), Feature: sc.URI, Status: string(sc.Status), Anchor: sc.Anchor()})
			if ev, ok := failed[id]; ok && !j.failed {
				j.failed, j.evidence, j.why = true, ev, failReason
				if v := violationOf(id, ev); v != "" {
					j.why = v
				}
			}
		}
	}
	rep := &ConformanceReport{Format: ConformanceFormat, Connector: c, Presencesim: r.Version, Seed: r.Seed, Date: r.Started.UTC().Truncate(time.Second),
		Duration: r.Duration.Seconds(), TimeScale: timeScale, Profile: prof.Name}
	for _, id := range prof.Rules {
		j := res[id]
		rr := RuleResult{ID: id, Title: titles[id], Scenarios: j.by, Evidence: j.evidence}
		if rr.Scenarios == nil {
			rr.Scenarios = []RuleJudgedBy{}
		}
		if rr.Evidence == nil {
			rr.Evidence = []string{}
		}
		switch {
		case j.failed:
			rr.Status, rr.Verdict = RuleFailed, "Failed: "+clipLine(j.why, 240)
			rep.Summary.Failed++
		case len(j.by) > 0:
			rr.Status = RulePassed
			rr.Verdict = fmt.Sprintf("Passed: the connector kept this rule in %s that judged it.", plural(len(j.by), "scenario"))
			rep.Summary.Passed++
		default:
			rr.Status, rr.Verdict = RuleNotExercised, "Not exercised: no scenario of this run judged it."
			if j.skipped > 0 {
				rr.Verdict = fmt.Sprintf("Not exercised: the %s that judge it %s skipped in this run.", plural(j.skipped, "scenario"), map[bool]string{true: "was", false: "were"}[j.skipped == 1])
			}
			rep.Summary.NotExercised++
		}
		rep.Rules = append(rep.Rules, rr)
	}
	rep.Summary.Total = len(prof.Rules)
	rep.Summary.Text = fmt.Sprintf("%s profile: %d/%d rules passed", prof.Name, rep.Summary.Passed, rep.Summary.Total)
	if rep.Summary.Failed > 0 {
		rep.Summary.Text += fmt.Sprintf(", %d failed", rep.Summary.Failed)
	}
	if rep.Summary.NotExercised > 0 {
		rep.Summary.Text += fmt.Sprintf(", %d not exercised", rep.Summary.NotExercised)
	}
	return rep, nil
}

// failedRules reads a failed step: the rules its violation lines name
// ("C-5 at …"), else those of the profile its message names. Each comes
// with its evidence. The reason is the message's first line.
func failedRules(st Step, in map[string]bool) (map[string][]string, string) {
	text := st.Error
	if st.Message != "" {
		text = st.Message
	}
	full := text + "\n" + st.Why
	out := map[string][]string{}
	lines := strings.Split(full, "\n")
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if id, _, ok := strings.Cut(t, " at "); ok && in[id] && RuleID.MatchString(id) && !strings.HasSuffix(t, ":") {
			out[id] = append(out[id], t)
		}
	}
	if len(out) == 0 {
		for _, id := range RuleRef.FindAllString(text, -1) {
			if in[id] {
				out[id] = failLines(st)
			}
		}
	}
	for id := range out {
		if len(out[id]) > 0 && strings.Contains(out[id][0], " at ") {
			out[id] = append(out[id], wireExcerpt(lines, id)...)
		}
		if len(out[id]) > maxEvidenceLines {
			out[id] = append(out[id][:maxEvidenceLines], fmt.Sprintf("… (%d more lines in the scenario's report)", len(out[id])-maxEvidenceLines))
		}
	}
	return out, firstLine(text)
}

// failLines is a failed step's message, without the model's explanation.
func failLines(st Step) []string {
	text := st.Error
	if st.Message != "" {
		text = st.Message
	}
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimRight(l, " "); l != "" {
			out = append(out, l)
		}
		if len(out) == maxEvidenceLines {
			break
		}
	}
	return out
}

// wireExcerpt is the block of the wire-log excerpt about the rule.
func wireExcerpt(lines []string, id string) []string {
	var out []string
	in, block := false, false
	for _, l := range lines {
		switch {
		case strings.TrimSpace(l) == conformance.WireHeader:
			in = true
		case !in:
		case strings.HasPrefix(l, "    "):
			if block {
				out = append(out, strings.TrimSpace(l))
			}
		case strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "    "):
			block = strings.HasPrefix(strings.TrimSpace(l), id+" at ")
			if block {
				out = append(out, conformance.WireHeader+" "+strings.TrimSpace(l))
			}
		default:
			in, block = false, false
		}
	}
	return out
}

// violationOf is the customer's line of the rule's first violation: what
// the connector did, without the rule id and time.
func violationOf(id string, ev []string) string {
	for _, l := range ev {
		if rest, ok := strings.CutPrefix(l, id+" at "); ok {
			if _, what, ok := strings.Cut(rest, ": "); ok {
				return what
			}
		}
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func clipLine(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func hasTag(tags []string, t string) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

//go:embed conformance.html.tmpl
var conformanceTmpl string

var conformancePage = template.Must(template.New("conformance").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.Format("2006-01-02 15:04 MST") },
}).Parse(conformanceTmpl))

// WriteConformance writes conformance.html and conformance.json into dir
// and answers their paths.
func WriteConformance(dir string, rep *ConformanceReport) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	var page bytes.Buffer
	if err := conformancePage.Execute(&page, rep); err != nil {
		return nil, fmt.Errorf("conformance report: %w", err)
	}
	hp, jp := filepath.Join(dir, ConformanceHTML), filepath.Join(dir, ConformanceJSON)
	if err := os.WriteFile(hp, page.Bytes(), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(jp, append(js, '\n'), 0o644); err != nil {
		return nil, err
	}
	return []string{hp, jp}, nil
}
