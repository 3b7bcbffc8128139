package reports

import (
	"html/template"
	"slices"
	"strconv"
	"strings"
)

// The report filters without scripts: a link to #only-X makes an empty
// marker element the :target, and a style rule per filter hides the
// scenarios (and whole features) the filter leaves out. The filters are
// the outcomes that occurred and the rule ids the scenarios carry.

// Filter is one way to narrow the scenario list.
type Filter struct {
	ID    string // the marker element's id, the link's fragment
	Label string
	Class string // the class a scenario must carry to stay visible
	Count int
}

// resultFilters are the outcomes that occurred, worst first.
func resultFilters(r *Run) []Filter {
	n := map[Status]int{}
	for _, s := range r.Scenarios() {
		n[s.Status]++
	}
	var out []Filter
	for _, st := range []Status{Failed, Ambiguous, Undefined, Pending, Skipped, Passed} {
		if n[st] > 0 {
			out = append(out, Filter{ID: "only-" + string(st), Label: string(st), Class: string(st), Count: n[st]})
		}
	}
	return out
}

// ruleFilters are the rule ids tagged on some scenario, in coverage order.
func ruleFilters(r *Run) []Filter {
	var out []Filter
	for _, c := range r.Coverage {
		if len(c.Scenarios) > 0 {
			out = append(out, Filter{ID: "only-" + c.Rule.ID, Label: c.Rule.ID, Class: ruleClass(c.Rule.ID), Count: len(c.Scenarios)})
		}
	}
	return out
}

func ruleClass(id string) string { return "r-" + id }

// scenarioClasses are the classes of a scenario's details element: its
// outcome and a class per rule it is tagged with.
func scenarioClasses(s *Scenario) string {
	cls := []string{"scenario", string(s.Status)}
	for _, t := range s.Tags {
		if id := strings.TrimPrefix(t, "@"); RuleID.MatchString(id) && !slices.Contains(cls, ruleClass(id)) {
			cls = append(cls, ruleClass(id))
		}
	}
	return strings.Join(cls, " ")
}

// filterCSS is one hiding rule per filter. Ids and classes are made of
// outcome words and rule ids ([A-Z0-9-]), safe as CSS identifiers.
func filterCSS(r *Run) template.CSS {
	var b strings.Builder
	for _, f := range append(resultFilters(r), ruleFilters(r)...) {
		b.WriteString("#" + f.ID + ":target ~ main details.scenario:not(." + f.Class + "), #" + f.ID + ":target ~ main section.feature:not(:has(details." + f.Class + ")), #" + f.ID + ":target ~ main tr.feature-row:not(." + f.Class + ") { display: none; }\n")
		b.WriteString("#" + f.ID + ":target ~ main .filter-note." + f.ID + " { display: block; }\n")
	}
	return template.CSS(b.String())
}

// FeatureSummary is a feature file's line in the summary table.
type FeatureSummary struct {
	*Feature
	Anchor                string
	Passed, Failed, Other int
	Classes               string // outcomes and rules of its scenarios, for the filters
	FirstFailed           *Scenario
}

func featureSummaries(r *Run) []FeatureSummary {
	var out []FeatureSummary
	for i, f := range r.Features {
		fs := FeatureSummary{Feature: f, Anchor: "feature-" + strconv.Itoa(i+1)}
		cls := []string{"feature-row"}
		add := func(c string) {
			if !slices.Contains(cls, c) {
				cls = append(cls, c)
			}
		}
		for _, s := range f.Scenarios {
			switch s.Status {
			case Passed:
				fs.Passed++
			case Failed:
				fs.Failed++
			default:
				fs.Other++
			}
			if s.Status != Passed && fs.FirstFailed == nil {
				fs.FirstFailed = s
			}
			for _, c := range strings.Fields(scenarioClasses(s))[1:] {
				add(c)
			}
		}
		fs.Classes = strings.Join(cls, " ")
		out = append(out, fs)
	}
	return out
}
