package served

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/fakes/graph"
	pbxapi "github.com/presencesim/presencesim/fakes/pbx"
	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
	xphoneapi "github.com/presencesim/presencesim/fakes/xphone"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/live/certs"
	"github.com/presencesim/presencesim/live/proxy"
	"github.com/presencesim/presencesim/sim"
)

// Options configure a server. The zero value serves on a free loopback
// port, with a clock that follows the wall and Graph's own limits.
type Options struct {
	// Addr is the address to listen on; 127.0.0.1:0 when empty.
	Addr string
	// Listener, when set, is served instead of listening on Addr.
	Listener net.Listener
	// Clock is how the world's time follows the wall.
	Clock live.Clock
	// Entra, Graph and PBX configure the fakes. Entra's token times
	// follow the wall clock unless Entra.WorldTime (G-ID-2).
	Entra entra.Options
	Graph graph.Options
	PBX   pbxapi.Options
	// SIP, when set, serves the PBX over SIP too, on UDP and TCP at this
	// address (a port of 0 takes a free one; see Server.SIPAddr), with
	// SIPOptions.
	SIP        string
	SIPOptions pbxsip.Options
	// XPhone configures the XPhone Connect server fake under /xphone/.
	XPhone xphoneapi.Options
	// ControlToken, when set, is required as "Authorization: Bearer …" on
	// the control API, which shows every secret of the world.
	ControlToken string
	// Wrap, when set, wraps the server's handler (a harness records the
	// wire with it).
	Wrap func(http.Handler) http.Handler
	// Limits bound connections and requests (DefaultLimits when zero).
	Limits Limits
	// Tick is how often the world follows the wall and retries fall due
	// when no request comes (250 ms when zero).
	Tick time.Duration
	// CA, when set, serves HTTPS (G-TLS-1) with a certificate it signs for
	// the loopback names, Names and Intercept; Client trusts it.
	CA    *certs.CA
	Names []string
	// TLS serves HTTPS with a configuration of the caller's own (a
	// certificate of their own); it takes precedence over CA.
	TLS *tls.Config
	// Intercept, with TLS, also answers as an HTTPS proxy (CONNECT) for
	// these host names, serving them from this server and refusing every
	// other destination, as Microsoft's Dev Proxy does: a connector that
	// keeps graph.microsoft.com and login.microsoftonline.com runs with
	// HTTPS_PROXY and the CA alone. The TLS certificate must cover them.
	Intercept []string
}

// MicrosoftHosts are the host names a connector that cannot be pointed
// elsewhere talks to.
var MicrosoftHosts = []string{"graph.microsoft.com", "login.microsoftonline.com"}

// Limits bound what one client can make the server hold.
type Limits struct {
	MaxConns          int           // open connections; more are closed at once
	MaxHeaderBytes    int           // request line and headers
	ReadHeaderTimeout time.Duration // to read the request line and headers
	ReadTimeout       time.Duration // to read a whole request
	IdleTimeout       time.Duration // a keep-alive connection waits for its next request
	ShutdownGrace     time.Duration // Close waits this long for requests in flight
}

// DefaultLimits are the server's limits unless Options say otherwise.
var DefaultLimits = Limits{MaxConns: 2048, MaxHeaderBytes: 64 << 10, ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second, ShutdownGrace: 5 * time.Second}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	or := func(v *time.Duration, x time.Duration) {
		if x > 0 {
			*v = x
		}
	}
	if l.MaxConns > 0 {
		d.MaxConns = l.MaxConns
	}
	if l.MaxHeaderBytes > 0 {
		d.MaxHeaderBytes = l.MaxHeaderBytes
	}
	or(&d.ReadHeaderTimeout, l.ReadHeaderTimeout)
	or(&d.ReadTimeout, l.ReadTimeout)
	or(&d.IdleTimeout, l.IdleTimeout)
	or(&d.ShutdownGrace, l.ShutdownGrace)
	return d
}

// Server serves one live world: Graph, the PBX and the control API.
type Server struct {
	// URL is the base URL, http://127.0.0.1:port.
	URL string
	// SIPAddr is where the PBX speaks SIP (host:port, UDP and TCP); empty
	// without Options.SIP.
	SIPAddr string

	opt  Options
	file *WorldFile // nil for a world handed over whole: no reset
	hs   *http.Server
	ln   *capListener
	h    http.Handler
	px   *proxy.Proxy

	mu  sync.RWMutex
	cur *instance

	resets   atomic.Uint64
	closeOne sync.Once
}

// instance is one world with its fakes and background loops.
type instance struct {
	lw   *live.World
	e    *entra.Handler
	g    *graph.Handler
	p    *pbxapi.Handler
	sip  *pbxsip.Server // nil without Options.SIP
	x    *xphoneapi.Handler
	stop context.CancelFunc
	done sync.WaitGroup
}

// NewServer builds the world a file describes and serves it on a clock
// that follows Options.Clock; Reset builds it anew.
func NewServer(wf WorldFile, opt Options) (*Server, error) {
	// what the PBX API may create is the world file's to say
	opt.PBX.AllowNewUsers = opt.PBX.AllowNewUsers || wf.PBX.AllowNewUsers
	opt.PBX.AllowNewTenants = opt.PBX.AllowNewTenants || wf.PBX.AllowNewTenants
	s := &Server{opt: opt, file: &wf}
	w, err := Build(wf)
	if err != nil {
		return nil, err
	}
	lw, err := live.New(w, opt.Clock)
	if err != nil {
		return nil, err
	}
	return s, s.start(lw)
}

// Serve serves a live world its caller built, on the live world's clock;
// Reset is refused, having no file to rebuild from.
func Serve(lw *live.World, opt Options) (*Server, error) {
	opt.Clock = lw.Clock()
	s := &Server{opt: opt}
	return s, s.start(lw)
}

func (s *Server) start(lw *live.World) error {
	if s.opt.CA != nil && s.opt.TLS == nil {
		names := append(append([]string{"127.0.0.1", "::1", "localhost"}, s.opt.Names...), s.opt.Intercept...)
		cfg, err := s.opt.CA.ServerTLS(names...)
		if err != nil {
			return err
		}
		s.opt.TLS = cfg
	}
	lim := s.opt.Limits.withDefaults()
	s.opt.Limits = lim
	if s.opt.Tick <= 0 {
		s.opt.Tick = 250 * time.Millisecond
	}
	ln := s.opt.Listener
	if ln == nil {
		addr := s.opt.Addr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			return err
		}
	}
	s.ln = &capListener{Listener: ln, max: int64(lim.MaxConns)}
	s.URL = "http://" + ln.Addr().String()
	if s.opt.TLS != nil {
		s.URL = "https://" + ln.Addr().String()
	}
	s.cur = s.newInstance(lw)
	if err := s.startSIP(s.cur); err != nil {
		ln.Close()
		s.cur.close()
		return err
	}
	s.h = http.HandlerFunc(s.route)
	if s.opt.Wrap != nil {
		s.h = s.opt.Wrap(s.h)
	}
	if len(s.opt.Intercept) > 0 {
		if s.opt.TLS == nil {
			ln.Close()
			s.cur.close()
			return errors.New("intercepting host names needs TLS")
		}
		in := map[string]http.Handler{}
		for _, h := range s.opt.Intercept {
			in[h] = s.h
		}
		px, err := proxy.New(proxy.Options{Intercept: in, TLS: s.opt.TLS, IdleTimeout: lim.IdleTimeout, ReadHeaderTimeout: lim.ReadHeaderTimeout})
		if err != nil {
			ln.Close()
			s.cur.close()
			return err
		}
		s.px = px
		inner := s.h
		s.h = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if proxy.IsProxyRequest(r) {
				px.ServeHTTP(rw, r)
				return
			}
			inner.ServeHTTP(rw, r)
		})
	}
	s.hs = &http.Server{Handler: s.h, ReadHeaderTimeout: lim.ReadHeaderTimeout, ReadTimeout: lim.ReadTimeout,
		IdleTimeout: lim.IdleTimeout, MaxHeaderBytes: lim.MaxHeaderBytes}
	// Event streams never end by themselves: a shutdown ends them first,
	// so that draining waits only for ordinary requests.
	s.hs.RegisterOnShutdown(func() { s.current().p.Close() })
	if s.opt.TLS != nil {
		s.hs.TLSConfig = s.opt.TLS.Clone()
		if s.px != nil {
			// Go's Transport offers h2 to an https:// proxy once HTTP/2 is
			// configured (azcore's and the Graph SDK's are), then writes an
			// HTTP/1.1 CONNECT: the listener that is also the proxy must not
			// pick h2. Tunnels still offer it.
			s.hs.Protocols = new(http.Protocols)
			s.hs.Protocols.SetHTTP1(true)
		}
		go func() { _ = s.hs.ServeTLS(s.ln, "", "") }()
		return nil
	}
	go func() { _ = s.hs.Serve(s.ln) }()
	return nil
}

// MaxTrace bounds the trace a served world keeps: a server lives long.
const MaxTrace = 64 << 10

func (s *Server) newInstance(lw *live.World) *instance {
	_ = lw.Do(func(w *sim.World) error { w.Trace.Limit(MaxTrace); return nil })
	eo := s.opt.Entra
	if eo.Scheme == "" && s.opt.TLS == nil {
		eo.Scheme = "http"
	}
	e := entra.New(lw, eo)
	gopt := s.opt.Graph
	gopt.Entra = e
	in := &instance{lw: lw, e: e, g: graph.NewHandler(lw, gopt), p: pbxapi.New(lw, s.opt.PBX), x: xphoneapi.New(lw, s.opt.XPhone)}
	ctx, cancel := context.WithCancel(context.Background())
	in.stop = cancel
	in.done.Add(2)
	go func() { defer in.done.Done(); in.g.Run(ctx, s.opt.Tick) }()
	go func() { defer in.done.Done(); lw.Follow(ctx, s.opt.Tick) }()
	return in
}

func (in *instance) close() {
	in.stop()
	in.p.Close()
	if in.sip != nil {
		in.sip.Close() // final NOTIFYs: terminated, subscribe again
	}
	in.done.Wait()
}

// startSIP serves an instance's PBX over SIP at Options.SIP, and after a
// reset at the address the first instance got.
func (s *Server) startSIP(in *instance) error {
	if s.opt.SIP == "" {
		return nil
	}
	addr := s.SIPAddr
	if addr == "" {
		addr = s.opt.SIP
	}
	srv, err := pbxsip.New(in.lw, s.opt.SIPOptions)
	if err != nil {
		return err
	}
	got, err := srv.Listen(addr)
	if err != nil {
		srv.Close()
		return fmt.Errorf("SIP: %v", err)
	}
	in.sip, s.SIPAddr = srv, got
	return nil
}

// SIP is the PBX's SIP server of the world served now (nil without
// Options.SIP).
func (s *Server) SIP() *pbxsip.Server { return s.current().sip }

func (s *Server) current() *instance {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur
}

// World is the live world served now (a reset replaces it).
func (s *Server) World() *live.World { return s.current().lw }

// Entra is the identity platform fake of the world served now.
func (s *Server) Entra() *entra.Handler { return s.current().e }

// Graph is the Graph fake of the world served now.
func (s *Server) Graph() *graph.Handler { return s.current().g }

// PBX is the PBX fake of the world served now.
func (s *Server) PBX() *pbxapi.Handler { return s.current().p }

// XPhone is the XPhone Connect server fake of the world served now.
func (s *Server) XPhone() *xphoneapi.Handler { return s.current().x }

// Handler is the server's handler, to mount elsewhere.
func (s *Server) Handler() http.Handler { return s.h }

// Client is an HTTP client for the server, trusting Options.CA.
func (s *Server) Client() *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second, ForceAttemptHTTP2: true}
	if s.opt.CA != nil {
		tr.TLSClientConfig = s.opt.CA.ClientTLS()
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}
}

// Refused is how many connections the server closed at once because
// MaxConns were open.
func (s *Server) Refused() int64 { return s.ln.refused.Load() }

// Resets is how many times the world was rebuilt.
func (s *Server) Resets() uint64 { return s.resets.Load() }

// Reset rebuilds the world from its file; tokens of the old world are
// refused by the new one.
func (s *Server) Reset() error {
	if s.file == nil {
		return errors.New("this world was handed to the server whole; it has no world file to rebuild it from")
	}
	w, err := Build(*s.file)
	if err != nil {
		return err
	}
	lw, err := live.New(w, s.opt.Clock)
	if err != nil {
		return err
	}
	in := s.newInstance(lw)
	s.mu.Lock()
	old := s.cur
	s.cur = in
	s.mu.Unlock()
	old.close()
	s.resets.Add(1)
	// the old world's SIP server gave up the address with close
	return s.startSIP(in)
}

// Shutdown stops accepting, ends event streams, waits for requests in
// flight until ctx ends, then closes what is left and stops the world.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.px != nil {
		_ = s.px.Close() // tunnels are hijacked connections Shutdown does not see
	}
	err := s.hs.Shutdown(ctx)
	if err != nil {
		_ = s.hs.Close()
	}
	s.current().close()
	return err
}

// Close shuts the server down within Limits.ShutdownGrace.
func (s *Server) Close() {
	s.closeOne.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.opt.Limits.ShutdownGrace)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
}

// route sends the control API, the PBX and Graph their requests.
func (s *Server) route(rw http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/_presencesim/"):
		if !s.authorized(r) {
			rw.Header().Set("WWW-Authenticate", `Bearer realm="presencesim control"`)
			controlError(rw, http.StatusUnauthorized, "the control API needs the token printed at start: Authorization: Bearer <token>")
			return
		}
		s.control(rw, r)
	case strings.HasPrefix(p, "/pbx/"):
		s.current().p.ServeHTTP(rw, r)
	case strings.HasPrefix(p, "/xphone/"):
		s.current().x.ServeHTTP(rw, r)
	case strings.HasPrefix(p, "/v1.0/"):
		s.current().g.ServeHTTP(rw, r)
	default:
		// discovery, keys, user realm, sign-in and tokens
		s.current().e.ServeHTTP(rw, r)
	}
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opt.ControlToken == "" {
		return true
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(tok), []byte(s.opt.ControlToken)) == 1
}

// capListener closes connections beyond max at once, so that a flood of
// idle connections cannot take the process's file descriptors.
type capListener struct {
	net.Listener
	max     int64
	open    atomic.Int64
	refused atomic.Int64
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > l.max {
			l.open.Add(-1)
			l.refused.Add(1)
			_ = c.Close()
			continue
		}
		return &countedConn{Conn: c, l: l}, nil
	}
}

type countedConn struct {
	net.Conn
	l    *capListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// String describes the server for start-up lines.
func (s *Server) String() string {
	sip := ""
	if s.SIPAddr != "" {
		sip = ", PBX SIP at sip:" + s.SIPAddr + " (UDP and TCP)"
	}
	return fmt.Sprintf("Graph at %s/v1.0, Entra ID at %s/{tenant}/v2.0/.well-known/openid-configuration (tokens at %s/{tenant}/oauth2/v2.0/token), PBX at %s/pbx/%s, control at %s/_presencesim/ (clock %s)",
		s.URL, s.URL, s.URL, s.URL, sip, s.URL, s.opt.Clock.Mode())
}
