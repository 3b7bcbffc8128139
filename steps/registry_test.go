package steps

import (
	"regexp"
	"testing"
)

// TestCatalogue checks the step catalogue people read: every pattern
// compiles, every example matches its own pattern, and no example matches
// another step's pattern (godog strict fails ambiguous steps).
func TestCatalogue(t *testing.T) {
	cat := Catalog()
	if len(cat) < 50 {
		t.Fatalf("catalogue lists %d steps", len(cat))
	}
	res := make([]*regexp.Regexp, len(cat))
	for i, s := range cat {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			t.Fatalf("%s: %v", s.Pattern, err)
		}
		res[i] = re
		if s.Example == "" || !re.MatchString(s.Example) {
			t.Errorf("example %q does not match its pattern %s", s.Example, s.Pattern)
		}
	}
	for i, s := range cat {
		for j, re := range res {
			if i != j && re.MatchString(s.Example) {
				t.Errorf("example %q of %s also matches %s (%s group)", s.Example, s.Pattern, cat[j].Pattern, cat[j].Group)
			}
		}
	}
}
