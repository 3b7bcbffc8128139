// Package clock is the virtual time of a simulated world: an event queue
// ordered by (time, sequence) so that events due at the same instant run in
// the order they were scheduled, and the seeded random streams every model
// draws from.
//
// Nothing here reads the wall clock. Time moves only when the owner calls
// Advance or RunUntil; due events fire in order, and an event may schedule
// further events, which fire in the same call if they fall due.
package clock
