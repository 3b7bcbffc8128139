// Package teams is the model of Microsoft Teams presence: users with desktop,
// web and mobile clients, calls, meetings and presenting, the Exchange
// calendar with focus time and out-of-office, automatic replies, presence set
// by hand (preferred presence) with its expiries, app presence sessions
// written through Graph with their fading, and the aggregation of all of them
// into the presence others see (RULEBOOK §1, T- rules).
//
// Beside the presence, the presence object holds the status message
// (G-MSG-1) and the work location with its three layers: the calendar's
// working hours, what detectors find, what the user sets by hand (G-LOC-1).
// A change of either grows the sequence number and reaches the watchers
// that render the whole object (DetailListener).
//
// It also derives the views: the internal view, the federated view and its
// colour, privacy mode and blocked viewers, an observer's client that polls
// with a lag, and whether a call or chat reaches the user.
//
// The model is a pure state machine on a virtual clock: inputs are method
// calls and due timers, outputs are the presence, the trace and the
// notifications to watchers. Every decided value is a field of Settings.
// Precedence and mapping tables live in tables.go, each naming its rule.
package teams
