package reports

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/features"
)

// citedID finds rule ids of the rulebook's families inside a text.
func citedID(families []string) *regexp.Regexp {
	return regexp.MustCompile(`\b(?:` + strings.Join(families, "|") + `)` + strings.TrimPrefix(RuleIDPattern, "[A-Z]+") + `\b`)
}

func families() []string {
	var out []string
	for _, r := range Rulebook() {
		f, _, _ := strings.Cut(r.ID, "-")
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Every rule id the code cites — in a string literal of a non-test Go
// file, or a tag of a built-in feature — is a rule of the rulebook, so an
// explanation or a trace never names a rule that does not exist.
func TestCitedRuleIDsAreInTheRulebook(t *testing.T) {
	known := map[string]bool{}
	for _, r := range Rulebook() {
		known[r.ID] = true
	}
	re := citedID(families())
	unknown := map[string][]string{}
	cite := func(where, text string) {
		for _, id := range re.FindAllString(text, -1) {
			if !known[id] && !slices.Contains(unknown[id], where) {
				unknown[id] = append(unknown[id], where)
			}
		}
	}
	root := ".."
	files, literals := 0, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (n == "testdata" || n == "node_modules" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					literals++
					cite(fset.Position(lit.Pos()).String(), s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range features.Paths() {
		b, err := fs.ReadFile(features.FS, p)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "@") {
				cite("features/"+p+":"+strconv.Itoa(i+1), l)
			}
		}
	}
	if files < 50 || literals < 1000 {
		t.Fatalf("read %d Go files and %d literals: the walk missed the code", files, literals)
	}
	ids := make([]string, 0, len(unknown))
	for id := range unknown {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		t.Errorf("%s is cited but is no rule of the rulebook: %s", id, strings.Join(unknown[id], ", "))
	}
}
