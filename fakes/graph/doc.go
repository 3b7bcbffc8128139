// Package graph is a fake of the Microsoft Graph presence API over a
// simulated world: the presence reads and writes, subscriptions with change
// notifications, a token endpoint for client-credentials and password
// grants, permission checks, throttling, injected faults and a request
// journal.
//
// The handler keeps no presence of its own. Every read and write goes
// through the Teams model's Graph seam under the world's lock, so the
// simulator's rules decide what Graph answers. What the handler does keep is
// plumbing: the identity directory (tenants, app registrations, passwords),
// subscriptions and their outbox, the throttle windows and the journal.
//
// The same handler serves real HTTP (presencesim serve) and in-process
// clients through an httpmock transport (Register); notification delivery
// is pluggable for the same reason (HTTPDeliverer or a DeliverFunc).
package graph
