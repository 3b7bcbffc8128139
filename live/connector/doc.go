// Package connector holds the reference connectors: the built-in
// integration rules run as a standalone process that talks only HTTP to the
// Graph and PBX fakes, exactly as a vendor's connector would. CloudLink
// writes presence from the PBX's event stream (RunCloudLink); the Nimbus
// reader follows presence through a presence account's subscription, with
// polling as its fallback (RunNimbus); the XPhone sync does both, between
// the XPhone server fake and Teams: XPhone's calls and meetings as its own
// session, its Do not disturb as preferred presence, Teams' calls, meetings
// and Do not disturb back into XPhone, never its own writes (RunXPhone).
// The conformance harness runs its features against them end to end, and
// against their faulty variants (Fault), which must fail in the rules each
// fault breaks. Service runs either as a service that starts a session per
// request.
//
// A connector reads its configuration from the environment the harness
// passes (see Env): the Graph service root, the authority, the app
// registration's credentials, the PBX's URL and the time scale of the served
// world. Like the identity libraries, it reads the authority's OpenID
// configuration once and takes its token endpoint from there, and keeps a
// token until TokenRefreshMargin before it expires (C-11). Durations a
// connector decides on (session expiry, refresh, backoff, Retry-After) are
// virtual time; the connector divides them by the time scale to get its
// real waits, so a run of minutes of virtual time takes seconds. A token's
// lifetime is not: token times are wall-clock times (G-ID-2). In process,
// a Pacer drives the CloudLink connector pass by pass on the world's clock
// instead (a paced soak).
package connector
