// Package features embeds the built-in suite: the documented presence
// behaviour as Gherkin, one folder per system (teams, graph, cloudlink,
// xphone, nimbus), so an installed presencesim binary carries its suite.
// Each scenario is tagged with the RULEBOOK ids it checks.
package features
