// Package trace records what happened in a simulated world: every change of a
// source (a client going idle, a PBX line ringing, an app session fading) and
// every change of a user's aggregated presence, with the virtual time and the
// rule that decided it. The same seed and inputs give a byte-identical trace.
//
// Entries are stored in chunks of fixed-size records whose strings are ids
// into a string table, so a long trace holds no pointers for the collector
// to scan and recording pays no write barriers. A table is shared by
// consecutive chunks and replaced once it is full, so a limited trace keeps
// only the strings of the chunks it keeps, however new its notes are.
package trace
