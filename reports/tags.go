package reports

import (
	"fmt"
	"strings"
)

// CheckTags refuses a tag expression godog cannot read (godog panics on an
// empty term). The grammar is godog's: terms joined by && (and) and
// , (or), each a tag, optionally negated with ~.
func CheckTags(expr string) error {
	if expr == "" {
		return nil
	}
	for _, and := range strings.Split(expr, "&&") {
		for _, term := range strings.Split(and, ",") {
			t := strings.TrimPrefix(strings.TrimSpace(term), "~")
			t = strings.ReplaceAll(t, "@", "")
			if t == "" || strings.ContainsAny(t, " \t~") {
				return fmt.Errorf("tag expression %q: %q is not a tag; write tags like @T-AGG-2 and combine them with && (and), \",\" (or) and ~ (not), e.g. \"@T-AGG-2 && ~@slow\"", expr, strings.TrimSpace(term))
			}
		}
	}
	return nil
}

// matchTags is godog's tag filter, so a progress line can count the
// scenarios a run will take.
func matchTags(expr string, tags []string) bool {
	if expr == "" {
		return true
	}
	has := func(t string) bool {
		for _, x := range tags {
			if strings.ReplaceAll(x, "@", "") == t {
				return true
			}
		}
		return false
	}
	for _, and := range strings.Split(expr, "&&") {
		ok := false
		for _, term := range strings.Split(and, ",") {
			t := strings.ReplaceAll(strings.TrimSpace(term), "@", "")
			if strings.HasPrefix(t, "~") {
				ok = ok || !has(t[1:])
			} else {
				ok = ok || has(t)
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
