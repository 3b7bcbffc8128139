// Package explore is deterministic simulation testing for presencesim: it
// draws a world (users, clients, apps, settings) and a sequence of actions
// and faults from one seed, runs it with every invariant checked after every
// event, and when one breaks shrinks the sequence to a handful of actions
// and writes it as a feature file in the step language, which reproduces
// the violation under `presencesim run`.
//
// Actions are drawn through a Chooser, so the same generator runs from a
// seeded stream (the explore command) or from a property-testing library
// that shrinks the choices itself. Actions that the model refuses in the
// state they meet are dropped at generation time, so every action of a run
// is one a scenario step can perform. The actions are the inputs of
// sim/event's table: the explorer only says how often and with what it
// draws each; the table says how it applies and what its step says.
//
// A run also counts which rules decided the presence changes it caused and
// how often each invariant's premise held ("sometimes" coverage), so a
// report can name behaviour the exploration never reached.
package explore
