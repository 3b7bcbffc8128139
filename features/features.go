package features

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

// FS holds every .feature file below this folder.
//
//go:embed *
var FS embed.FS

// Paths lists the embedded feature files, sorted.
func Paths() []string {
	var out []string
	_ = fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".feature") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}
