// Package reports turns a conformance run into what people read: an HTML
// report with a presence timeline per scenario, the rule coverage of the
// rulebook, and godog's JUnit XML and Cucumber JSON beside it for CI.
//
// A Collector follows the run through the step hooks (steps.Options) and
// keeps, per scenario, its steps with their virtual time and outcome and the
// world's trace. Execute drives godog with those hooks in strict mode and
// writes the report directory; the command's run subcommand and the tests
// share it, so what the tests check is what users get.
//
// Timelines are inline SVG drawn from the trace alone: a lane per source
// the trace names, so an integration's sessions and PBX lines appear
// without a change here. Rule ids and titles ship in rulebook.tsv.
package reports
