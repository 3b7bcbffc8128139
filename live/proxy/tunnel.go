package proxy

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// connect opens a tunnel to an intercepted host and serves it until the
// client, a timeout or Close ends it.
func (p *Proxy) connect(w http.ResponseWriter, r *http.Request) {
	host, port, err := splitTarget(r.URL.Host, 0)
	if err != nil {
		p.malformed(w, fmt.Sprintf("CONNECT %q: %v", r.URL.Host, err))
		return
	}
	h, ok := p.intercept[host]
	if !ok || port != tlsPort {
		p.refuse(w, host, port)
		return
	}
	if r.ProtoMajor != 1 {
		// A tunnel over HTTP/2 is a stream, not a connection to hijack;
		// clients open tunnels over HTTP/1.1.
		http.Error(w, "presencesim proxy: tunnels are opened over HTTP/1.1 only", http.StatusHTTPVersionNotSupported)
		return
	}
	if why := p.acquire(); why != "" {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "presencesim proxy: "+why, http.StatusServiceUnavailable)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		p.release(nil)
		http.Error(w, "presencesim proxy: cannot take over the connection for a tunnel: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if !p.register(conn) {
		conn.Close()
		p.release(nil)
		return
	}
	var rw net.Conn = conn
	if n := brw.Reader.Buffered(); n > 0 {
		// A client that sent its TLS hello without waiting for the 200.
		early, _ := brw.Reader.Peek(n)
		rw = &prefixConn{Conn: conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn)}
	}
	if !p.tunnel(rw, host, h) {
		conn.Close()
	}
	p.release(conn)
}

// tunnel answers the CONNECT, terminates TLS and serves the requests
// inside to h. It reports whether a handler took the connection over
// (hijacked it), which then is the handler's to close.
func (p *Proxy) tunnel(conn net.Conn, host string, h http.Handler) (hijacked bool) {
	// The outer server's deadlines stay on a hijacked connection; these
	// replace them until the handshake is done.
	conn.SetDeadline(time.Now().Add(p.readHeaderTimeout))
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		return false
	}
	p.mu.Lock()
	p.stats.Tunnels++
	p.mu.Unlock()
	tc := tls.Server(conn, p.tls)
	if err := tc.Handshake(); err != nil {
		p.mu.Lock()
		p.stats.HandshakeFailures++
		p.mu.Unlock()
		p.logf("presencesim proxy: TLS handshake in the tunnel from %s to %s failed: %v", conn.RemoteAddr(), host, err)
		return false
	}
	conn.SetDeadline(time.Time{})

	done := make(chan struct{})
	var once sync.Once
	srv := &http.Server{
		Handler:           p.inTunnel(host, h),
		ReadHeaderTimeout: p.readHeaderTimeout,
		IdleTimeout:       p.idleTimeout,
		ErrorLog:          p.errorLog,
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateClosed || s == http.StateHijacked {
				once.Do(func() { hijacked = s == http.StateHijacked; close(done) })
			}
		},
	}
	// Serve returns once the connection has closed: the listener's second
	// Accept waits for that.
	srv.Serve(&oneConn{conn: tc, done: done})
	return hijacked
}

// inTunnel hands the requests of a tunnel to host's handler with Host,
// URL scheme and host set as if they had been sent to host directly.
func (p *Proxy) inTunnel(host string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			http.Error(w, "presencesim proxy: no tunnel inside a tunnel", http.StatusMethodNotAllowed)
			return
		}
		if absoluteForm(r.RequestURI) {
			// An absolute URI inside a tunnel must name the tunnel's own
			// host; anything else would slip past the intercepted list.
			th, tp, err := splitTarget(r.URL.Host, tlsPort)
			if err != nil || th != host || tp != tlsPort || r.URL.Scheme != "https" {
				http.Error(w, fmt.Sprintf("presencesim proxy: %s is not served in the tunnel to %s", r.RequestURI, host), http.StatusMisdirectedRequest)
				return
			}
		}
		h.ServeHTTP(w, onHost(r, "https", host))
	})
}

// acquire takes a tunnel slot, or says why there is none.
func (p *Proxy) acquire() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		p.stats.Overloaded++
		return "the proxy is closed"
	case p.stats.Open >= p.maxConns:
		p.stats.Overloaded++
		return fmt.Sprintf("%d tunnels are open, the most this proxy keeps; try again", p.stats.Open)
	}
	p.stats.Open++
	return ""
}

// register records a hijacked connection for Close, unless the proxy
// closed meanwhile.
func (p *Proxy) register(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// release gives back a slot and forgets c (nil when never registered).
func (p *Proxy) release(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Open--
	delete(p.conns, c)
}

// oneConn is a listener of one connection: the first Accept returns it,
// the next waits for it to close and ends the tunnel's Serve.
type oneConn struct {
	mu   sync.Mutex
	conn net.Conn
	addr net.Addr
	done <-chan struct{}
}

func (l *oneConn) Accept() (net.Conn, error) {
	l.mu.Lock()
	c := l.conn
	if c != nil {
		l.addr, l.conn = c.LocalAddr(), nil
	}
	l.mu.Unlock()
	if c != nil {
		return c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

// Close does nothing: the connection closes by itself, or by Proxy.Close.
func (l *oneConn) Close() error { return nil }

func (l *oneConn) Addr() net.Addr {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		return l.conn.LocalAddr()
	}
	return l.addr
}

// prefixConn reads bytes the outer server had already buffered first.
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixConn) Read(b []byte) (int, error) { return c.r.Read(b) }
