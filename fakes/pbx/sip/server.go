package sip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
)

// Options configure a server; the zero value serves with the defaults.
type Options struct {
	// Domain is the host of the extensions' URIs (sip:201@Domain); the
	// listening IP address when empty.
	Domain string
	// Realm is the digest realm ("presencesim" when empty).
	Realm string
	// MaxSubscriptions bounds the live subscriptions
	// (DefaultMaxSubscriptions); one more is answered 503.
	MaxSubscriptions int
	// MaxRegistrations bounds the registered contacts
	// (DefaultMaxRegistrations), MaxContacts those of one extension
	// (DefaultMaxContacts); one more is answered 503 or 403.
	MaxRegistrations int
	MaxContacts      int
	// MaxExpires is the longest subscription or registration granted
	// (3600 s when zero); MinExpires the shortest accepted (60 s), a
	// shorter one is answered 423.
	MaxExpires time.Duration
	MinExpires time.Duration
	// NotifyTimeout bounds one NOTIFY transaction (5 s when zero); a
	// subscriber that does not answer in time loses its subscription.
	NotifyTimeout time.Duration
	// QueueSize bounds the NOTIFYs waiting for one subscriber
	// (DefaultQueueSize); beyond it the subscription is terminated.
	QueueSize int
	// Logger receives the SIP stack's messages (discarded when nil).
	Logger *slog.Logger
}

// udpReadBuffer is the receive buffer asked for a UDP socket.
const udpReadBuffer = 4 << 20

// The default caps.
const (
	DefaultMaxSubscriptions = 10000
	DefaultMaxRegistrations = 10000
	DefaultMaxContacts      = 8
	DefaultQueueSize        = 256
)

// Stats count what the caps refused and what went out.
type Stats struct {
	Subscriptions        int    `json:"subscriptions"`
	PeakSubscriptions    int    `json:"peakSubscriptions"` // the most at once
	MaxSubscriptions     int    `json:"maxSubscriptions"`  // the cap (Options)
	Registrations        int    `json:"registrations"`
	Notifies             uint64 `json:"notifies"`       // NOTIFYs answered 2xx
	NotifiesFailed       uint64 `json:"notifiesFailed"` // unanswered, refused or dropped with their subscription
	SubscriptionsRefused uint64 `json:"subscriptionsRefused"`
	SubscriptionsExpired uint64 `json:"subscriptionsExpired"` // not refreshed in time
	RegistrationsRefused uint64 `json:"registrationsRefused"`
	Malformed            uint64 `json:"malformed"` // requests answered 400
	AuthFailed           uint64 `json:"authFailed"`
}

// Server serves a live world's PBX over SIP.
type Server struct {
	lw    *live.World
	model *pbx.Model     // reached only inside lw.Do
	exts  map[string]int // extension → PBX user, with the world locked
	calls calls          // with the world locked
	opt   Options
	auth  nonces

	ua  *sipgo.UserAgent
	srv *sipgo.Server
	cl  *sipgo.Client

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup // listeners
	senders sync.WaitGroup // NOTIFY senders

	mu     sync.Mutex // after the world's lock, never before
	subs   map[string]*subscription
	byUser map[int][]*subscription
	regs   map[string][]binding // by extension
	nregs  int
	peak   int // the most live subscriptions at once
	closed bool
	addrs  []net.Addr

	n struct {
		notifies, notifiesFailed, subsRefused, subsExpired, regsRefused, malformed, authFailed atomic.Uint64
	}
}

// New builds a server over the live world's PBX and listens to it; Listen
// or Serve give it transports, Close ends it.
func New(lw *live.World, o Options) (*Server, error) {
	if o.Realm == "" {
		o.Realm = "presencesim"
	}
	for _, c := range []struct {
		v   *int
		def int
	}{{&o.MaxSubscriptions, DefaultMaxSubscriptions}, {&o.MaxRegistrations, DefaultMaxRegistrations}, {&o.MaxContacts, DefaultMaxContacts}, {&o.QueueSize, DefaultQueueSize}} {
		if *c.v <= 0 {
			*c.v = c.def
		}
	}
	for _, c := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&o.MaxExpires, time.Hour}, {&o.MinExpires, time.Minute}, {&o.NotifyTimeout, 5 * time.Second}} {
		if *c.v <= 0 {
			*c.v = c.def
		}
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("presencesim PBX"),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(log)))
	if err != nil {
		return nil, err
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		_ = ua.Close()
		return nil, err
	}
	cl, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log))
	if err != nil {
		_ = ua.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{lw: lw, opt: o, auth: newNonces(5 * time.Minute), ua: ua, srv: srv, cl: cl, ctx: ctx, cancel: cancel,
		subs: map[string]*subscription{}, byUser: map[int][]*subscription{}, regs: map[string][]binding{}}
	_ = lw.Do(func(w *sim.World) error {
		s.model = pbx.Of(w)
		s.model.Listen(s)
		return nil
	})
	srv.OnRegister(s.register)
	srv.OnSubscribe(s.subscribe)
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) { s.respond(req, tx, sip.StatusOK, "OK", nil) })
	srv.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) {
		if req.IsAck() {
			return
		}
		s.respond(req, tx, sip.StatusMethodNotAllowed, "Method Not Allowed", []sip.Header{sip.NewHeader("Allow", "REGISTER, SUBSCRIBE, OPTIONS")})
	})
	return s, nil
}

// Listen serves SIP on UDP and TCP at the same address (host:port; a port
// of 0 takes a free one, the same for both). It returns the address.
func (s *Server) Listen(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("SIP address %q: %v", addr, err)
	}
	for range 8 {
		tl, err := net.Listen("tcp", net.JoinHostPort(host, port))
		if err != nil {
			return "", err
		}
		pc, err := net.ListenPacket("udp", tl.Addr().String())
		if err != nil {
			_ = tl.Close()
			if port == "0" {
				continue // the free TCP port is taken on UDP: try another
			}
			return "", err
		}
		if err := s.Serve(pc, tl); err != nil {
			return "", err
		}
		return tl.Addr().String(), nil
	}
	return "", errors.New("no port free on both UDP and TCP")
}

// Serve serves SIP on a UDP socket and a TCP listener (either may be nil).
func (s *Server) Serve(pc net.PacketConn, tl net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("the SIP server is closed")
	}
	if s.opt.Domain == "" {
		var a net.Addr
		if pc != nil {
			a = pc.LocalAddr()
		} else if tl != nil {
			a = tl.Addr()
		}
		if a != nil {
			s.opt.Domain, _, _ = net.SplitHostPort(a.String())
		}
	}
	if pc != nil {
		if u, ok := pc.(*net.UDPConn); ok {
			// a tenant's answers and SUBSCRIBEs come in bursts: room for
			// them beyond the system's default (capped by rmem_max)
			_ = u.SetReadBuffer(udpReadBuffer)
		}
		s.addrs = append(s.addrs, pc.LocalAddr())
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = s.srv.ServeUDP(pc) }()
		context.AfterFunc(s.ctx, func() { _ = pc.Close() })
	}
	if tl != nil {
		s.addrs = append(s.addrs, tl.Addr())
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = s.srv.ServeTCP(tl) }()
		context.AfterFunc(s.ctx, func() { _ = tl.Close() })
	}
	s.mu.Unlock()
	return nil
}

// Close ends every subscription with a final NOTIFY (terminated,
// reason=deactivated: subscribe again), waits for them a NotifyTimeout at
// most, and stops the listeners.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	_ = s.lw.Do(func(w *sim.World) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, sub := range s.subs {
			s.endLocked(sub, w.Clock.Now(), "terminated;reason=deactivated")
		}
		return nil
	})
	done := make(chan struct{})
	go func() { s.senders.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.opt.NotifyTimeout):
	}
	s.cancel()
	_ = s.ua.Close()
	s.wg.Wait()
}

// Stats reports the live subscriptions and registrations and the counts of
// the caps.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	st := Stats{Subscriptions: len(s.subs), PeakSubscriptions: s.peak, MaxSubscriptions: s.opt.MaxSubscriptions, Registrations: s.nregs}
	s.mu.Unlock()
	st.Notifies = s.n.notifies.Load()
	st.NotifiesFailed = s.n.notifiesFailed.Load()
	st.SubscriptionsRefused = s.n.subsRefused.Load()
	st.SubscriptionsExpired = s.n.subsExpired.Load()
	st.RegistrationsRefused = s.n.regsRefused.Load()
	st.Malformed = s.n.malformed.Load()
	st.AuthFailed = s.n.authFailed.Load()
	return st
}

// Addrs are the addresses the server listens on.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]net.Addr(nil), s.addrs...)
}

// PBXChanged sends the subscribers of the changed user their NOTIFY
// (pbx.Listener); called with the world locked, so the body is the state
// the JSON API shows at this change.
func (s *Server) PBXChanged(now clock.Time, ev pbx.Event) {
	s.calls.saw(ev)
	switch ev.Kind {
	case pbx.LineChanged, pbx.PresenceChanged, pbx.MitelOneChanged:
	case pbx.StatesRenamed:
		// every presence note names a state
		s.mu.Lock()
		for _, sub := range s.subs {
			if sub.pkg == pkgPresence {
				s.queueLocked(sub, s.bodyOf(sub, now, nil), "")
			}
		}
		s.mu.Unlock()
		return
	default:
		return
	}
	s.mu.Lock()
	for _, sub := range s.byUser[ev.User] {
		if sub.pkg == pkgDialog && ev.Kind != pbx.LineChanged {
			continue
		}
		s.queueLocked(sub, s.bodyOf(sub, now, &ev), "")
	}
	s.mu.Unlock()
}

// respond answers a request, adding headers.
func (s *Server) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, hs []sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hs {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

// bad answers 400 with the reason in a Warning-like phrase.
func (s *Server) bad(req *sip.Request, tx sip.ServerTransaction, why string) {
	s.n.malformed.Add(1)
	s.respond(req, tx, sip.StatusBadRequest, "Bad Request - "+clip(why), nil)
}

// clip shortens a client's text for a reason phrase.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// expiresOf reads the Expires header (or def): the granted seconds, or an
// error status.
func (s *Server) expiresOf(req *sip.Request, def time.Duration) (time.Duration, int, string) {
	h := req.GetHeader("Expires")
	if h == nil {
		return def, 0, ""
	}
	n, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32)
	if err != nil {
		return 0, sip.StatusBadRequest, "Expires is not a number of seconds"
	}
	d := time.Duration(n) * time.Second
	switch {
	case d == 0:
		return 0, 0, ""
	case d < s.opt.MinExpires:
		return 0, 423, "Interval Too Brief"
	case d > s.opt.MaxExpires:
		d = s.opt.MaxExpires
	}
	return d, 0, ""
}
