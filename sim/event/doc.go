// Package event holds every input to a world in one table: a row per input
// with its operation, its name in the control API's JSON, its phrase in the
// step language (rendered for the explorer's features, parsed back by the
// steps) and how it acts on a world. The step catalogue, the explorer and
// the control API read the table; adding an input is adding a row.
//
// An Event reaches a world one way only: World.Apply(ev).
package event
