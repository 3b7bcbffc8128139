package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero Options fields.
const (
	DefaultMaxConns          = 1024
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultReadHeaderTimeout = 10 * time.Second
)

// tlsPort is the only port an intercepted host is served on: Graph and the
// identity platform are HTTPS on the standard port (G-TLS-1).
const tlsPort = 443

// maxRefusedTargets bounds Stats.RefusedTargets, so a client trying
// endless names cannot grow the proxy's memory.
const maxRefusedTargets = 256

// Options configure a Proxy.
type Options struct {
	// Intercept maps a host name without port (graph.microsoft.com,
	// login.microsoftonline.com) to the handler serving it. Names match
	// case-insensitively and with or without a trailing dot.
	Intercept map[string]http.Handler
	// TLS is the server configuration tunnels are terminated with; its
	// certificate must cover every intercepted host. HTTP/2 is served in a
	// tunnel when NextProtos offers it.
	TLS *tls.Config
	// MaxConns caps the tunnels open at once; beyond it a CONNECT gets
	// 503. Zero is DefaultMaxConns.
	MaxConns int
	// IdleTimeout closes a tunnel idle between requests for this long.
	// Zero is DefaultIdleTimeout.
	IdleTimeout time.Duration
	// ReadHeaderTimeout bounds the TLS handshake in a tunnel and the
	// reading of each request's header. Zero is DefaultReadHeaderTimeout.
	ReadHeaderTimeout time.Duration
	// ErrorLog receives handshake failures and the tunnels' server errors;
	// nil is the log package's standard logger, as for http.Server.
	ErrorLog *log.Logger
}

// Stats counts what a Proxy did since New.
type Stats struct {
	Open              int            // tunnels open now
	Tunnels           int            // CONNECTs answered 200
	Forwarded         int            // plain http:// requests served to a handler
	Refused           int            // 403: a host or port not intercepted
	Malformed         int            // 400: a target that is not host:port
	Overloaded        int            // 503: MaxConns tunnels already open, or the proxy closed
	HandshakeFailures int            // tunnels whose TLS handshake failed: no TLS, a client not trusting the certificate, silence
	RefusedTargets    map[string]int // host:port → refusals, for the first 256 targets
}

// Proxy is an HTTPS proxy for the intercepted hosts; it refuses every
// other destination and never dials out.
type Proxy struct {
	intercept         map[string]http.Handler
	tls               *tls.Config
	maxConns          int
	idleTimeout       time.Duration
	readHeaderTimeout time.Duration
	errorLog          *log.Logger
	// refusal is the list of intercepted targets that ends every refusal.
	refusal string

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
	stats  Stats
}

// New checks opts and returns the proxy. It refuses an empty intercepted
// list, a name that is not a bare host, a nil handler, and a TLS
// configuration without a certificate for every intercepted host, since
// each would otherwise surface as a baffling error in a vendor's client.
func New(opts Options) (*Proxy, error) {
	if len(opts.Intercept) == 0 {
		return nil, errors.New("proxy: no hosts to intercept")
	}
	if opts.TLS == nil {
		return nil, errors.New("proxy: no TLS configuration to terminate tunnels with")
	}
	p := &Proxy{
		intercept:         make(map[string]http.Handler, len(opts.Intercept)),
		tls:               opts.TLS.Clone(),
		maxConns:          orDefault(opts.MaxConns, DefaultMaxConns),
		idleTimeout:       orDefault(opts.IdleTimeout, DefaultIdleTimeout),
		readHeaderTimeout: orDefault(opts.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		errorLog:          opts.ErrorLog,
		conns:             make(map[net.Conn]struct{}),
		stats:             Stats{RefusedTargets: make(map[string]int)},
	}
	for name, h := range opts.Intercept {
		host, err := canonicalHost(name)
		if err != nil {
			return nil, fmt.Errorf("proxy: intercepted host %q: %v (give a host name without port)", name, err)
		}
		if h == nil {
			return nil, fmt.Errorf("proxy: intercepted host %q has no handler", name)
		}
		if _, dup := p.intercept[host]; dup {
			return nil, fmt.Errorf("proxy: intercepted host %q is given twice", host)
		}
		p.intercept[host] = h
	}
	hosts := slices.Sorted(maps.Keys(p.intercept))
	if err := covers(p.tls, hosts); err != nil {
		return nil, err
	}
	targets := make([]string, len(hosts))
	for i, h := range hosts {
		targets[i] = net.JoinHostPort(h, strconv.Itoa(tlsPort))
	}
	p.refusal = "intercepted: " + strings.Join(targets, ", ")
	return p, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// covers checks that the configuration's certificates cover every host.
// A configuration choosing its certificate per handshake (GetCertificate)
// cannot be checked ahead and is trusted.
func covers(cfg *tls.Config, hosts []string) error {
	if cfg.GetCertificate != nil || cfg.GetConfigForClient != nil {
		return nil
	}
	if len(cfg.Certificates) == 0 {
		return errors.New("proxy: the TLS configuration has no certificate")
	}
	var leaves []*x509.Certificate
	for _, c := range cfg.Certificates {
		leaf := c.Leaf
		if leaf == nil && len(c.Certificate) > 0 {
			leaf, _ = x509.ParseCertificate(c.Certificate[0])
		}
		if leaf != nil {
			leaves = append(leaves, leaf)
		}
	}
	var missing []string
	for _, h := range hosts {
		if !slices.ContainsFunc(leaves, func(l *x509.Certificate) bool { return l.VerifyHostname(h) == nil }) {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("proxy: the TLS certificate does not cover %s", strings.Join(missing, ", "))
	}
	return nil
}

// IsProxyRequest reports whether r, as read from the wire, is addressed
// to a proxy: a CONNECT, or a request target in absolute form
// (GET http://host/path). A server that mounts the proxy beside other
// handlers routes these to it.
//
// It looks at the request line (r.RequestURI), not at r.URL: the proxy
// hands decrypted requests on with r.URL.Scheme and r.URL.Host filled in,
// and a router deciding by r.URL would send them back to the proxy. A
// request made in process (RequestURI empty) is never a proxy request.
func IsProxyRequest(r *http.Request) bool {
	return r.Method == http.MethodConnect || absoluteForm(r.RequestURI)
}

// absoluteForm: every other request target a server accepts is a path
// ("/…") or the asterisk of OPTIONS *.
func absoluteForm(requestURI string) bool {
	return requestURI != "" && requestURI != "*" && !strings.HasPrefix(requestURI, "/")
}

// ServeHTTP answers proxy requests: it opens a tunnel for a CONNECT to an
// intercepted host on port 443, serves a plain http:// request for an
// intercepted host to its handler, and refuses everything else.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodConnect:
		p.connect(w, r)
	case absoluteForm(r.RequestURI):
		p.forward(w, r)
	default:
		http.Error(w, fmt.Sprintf("presencesim proxy: %s %s is not a proxy request (CONNECT host:443 or an absolute URI); %s", r.Method, r.URL.Path, p.refusal), http.StatusBadRequest)
	}
}

// forward serves a request in absolute form to the host's handler as if it
// had been sent there directly.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	scheme := strings.ToLower(r.URL.Scheme)
	port := map[string]int{"http": 80, "https": tlsPort}[scheme]
	if port == 0 {
		p.malformed(w, fmt.Sprintf("the scheme %q of %q is not http or https", r.URL.Scheme, r.RequestURI))
		return
	}
	host, gotPort, err := splitTarget(r.URL.Host, port)
	if err != nil {
		p.malformed(w, fmt.Sprintf("the host %q: %v", r.URL.Host, err))
		return
	}
	h, ok := p.intercept[host]
	if !ok || gotPort != port {
		p.refuse(w, host, gotPort)
		return
	}
	p.mu.Lock()
	p.stats.Forwarded++
	p.mu.Unlock()
	out := onHost(r, scheme, host)
	// Hop-by-hop headers meant for the proxy, not for the origin.
	out.Header = r.Header.Clone()
	out.Header.Del("Proxy-Connection")
	out.Header.Del("Proxy-Authorization")
	h.ServeHTTP(w, out)
}

// onHost is r as the host's handler sees it: Host and URL naming the
// host, the request line in origin form.
func onHost(r *http.Request, scheme, host string) *http.Request {
	out := r.WithContext(r.Context())
	u := *r.URL
	u.Scheme, u.Host, u.User = scheme, host, nil
	out.URL = &u
	out.Host = host
	out.RequestURI = u.RequestURI()
	return out
}

func (p *Proxy) malformed(w http.ResponseWriter, why string) {
	p.mu.Lock()
	p.stats.Malformed++
	p.mu.Unlock()
	http.Error(w, "presencesim proxy: "+why+"; "+p.refusal, http.StatusBadRequest)
}

func (p *Proxy) refuse(w http.ResponseWriter, host string, port int) {
	target := net.JoinHostPort(host, strconv.Itoa(port))
	p.mu.Lock()
	p.stats.Refused++
	if _, ok := p.stats.RefusedTargets[target]; ok || len(p.stats.RefusedTargets) < maxRefusedTargets {
		p.stats.RefusedTargets[target]++
	}
	p.mu.Unlock()
	http.Error(w, "presencesim proxy: "+target+" is not intercepted; "+p.refusal, http.StatusForbidden)
}

// Stats returns a copy of the counts.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.RefusedTargets = maps.Clone(p.stats.RefusedTargets)
	return s
}

// Close ends every open tunnel; later CONNECTs get 503. It does not wait
// for handlers still running in a tunnel (as http.Server.Close does not).
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	conns := slices.Collect(maps.Keys(p.conns))
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return nil
}

func (p *Proxy) logf(format string, args ...any) {
	if p.errorLog != nil {
		p.errorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}
