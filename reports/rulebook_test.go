package reports

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/features"
)

// The rulebook document lives beside the repository in the project's shared
// folder; PRESENCESIM_RULEBOOK points elsewhere.
func rulebookDoc(t *testing.T) string {
	p := os.Getenv("PRESENCESIM_RULEBOOK")
	if p == "" {
		p = "../../shared/RULEBOOK.md"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("rulebook document not found (%v); set PRESENCESIM_RULEBOOK", err)
	}
	return string(b)
}

var tableRow = regexp.MustCompile(`(?m)^\| (` + RuleIDPattern + `) \| (.*?) \|`)

// Every id of the rulebook's tables is in the shipped data, with its title.
func TestRulebookDataHasEveryTableID(t *testing.T) {
	doc := rulebookDoc(t)
	rows := tableRow.FindAllStringSubmatch(doc, -1)
	if len(rows) == 0 {
		t.Fatal("no rule rows found in the rulebook document")
	}
	byID := map[string]Rule{}
	book, err := ParseRulebook(rulebookTSV)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range book {
		byID[r.ID] = r
	}
	for _, row := range rows {
		r, ok := byID[row[1]]
		if !ok {
			t.Errorf("%s is in the rulebook but not in rulebook.tsv", row[1])
			continue
		}
		if r.Title != strings.TrimSpace(row[2]) {
			t.Errorf("%s: title in rulebook.tsv %q differs from the rulebook %q", row[1], r.Title, row[2])
		}
	}
	if len(rows) != len(byID) {
		t.Errorf("rulebook has %d rule rows, rulebook.tsv %d rules", len(rows), len(byID))
	}
}

// The project's own rules are apart from the rulebook's: none of their ids
// is the rulebook's or in a rulebook family, all are P- ids of their own
// section, and Rulebook returns them after the rulebook's rows.
func TestProjectRulesApartFromTheRulebook(t *testing.T) {
	book, err := ParseRulebook(rulebookTSV)
	if err != nil {
		t.Fatal(err)
	}
	project, err := ParseRulebook(projectTSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(project) == 0 {
		t.Fatal("no project rules in rulebook-project.tsv")
	}
	bookFamilies := map[string]bool{}
	for _, r := range book {
		bookFamilies[strings.SplitN(r.ID, "-", 2)[0]] = true
	}
	for _, r := range project {
		if fam := strings.SplitN(r.ID, "-", 2)[0]; fam != "P" || bookFamilies[fam] {
			t.Errorf("%s: project rules are P- ids, a family the rulebook does not use", r.ID)
		}
		if r.Section != "Project rules (P-)" {
			t.Errorf("%s: section %q, want \"Project rules (P-)\"", r.ID, r.Section)
		}
	}
	all := Rulebook()
	if len(all) != len(book)+len(project) {
		t.Fatalf("Rulebook() has %d rules, want the rulebook's %d and the project's %d", len(all), len(book), len(project))
	}
	for i, r := range project {
		if got := all[len(book)+i]; got != r {
			t.Errorf("Rulebook()[%d] = %s, want the project rule %s after the rulebook's", len(book)+i, got.ID, r.ID)
		}
	}
}

// The data holds every family of ids the rulebook defines, in its order.
func TestRulebookFamilies(t *testing.T) {
	seen := map[string]int{}
	for _, r := range Rulebook() {
		if !RuleID.MatchString(r.ID) || r.Section == "" || r.Title == "" {
			t.Errorf("bad rule %+v", r)
		}
		seen[strings.SplitN(r.ID, "-", 2)[0]]++
	}
	for _, fam := range []string{"T", "G", "CL", "XP", "NB", "C", "P"} {
		if seen[fam] == 0 {
			t.Errorf("no %s- rules in the rulebook data", fam)
		}
	}
}

// Tags in the built-in features that look like rule ids name rules of the
// rulebook: a typo would otherwise count as coverage of nothing.
func TestFeatureTagsAreRules(t *testing.T) {
	known := map[string]bool{}
	for _, r := range Rulebook() {
		known[r.ID] = true
	}
	tag := regexp.MustCompile(`@(` + RuleIDPattern + `)\b`)
	for _, p := range features.Paths() {
		b, err := fs.ReadFile(features.FS, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tag.FindAllStringSubmatch(string(b), -1) {
			if !known[m[1]] {
				t.Errorf("%s: tag @%s is not a rule of the rulebook", p, m[1])
			}
		}
	}
}

func TestParseRulebookRefusesBadData(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"fields", "T-AGG-2\tTeams\tdoc\n", "4 tab-separated fields"},
		{"id", "agg-2\tTeams\tdoc\tx\n", "not a rule id"},
		{"duplicate", "C-1\ts\tk\tx\nC-1\ts\tk\ty\n", "already on line 1"},
		{"title", "C-1\ts\tk\t\n", "no title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRulebook(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseRulebook(%q) = %v, want an error with %q", tc.in, err, tc.want)
			}
		})
	}
	rs, err := ParseRulebook("# comment\nC-1\tConnector\t\tA writer uses its id.\n")
	if err != nil || len(rs) != 1 || rs[0].ID != "C-1" || rs[0].Kind != "" {
		t.Fatalf("ParseRulebook = %+v, %v", rs, err)
	}
}
