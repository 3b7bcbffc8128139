// Command presencesim runs the built-in conformance suite against the
// simulator, serves the simulated world as fake Microsoft Graph and PBX APIs,
// and judges a vendor's connector over those fakes.
//
//	presencesim run [flags] [feature paths]   run the suite (default: embedded), write the report
//	presencesim steps                          print the step catalogue
//	presencesim explain <feature> <user> <t>   why a user has a presence at a time
//	presencesim serve [flags]                  fake Graph and PBX on loopback
//	presencesim connector cloudlink [flags]    a reference connector as its own process
//	presencesim simulate nimbus [flags]        a contact-centre day per configuration
//	presencesim explore --seeds N              random worlds, invariants, shrinking
//
// Each subcommand lives in its own file and registers itself in commands.
package main
