// Package sim wires one simulated world: the virtual clock, the root seed and
// its random streams, the trace, the Teams presence model and the
// integration models attached to it (PBX, CloudLink, XPhone, Nimbus).
//
// A world is single-threaded and deterministic: the same seed and the same
// inputs give a byte-identical trace. A world shared between goroutines
// (served mode) is owned by a live.World and reached only through its Do.
package sim
