package conformance

import (
	"sync"

	"github.com/presencesim/presencesim/fakes/graph"
)

// injector counts the answers an injected fault still has to give.
type injector struct {
	mu   sync.Mutex
	left int // > 0: that many faulted answers; < 0: until lifted
}

// InjectFaults makes the Graph fake answer the connector with f: for the
// next n faulted answers (n > 0), until lifted (n < 0), or not at all (n
// == 0, which lifts any fault). The caller must not hold the world's lock.
func (s *Session) InjectFaults(n int, f graph.Faults) {
	s.inj.mu.Lock()
	s.inj.left = n
	s.inj.mu.Unlock()
	if n == 0 {
		f = graph.Faults{}
	}
	s.Graph.SetFaults(f)
}

// faulted counts one injected answer and lifts the fault after the last.
func (s *Session) faulted() {
	s.inj.mu.Lock()
	lift := false
	if s.inj.left > 0 {
		s.inj.left--
		lift = s.inj.left == 0
	}
	s.inj.mu.Unlock()
	if lift {
		s.Graph.SetFaults(graph.Faults{})
	}
}

// RevokeTokens makes Graph refuse every access token the identity platform
// has given the connector so far, with 401 InvalidAuthenticationToken, as
// after a revocation; tokens it gets afterwards are taken. It answers how
// many tokens it revoked. A connector recovers by getting a new token
// (C-11).
func (s *Session) RevokeTokens() int { return s.wire.revoke() }
