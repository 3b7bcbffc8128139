package explore_test

import (
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
