// Package presencesim is a discrete-time simulator and conformance test
// harness for Microsoft Teams presence and the PBX, UC and contact-centre
// integrations built on it. The model lives in sim, the documented behaviour
// in features, the HTTP fakes in fakes, the step language in steps, the
// reports in reports and the command in cmd/presencesim.
//
// The test in this folder runs the whole suite with godog.
package presencesim
