package reports

import (
	"strings"
	"testing"
)

func TestCheckTags(t *testing.T) {
	for _, ok := range []string{"", "@T-AGG-2", "@T-AGG-2 && ~@slow", "@a,@b && ~@c", "T-AGG-2"} {
		if err := CheckTags(ok); err != nil {
			t.Errorf("CheckTags(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"@a &&", "&& @a", "@a,,@b", "~", "@a @b", "@", "~~@a"} {
		err := CheckTags(bad)
		if err == nil || !strings.Contains(err.Error(), "&& (and)") {
			t.Errorf("CheckTags(%q) = %v, want an error explaining the grammar", bad, err)
		}
	}
}

// An expression CheckTags accepts never has the empty term godog indexes
// into, and the filter reads it.
func FuzzCheckTags(f *testing.F) {
	for _, s := range []string{"@T-AGG-2", "@a && ~@b", "@a,@b", "@a &&", "~", "@", " , ", "~@a,~@b&&@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if CheckTags(expr) != nil {
			return
		}
		for _, and := range strings.Split(expr, "&&") {
			for _, term := range strings.Split(and, ",") {
				if expr != "" && strings.ReplaceAll(strings.TrimSpace(term), "@", "") == "" {
					t.Fatalf("accepted %q with an empty term", expr)
				}
			}
		}
		_ = matchTags(expr, []string{"@T-AGG-2", "@slow"})
	})
}
