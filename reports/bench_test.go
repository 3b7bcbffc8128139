package reports

import "testing"

func BenchmarkTimeline(b *testing.B) {
	s := sampleScenario()
	b.ReportAllocs()
	for b.Loop() {
		_ = Timeline(s)
	}
}
