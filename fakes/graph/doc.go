// Package graph is a fake of the Microsoft Graph presence API over a
// simulated world: the presence reads and writes, subscriptions with change
// notifications, permission checks, throttling, injected faults and a
// request journal. Tokens are the identity platform's (fakes/entra): Graph
// checks them against its published keys and this world's instance, and
// serves its token endpoint on Graph's host too.
//
// The handler keeps no presence of its own. Every read and write goes
// through the Teams model's Graph seam under the world's lock, so the
// simulator's rules decide what Graph answers. What the handler does keep is
// plumbing: subscriptions and their outbox, the throttle windows, the
// tokens whose signatures it checked and the journal; the directory of
// tenants, app registrations and passwords is Entra ID's.
//
// The same handler serves real HTTP (presencesim serve) and in-process
// clients through an httpmock transport (Register); notification delivery
// is pluggable for the same reason (HTTPDeliverer or a DeliverFunc).
package graph
