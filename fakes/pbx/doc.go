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
//
// The handler expects a client that may flood it, and bounds everything
// that grows with traffic; each cap counts what it refused or let go
// (Handler.Stats, GET /pbx/stats). Request bodies are read through
// http.MaxBytesReader (MaxBody) and must be one JSON value. The journal
// keeps Options.JournalSize events; a replay answers at most MaxReplay of
// them with a next request, and says how many a reader missed. A reader
// id beyond the last event is refused, not waited for: it belongs to
// another journal. Event streams are capped (MaxStreams) and a stalled
// reader loses its stream (StreamWriteTimeout). Webhooks are capped per
// caller, the remote IP address, and in total; each has a queue of
// WebhookQueue events that drops the oldest; their URLs follow G-URL-1
// (https, or http for a loopback host unless AllowHTTPWebhooks), their
// deliveries never follow a redirect, time out per attempt, read little
// of the answer and report only its status or that none came. The list
// of webhooks is paged (MaxPage).
//
// POST /pbx/users puts world users on the PBX. It adds a user the world
// lacks, a Graph identity, only with Options.AllowNewUsers, only in the
// home organisation (sim.DefaultOrg) unless AllowNewTenants, and at most
// MaxNewUsers of them.
package pbx
