// Package graph is Microsoft Graph as an integration model sees it: the
// presence operations a connector may call (the Seam), and nothing else of
// Teams. The built-in CloudLink, XPhone and Nimbus models take a Seam, so
// they are held to exactly what a vendor's connector can do; Graph's limits
// and faults sit on the seam, on the world's clock, so the same rules judge
// an in-process model and a connector process talking HTTP.
//
// Direct is the seam straight onto the Teams model; Faulty is a seam
// through the world's Layer (sim.World.GraphFaults): G-THR-1 windows per
// app per tenant, seeded 429/500/503/504 with Retry-After, latency in
// virtual time, and notification delay, loss, duplication and reordering
// scheduled on the world's clock. The Graph fake (fakes/graph) draws from
// the same Layer for requests over HTTP. With nothing set beyond the
// default throttle the layer allocates nothing and journals nothing.
package graph
