// Package sim wires one simulated world: the virtual clock, the root seed and
// its random streams, the trace, the Teams presence model and the
// integration models attached to it (PBX, CloudLink, XPhone, Nimbus).
//
// A world is single-threaded and deterministic: the same seed and the same
// inputs give a byte-identical trace. Callers that share a world between
// goroutines (the HTTP fakes) hold its lock.
package sim
