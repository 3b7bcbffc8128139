// Command presencesim runs the built-in conformance suite against the
// simulator and serves the simulated world as fake Microsoft Graph and PBX
// APIs.
//
//	presencesim run [flags] [feature paths]   run the suite (default: embedded)
//	presencesim steps                          print the step catalogue
//
// Each subcommand lives in its own file and registers itself in commands.
package main
