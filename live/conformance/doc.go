// Package conformance runs a connector under test — a vendor's process, or
// a reference connector — against the Graph and PBX fakes on loopback and
// judges it by what the fakes observe.
//
// A Session serves one world: the Graph fake and the PBX fake on their own
// loopback ports, the world's clock moving with real time at a chosen
// scale, the connector's app registration, and the connector itself,
// started with the fakes' URLs and credentials in its environment
// (connector.Env). Every Graph request the connector makes is recorded with
// its body (the wire log); every PBX change is recorded as an input. Judge
// reads both and names each violation by its rule id: session ids and pairs
// (C-1), refresh gaps (C-2), Available written instead of a clear (C-3),
// preferred presence (C-4), requests before Retry-After (C-5), writes per
// input change (C-9). For a reader (a router with a presence account) it
// also reads the fake's notification deliveries and the presence the reader
// reports to ViewPath: subscriptions kept alive (C-6), bulk reads within
// Graph's limits (C-7), no older sequenceNumber after a newer one (C-8).
//
// For a two-way sync (an XPhone connector) the session also serves the
// XPhone server fake and records its journal and every Teams change:
// Teams' Do not disturb selects the first Do-not-disturb profile (XP-6), a
// mirrored appointment goes when its Teams call ends (XP-8), XPhone's Do
// not disturb is preferred presence, never a session (XP-10, and its C-4),
// and nothing the sync wrote comes back into XPhone (XP-13). A failure
// carries the wire-log excerpt that decided it (Evidence); Profiles say
// which rules a kind of connector is held to, for its conformance report.
//
// Authentication (C-11) is judged from the wire's wall-clock times, which
// token lifetimes follow (G-ID-2): every request over TLS (the session
// serves HTTPS only); no new token of a kind (application or delegated)
// while the last one still has more than TokenRefreshMargin to live,
// unless Graph refused a token between; no 401 from Graph but those the
// harness provoked (RevokeTokens); and after a 401 a new token before the
// next Graph request.
//
// The package is the harness's edge: it uses goroutines, sockets, processes
// and the wall clock, and touches the world only under its lock.
package conformance
