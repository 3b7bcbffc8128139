// Package clock is the virtual time of a simulated world: an event queue
// ordered by (time, sequence) so that events due at the same instant run in
// the order they were scheduled, and the seeded random streams every model
// draws from.
//
// Nothing here reads the wall clock. Time moves only when the owner calls
// Advance or RunUntil; due events fire in order, and an event may schedule
// further events, which fire in the same call if they fall due.
//
// The queue is a calendar (calendar.go): events due within the next few
// hours wait in half-second buckets and only the current bucket is kept
// sorted, so scheduling and cancelling cost a list push and firing a
// share of one small sort; later events wait in a heap until the calendar
// reaches them.
package clock
