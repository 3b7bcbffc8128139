// Package workload drives a population through a working day on the
// world's clock: sign-ins on desktop and mobile in the morning, input
// every few minutes with idle stretches, a locked lunch break, Teams calls
// with colleagues, calendar meetings and focus time, automatic replies for
// a few, desk-phone calls on the PBX (short ones too: 2–30 s, the ones a
// connector's sync window misses), sign-out in the evening.
//
// Every draw comes from the world's "workload" stream, so the same seed
// gives the same day; the day is scheduled as clock events, so it runs as
// fast as the clock is driven: in a benchmark, or following the wall
// clock at a chosen speed under a served world.
package workload
