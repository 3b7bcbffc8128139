// Package live owns a simulated world that is shared by goroutines: the
// HTTP fakes, the control API, a ticker that fires timers as wall time
// passes, and the harness that waits on the world.
//
// The model in sim/ is single-threaded and knows nothing of wall time.
// This package is the thin layer around it (as etcd's node.go is around
// rawnode): one lock, taken in one place, and one clock seam that decides
// how virtual time follows the wall. Every caller goes in through Do; the
// world is brought up to the clock seam's time before the caller runs, and
// whatever fell due by the end of the call has fired when Do returns.
package live
