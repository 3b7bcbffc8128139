//go:build race

package soak

// raceOn slows the real-time soaks down under the race detector, which
// makes the fake and the world several times slower.
const raceOn = true
