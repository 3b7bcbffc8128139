// Package reports turns a conformance run into what people read: an HTML
// report with a presence timeline per scenario, the rule coverage of the
// rulebook, and godog's JUnit XML and Cucumber JSON beside it for CI.
//
// A Collector follows the run through the step hooks (steps.Options) and
// keeps, per scenario, its steps with their virtual time and outcome and the
// world's trace. Run drives godog with those hooks and writes the report
// directory; the command's run subcommand and the tests share it.
package reports
