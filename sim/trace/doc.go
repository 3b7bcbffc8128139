// Package trace records what happened in a simulated world: every change of a
// source (a client going idle, a PBX line ringing, an app session fading) and
// every change of a user's aggregated presence, with the virtual time and the
// rule that decided it. The same seed and inputs give a byte-identical trace.
package trace
