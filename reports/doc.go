// Package reports turns a conformance run into what people read: an HTML
// report with a presence timeline per scenario, the rule coverage of the
// rulebook, and godog's JUnit XML and Cucumber JSON beside it for CI.
//
// Reports read results; they run nothing. A Collector is handed each
// finished step and scenario (the suite package runs godog and feeds it)
// and keeps, per scenario, its steps with their virtual time and outcome
// and the world's trace; Fill turns that into a Run for the writers.
//
// Timelines are inline SVG drawn from the trace alone: a lane per source
// the trace names, so an integration's sessions and PBX lines appear
// without a change here. Rule ids and titles ship in rulebook.tsv.
package reports
