package explore_test

import (
	"testing"

	"github.com/presencesim/presencesim/sim/explore"
)

// BenchmarkExplore explores 100 seeds per iteration, as `presencesim
// explore --seeds N` does, one seed after another.
func BenchmarkExplore(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for seed := uint64(1); seed <= 100; seed++ {
			if _, err := explore.Explore(seed, explore.Config{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
