package steps

import (
	"regexp"
	"slices"
	"testing"
)

// unambiguous checks that each named step group is in the catalogue, that
// every example of the groups matches its own pattern and no other, and
// that no other group's example matches one of their patterns: godog strict
// fails ambiguous steps.
func unambiguous(t *testing.T, groups ...string) {
	t.Helper()
	cat := Catalog()
	res := make([]*regexp.Regexp, len(cat))
	for i, s := range cat {
		res[i] = regexp.MustCompile(s.Pattern)
	}
	mine := func(g string) bool { return slices.Contains(groups, g) }
	n := map[string]int{}
	for i, s := range cat {
		if mine(s.Group) {
			n[s.Group]++
			if !res[i].MatchString(s.Example) {
				t.Errorf("example %q does not match its pattern %s", s.Example, s.Pattern)
			}
		}
		for j, re := range res {
			if i != j && (mine(s.Group) || mine(cat[j].Group)) && re.MatchString(s.Example) {
				t.Errorf("%q (%s) also matches %s (%s)", s.Example, s.Group, cat[j].Pattern, cat[j].Group)
			}
		}
	}
	for _, g := range groups {
		if n[g] == 0 {
			t.Errorf("no %s steps in the catalogue", g)
		}
	}
}

func TestGraphStepsAreUnambiguous(t *testing.T) { unambiguous(t, "Microsoft Graph") }
