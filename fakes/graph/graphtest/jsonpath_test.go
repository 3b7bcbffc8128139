package graphtest

import "testing"

func TestLookupJSON(t *testing.T) {
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
		{"value[-1].id", nil, false},
		{"value[x]", nil, false},
		{"value[0", nil, false},
		{"value.id", nil, false},
		{"missing", nil, false},
	}
	for _, c := range cases {
		got, ok := LookupJSON(doc, c.path)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("LookupJSON(%q) = %v, %v; want %v, %v", c.path, got, ok, c.want, c.ok)
		}
	}
	if m := Missing(doc, []string{"value[0].id", "value[0].nope", "@odata.context"}); len(m) != 1 || m[0] != "value[0].nope" {
		t.Errorf("Missing = %v, want [value[0].nope]", m)
	}
}

// FuzzLookupJSON: any path into any document answers, never panics.
func FuzzLookupJSON(f *testing.F) {
	for _, s := range []string{"value[0].id", "a.b", "[", "]", "value[99999999999999999999]", ".", "a[0][1]"} {
		f.Add(s)
	}
	doc := map[string]any{"a": map[string]any{"b": 1.0}, "value": []any{map[string]any{"id": "x"}, []any{1.0}}}
	f.Fuzz(func(t *testing.T, path string) { _, _ = LookupJSON(doc, path) })
}
