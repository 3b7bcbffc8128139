package graphtest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// LookupJSON follows a path such as "value[0].availability" or
// "@odata.context" into decoded JSON. Keys may contain dots: the longest
// key that prefixes the path wins.
func LookupJSON(v any, path string) (any, bool) {
	for path != "" {
		switch cur := v.(type) {
		case map[string]any:
			found := false
			for end := len(path); end > 0; end-- {
				if end < len(path) && path[end] != '.' && path[end] != '[' {
					continue
				}
				if x, ok := cur[path[:end]]; ok {
					v, path, found = x, strings.TrimPrefix(path[end:], "."), true
					break
				}
			}
			if !found {
				return nil, false
			}
		case []any:
			if path[0] != '[' {
				return nil, false
			}
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, false
			}
			i, err := strconv.Atoi(path[1:end])
			if err != nil || i < 0 || i >= len(cur) {
				return nil, false
			}
			v, path = cur[i], strings.TrimPrefix(path[end+1:], ".")
		default:
			return nil, false
		}
	}
	return v, true
}

// Missing lists the fields (paths such as "keys[0].kid") doc lacks.
func Missing(doc any, fields []string) []string {
	var out []string
	for _, f := range fields {
		if _, ok := LookupJSON(doc, f); !ok {
			out = append(out, f)
		}
	}
	return out
}

// JSONText is v as JSON, for failure messages.
func JSONText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
