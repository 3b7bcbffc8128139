package clock

import (
	"hash/fnv"
	"math/rand/v2"
)

// Seed is the root seed of a world. Every component derives its own stream
// from it by name, so adding a component never shifts another's draws.
type Seed uint64

// Stream returns the random stream of the named component.
func (s Seed) Stream(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(uint64(s), h.Sum64()))
}
