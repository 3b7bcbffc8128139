package steps

import (
	"regexp"
	"testing"
)

// TestGraphStepsAreUnambiguous checks that every Graph example matches its
// own pattern and no other, and that no other group's example matches a
// Graph pattern: godog strict fails ambiguous steps.
func TestGraphStepsAreUnambiguous(t *testing.T) {
	const group = "Microsoft Graph"
	cat := Catalog()
	res := make([]*regexp.Regexp, len(cat))
	for i, s := range cat {
		res[i] = regexp.MustCompile(s.Pattern)
	}
	n := 0
	for i, s := range cat {
		if s.Group == group {
			n++
			if !res[i].MatchString(s.Example) {
				t.Errorf("example %q does not match its pattern %s", s.Example, s.Pattern)
			}
		}
		for j, re := range res {
			if i == j || (s.Group != group && cat[j].Group != group) {
				continue
			}
			if re.MatchString(s.Example) {
				t.Errorf("%q (%s) also matches %s (%s)", s.Example, s.Group, cat[j].Pattern, cat[j].Group)
			}
		}
	}
	if n == 0 {
		t.Fatal("no Graph steps in the catalogue")
	}
}

func TestGraphLookupJSON(t *testing.T) {
	doc := map[string]any{
		"@odata.context": "ctx",
		"value":          []any{map[string]any{"id": "a", "outOfOfficeSettings": map[string]any{"isOutOfOffice": true}}},
		"resourceData":   map[string]any{"@odata.type": "#microsoft.graph.presence"},
	}
	cases := []struct {
		path string
		want any
		ok   bool
	}{
		{"@odata.context", "ctx", true},
		{"value[0].id", "a", true},
		{"value[0].outOfOfficeSettings.isOutOfOffice", true, true},
		{"resourceData.@odata.type", "#microsoft.graph.presence", true},
		{"value[1].id", nil, false},
		{"value.id", nil, false},
		{"missing", nil, false},
	}
	for _, c := range cases {
		got, ok := gLookupJSON(doc, c.path)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("gLookupJSON(%q) = %v, %v; want %v, %v", c.path, got, ok, c.want, c.ok)
		}
	}
}
