// Package served serves a live world over real HTTP, the way
// net/http/httptest serves a handler: NewServer mounts the Graph fake, the
// PBX fake and the control API on one listener and gives its URL, a client
// and Close. `presencesim serve` and conformance runs are thin users of it.
//
// The world comes from a world file (WorldFile, Build) or, for a harness
// that built its world itself, from a *sim.World handed over whole. A reset
// rebuilds the world from the file and gives it a new live instance, so
// tokens and handles of the old world stop working.
//
// The server is the edge a hostile client meets: every store that grows
// with traffic is capped in the fakes, and the server itself bounds headers,
// bodies, reads, idle connections and shutdown.
package served
