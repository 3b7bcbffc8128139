package reports

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
)

// Rule is one rulebook entry.
type Rule struct {
	ID      string
	Section string
	Kind    string // doc, derived, decided, with the source; empty where the table has no kind
	Title   string
}

//go:embed rulebook.tsv
var rulebookTSV string

// The project's own rules (P-) are not the rulebook's: they state what
// presencesim's fakes must do beyond it, in a file of their own with the
// same format, so rulebook.tsv stays the rulebook exactly.
//
//go:embed rulebook-project.tsv
var projectTSV string

// RuleIDPattern is the form of a rule id: a system prefix, an optional
// topic and a number (T-AGG-2, CL-10, G-SET-1, C-4). It is written here
// only; RuleID and RuleRef are made of it.
const RuleIDPattern = `[A-Z]+(?:-[A-Z]+)?-[0-9]+`

// RuleID matches a whole rule id; RuleRef finds rule ids inside a text.
var (
	RuleID  = regexp.MustCompile(`^` + RuleIDPattern + `$`)
	RuleRef = regexp.MustCompile(`\b` + RuleIDPattern + `\b`)
)

var rulebook = mustParseRulebook(rulebookTSV + "\n" + projectTSV)

// Rulebook returns every rule in rulebook order, then the project's own.
func Rulebook() []Rule { return append([]Rule(nil), rulebook...) }

func mustParseRulebook(s string) []Rule {
	r, err := ParseRulebook(s)
	if err != nil {
		panic(err) // the embedded files are checked by their tests
	}
	return r
}

// ParseRulebook reads the rulebook data: one rule a line, tab-separated id,
// section, kind and title; lines starting with # are comments.
func ParseRulebook(s string) ([]Rule, error) {
	var out []Rule
	seen := map[string]int{}
	for n, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("rulebook line %d: want 4 tab-separated fields (id, section, kind, title), got %d", n+1, len(f))
		}
		r := Rule{ID: f[0], Section: f[1], Kind: f[2], Title: f[3]}
		if !RuleID.MatchString(r.ID) {
			return nil, fmt.Errorf("rulebook line %d: %q is not a rule id (like T-AGG-2, CL-10, G-SET-1)", n+1, r.ID)
		}
		if prev, dup := seen[r.ID]; dup {
			return nil, fmt.Errorf("rulebook line %d: %s already on line %d", n+1, r.ID, prev)
		}
		if r.Title == "" {
			return nil, fmt.Errorf("rulebook line %d: %s has no title", n+1, r.ID)
		}
		seen[r.ID] = n + 1
		out = append(out, r)
	}
	return out, nil
}
