// Package pbx serves a world's PBX as HTTP under /pbx/, for a connector
// under test: the users with their lines, MiVoice Office 400 presence and
// Mitel One presence, control of the PBX (line events, presence set on the
// phone, in the portal, in Mitel One or MiCollab, renamed states), and every
// change as an event stream, both as Server-Sent Events and as webhooks.
//
// Each event carries a snapshot of the user after the change, so a
// connector can build the CloudLink presence from the stream alone. The
// handler holds no second copy of the PBX state: it reads the world under
// its lock and journals the changes the PBX reports.
package pbx
