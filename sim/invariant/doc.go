// Package invariant states the properties of the presence model that must
// hold between any two events of any run: a live preferred presence with a
// session is shown, no session means Offline, the aggregated availability is
// the highest-ranked live source, and so on. Each invariant is data naming
// the rulebook ids it checks.
//
// A Checker looks at a world after every fired clock event (through the
// clock's after-fire callback) and after every external action (a step of a
// scenario, an action of an exploration run). It keeps the first violation
// with the explanation of the user concerned, and counts how often each
// invariant's premise held, so a run can tell a property that was checked
// from one that was never exercised.
package invariant
