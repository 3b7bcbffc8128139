// Package suite runs Gherkin features against the step language: godog in
// strict mode, with a reports.Collector following every step, and the
// report directory (index.html, junit.xml, cucumber.json) written after.
//
// Execute is the run of `presencesim run`; Godog is the bare run the
// repository's own feature tests and the conformance tests use. Both bind
// the same steps, so what the tests check is what users get. The reports
// package reads what a run collected; it runs nothing.
package suite
