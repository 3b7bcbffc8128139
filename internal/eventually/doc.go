// Package eventually waits in tests for a condition that comes about on
// other goroutines or in other processes. The bound only ends a wait for a
// condition that never comes, so it is generous: a loaded machine is slow,
// not wrong, and a test never asserts how long a wait took.
package eventually
