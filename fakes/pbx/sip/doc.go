// Package sip serves a world's PBX over SIP, the way PBX connectors read
// line state and presence: REGISTER with digest authentication against
// the extension's SIP password, SUBSCRIBE to the dialog event package
// (RFC 4235 dialog-info, the busy-lamp field) and to the presence event
// package (RFC 3856 PIDF with RFC 4480 RPID activities), and a NOTIFY on
// subscribe and on every change, over UDP and TCP.
//
// It is the PBX of fakes/pbx in a second protocol, not a second PBX: it
// holds no copy of line or presence state. Every NOTIFY body is built with
// the world locked, from the same pbx.Model the JSON API shows, at the
// moment the model reports the change; what the package keeps of its own
// is protocol state (registrations, subscriptions, dialog numbering),
// each capped.
//
// The dialogs of a line follow a table (dialogStates): a line ringing is
// early, connected or held is confirmed (held with the local target
// marked +sip.rendering="no"), and a line that goes idle reports its
// dialog terminated once. The model has no state between lifting the
// handset and the far end ringing, so trying is never reported.
//
// The SIP stack is github.com/emiago/sipgo: its parser, transactions and
// transports. This package owns the request handling, the digest check,
// the subscription state and the XML bodies; those are fuzzed.
package sip
