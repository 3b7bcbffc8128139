package explore_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim/explore"
)

// bytesChooser makes every choice of a run from fuzz input; when the input
// runs out every choice is the first option.
type bytesChooser struct {
	b []byte
	i int
}

func (c *bytesChooser) IntN(n int) int {
	if c.i >= len(c.b) {
		return 0
	}
	v := int(c.b[c.i])
	c.i++
	return v % n
}

// FuzzGenerate lets the fuzzer steer the generator: whatever it draws, the
// model must not panic and every invariant must hold.
func FuzzGenerate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 1, 0, 0, 7, 1, 2, 40, 0, 9, 0, 1, 200, 12, 3})
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := explore.Generate(1, &bytesChooser{b: in}, explore.Config{Actions: 1 + min(len(in)/3, 100)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Violation != nil {
			t.Fatalf("%v\nsteps:\n%v", res.Violation, res.Case.Steps())
		}
	})
}

// FuzzReadSummary: whatever a shard file holds, reading it gives a summary
// or an error, and a summary it accepts merges with itself alone.
func FuzzReadSummary(f *testing.F) {
	f.Add([]byte(`{"from":1,"seeds":2,"actions":10,"reached":2,"coverage":{"runs":2,"ops":{"sign in":3}}}`))
	f.Add([]byte(`{"from":5,"seeds":3,"actions":10,"reached":1,"violation":{"seed":5,"invariant":"x"},"coverage":{"runs":1}}`))
	f.Add([]byte(`{"coverage":{"ops":{"no such action":1}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := explore.ReadSummary(bytes.NewReader(in))
		if err != nil {
			return
		}
		if _, _, err := explore.Merge([]explore.Summary{s}); err != nil && !strings.Contains(err.Error(), "does not know") {
			t.Fatalf("an accepted summary does not merge: %v", err)
		}
	})
}
