package reports

import (
	_ "embed"
	"html/template"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

//go:embed report.html.tmpl
var reportTemplate string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"timeline": Timeline,
	"lower":    strings.ToLower,
	"split":    splitAssertion,
	"add1":     func(i int) int { return i + 1 },
	"failure": func(s *Scenario) *failedStep {
		st, i, ok := s.Failure()
		if !ok {
			return nil
		}
		return &failedStep{Step: st, Number: i + 1}
	},
	"colours": legend,
	"ruleID": func(tag string) string {
		if id := strings.TrimPrefix(tag, "@"); RuleID.MatchString(id) {
			return id
		}
		return ""
	},
	"cover":           coverageCounts,
	"resultFilters":   resultFilters,
	"ruleFilters":     ruleFilters,
	"filterCSS":       filterCSS,
	"scenarioClasses": scenarioClasses,
	"featureSummary":  featureSummaries,
	"featureAnchor": func(r *Run, f *Feature) string {
		return "feature-" + strconv.Itoa(slices.Index(r.Features, f)+1)
	},
}).Parse(reportTemplate))

type failedStep struct {
	Step
	Number int
}

// WriteHTML writes the self-contained report: no scripts, no external
// assets, timelines as inline SVG.
func WriteHTML(w io.Writer, r *Run) error { return page.Execute(w, r) }

// assertionParts are the expected and derived values of a gomega equality
// failure ("Expected <derived> to equal <expected>").
type assertionParts struct{ Expected, Derived string }

var gomegaEqual = regexp.MustCompile(`(?s)Expected\n\s+<[^>]*>: (.*?)\nto (?:equal|be equivalent to|be)\n\s+<[^>]*>: (.*?)\s*$`)

func splitAssertion(msg string) *assertionParts {
	m := gomegaEqual.FindStringSubmatch(msg)
	if m == nil {
		return nil
	}
	return &assertionParts{Expected: strings.TrimSpace(m[2]), Derived: strings.TrimSpace(m[1])}
}
