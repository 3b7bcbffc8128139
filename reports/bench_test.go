package reports

import (
	"io"
	"testing"
)

func BenchmarkTimeline(b *testing.B) {
	s := sampleScenario()
	b.ReportAllocs()
	for b.Loop() {
		_ = Timeline(s)
	}
}

// BenchmarkWriteHTML renders the report of the package's test run (four
// scenarios, one of them failed).
func BenchmarkWriteHTML(b *testing.B) {
	r := sampleRun(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHTML(io.Discard, r.res.Run); err != nil {
			b.Fatal(err)
		}
	}
}
