// Package graph is a fake of the Microsoft Graph presence API over a
// simulated world: the presence reads and writes, subscriptions with change
// notifications, the user directory connectors look users up in (/me,
// /users), JSON batching ($batch), permission checks, throttling, injected
// faults and a request journal. Tokens are the identity platform's (fakes/entra): Graph
// checks them against its published keys and this world's instance, and
// serves its token endpoint on Graph's host too.
//
// The handler keeps no presence of its own. Every read and write goes
// through the Teams model's Graph seam under the world's lock, so the
// simulator's rules decide what Graph answers. What the handler does keep is
// plumbing: subscriptions and their outbox, the tokens whose signatures it
// checked and the journal; the directory of tenants, app registrations and
// passwords is Entra ID's. Throttling (G-THR-1) and injected faults are the
// world's Graph layer (sim/graph.Layer), which the in-process models' seams
// share: one setting and one seeded draw for both paths; the handler only
// renders the layer's answer as Graph's HTTP error.
//
// The same handler serves real HTTP (presencesim serve) and in-process
// clients through an httpmock transport (Register), where the login host
// reaches its identity platform (Handler.Entra) for every path; notification
// delivery is pluggable for the same reason (HTTPDeliverer or a
// DeliverFunc).
//
// Notifications wait in one queue per notification URL (scheme, host and
// path) and go out on a bounded pool of workers, one per URL at a time: a
// subscriber gets its notifications in order, a slow one holds up only its
// own, and no request waits for deliveries. Run drives the workers in served
// mode; Flush delivers in process and returns once everything queued before
// it was attempted.
//
// Everything the handler keeps is bounded, since a served fake meets
// clients that misbehave: the journal (JournalSize requests, paths cut to
// MaxJournalPath bytes), the delivery notices, live subscriptions per app
// and tenant and in all, queued deliveries per URL and in all, and retries
// waiting on the clock (Options.Limits, DefaultLimits). A full queue drops
// its oldest delivery, recorded as a "dropped" notice; Stats counts what
// the caps dropped, and Journal.Page and NoticesSince read in pages.
// Subscriber URLs follow G-URL-1: https, or http for loopback hosts and
// Options.HTTPHosts, no fragment, no redirects followed.
//
// A batch runs each of its requests through ServeHTTP as if it had been
// sent alone, so authorisation, throttling, faults and the journal treat
// it as Graph does without a path of their own; only the envelope (size,
// ids, URLs, dependsOn) is the batch's.
package graph
