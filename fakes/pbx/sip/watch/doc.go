// Package watch is a SIP watcher built on github.com/emiago/sipgo, as a
// PBX connector is one: it registers an extension, subscribes to other
// extensions' dialog or presence events, answers their NOTIFYs and keeps
// them, parsed, in the order they came. Tests and the step language use
// it against the PBX's SIP server.
package watch
