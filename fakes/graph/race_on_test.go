//go:build race

package graph

// raceOn sizes the load test down under the race detector.
const raceOn = true
