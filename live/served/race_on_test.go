//go:build race

package served

// raceOn says the race detector is on: it multiplies time and memory, so
// the attack test scales its time bound and judges the heap, not RSS.
const raceOn = true
