package suite

import (
	"io"
	"testing"

	"github.com/presencesim/presencesim/reports"
)

// BenchmarkWriteHTML renders the report of the package's test run (four
// scenarios, one of them failed).
func BenchmarkWriteHTML(b *testing.B) {
	r := sampleRun(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := reports.WriteHTML(io.Discard, r.res.Run); err != nil {
			b.Fatal(err)
		}
	}
}
