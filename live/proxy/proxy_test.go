package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live/certs"
)

const (
	graphHost = "graph.microsoft.com"
	loginHost = "login.microsoftonline.com"
)

// echo answers with what a handler saw, one field per |.
func echo(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s|%s|%s|%s|%s|tls=%v|%s|%s", name, r.Method, r.Host, r.URL.Scheme, r.RequestURI, r.TLS != nil, r.Proto, body)
	})
}

// syncBuffer is a log destination tunnel goroutines may write to after a
// test has moved on.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	ca       *certs.CA
	p        *Proxy
	srv      *httptest.Server
	proxyURL *url.URL
	log      *syncBuffer
}

// newFixture serves a proxy for Graph and the login host on a loopback
// port; opts fills in what the test does not set. overTLS serves the proxy
// itself over HTTPS, as it is when mounted beside the fakes.
func newFixture(t *testing.T, opts Options, overTLS bool) *fixture {
	t.Helper()
	ca, err := certs.NewCA("presencesim proxy test CA")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ca: ca, log: &syncBuffer{}}
	if opts.Intercept == nil {
		opts.Intercept = map[string]http.Handler{graphHost: echo("graph"), loginHost: echo("login")}
	}
	if opts.TLS == nil {
		if opts.TLS, err = ca.ServerTLS(graphHost, loginHost); err != nil {
			t.Fatal(err)
		}
	}
	if opts.ErrorLog == nil {
		opts.ErrorLog = log.New(f.log, "", 0)
	}
	if f.p, err = New(opts); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewUnstartedServer(f.p)
	f.srv.Config.ErrorLog = opts.ErrorLog
	if overTLS {
		if f.srv.TLS, err = ca.ServerTLS("127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		f.srv.StartTLS()
	} else {
		f.srv.Start()
	}
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { f.p.Close() })
	f.proxyURL, _ = url.Parse(f.srv.URL)
	return f
}

// client goes through the proxy trusting only the CA, counting the
// CONNECTs it makes and the statuses they got.
type client struct {
	*http.Client
	connects atomic.Int32
	mu       sync.Mutex
	statuses []int
}

func (f *fixture) client(t *testing.T, h2 bool) *client {
	c := &client{}
	tr := &http.Transport{
		Proxy:             http.ProxyURL(f.proxyURL),
		TLSClientConfig:   f.ca.ClientTLS(),
		ForceAttemptHTTP2: h2,
		OnProxyConnectResponse: func(_ context.Context, _ *url.URL, _ *http.Request, res *http.Response) error {
			c.connects.Add(1)
			c.mu.Lock()
			c.statuses = append(c.statuses, res.StatusCode)
			c.mu.Unlock()
			return nil
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	c.Client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	return c
}

func (c *client) do(method, target, body string) (int, string, error) {
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("after 5s still not: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestInterceptedHostsReachTheirHandlers(t *testing.T) {
	modes := []struct {
		name     string
		overTLS  bool
		h2       bool
		wantFrom string
	}{
		{"HTTP/1.1 in the tunnel", false, false, "HTTP/1.1"},
		{"HTTP/2 in the tunnel", false, true, "HTTP/2.0"},
		{"proxy itself over HTTPS", true, false, "HTTP/1.1"},
	}
	requests := []struct {
		method, url, body string
		want              string
	}{
		{"GET", "https://graph.microsoft.com/v1.0/me", "", "graph|GET|graph.microsoft.com|https|/v1.0/me|tls=true"},
		{"POST", "https://login.microsoftonline.com/contoso/oauth2/v2.0/token", "grant_type=client_credentials", "login|POST|login.microsoftonline.com|https|/contoso/oauth2/v2.0/token|tls=true"},
		{"GET", "https://graph.microsoft.com/v1.0/users/a%2Fb/presence?$select=id", "", "graph|GET|graph.microsoft.com|https|/v1.0/users/a%2Fb/presence?$select=id|tls=true"},
		{"GET", "https://GRAPH.Microsoft.com/v1.0/me", "", "graph|GET|graph.microsoft.com|https|/v1.0/me|tls=true"},
		{"GET", "https://graph.microsoft.com:443/v1.0/me", "", "graph|GET|graph.microsoft.com|https|/v1.0/me|tls=true"},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			f := newFixture(t, Options{}, m.overTLS)
			c := f.client(t, m.h2)
			for _, rq := range requests {
				status, body, err := c.do(rq.method, rq.url, rq.body)
				if err != nil {
					t.Fatalf("%s %s: %v", rq.method, rq.url, err)
				}
				want := rq.want + "|" + m.wantFrom + "|" + rq.body
				if status != http.StatusOK || body != want {
					t.Errorf("%s %s: %d %q, want 200 %q", rq.method, rq.url, status, body, want)
				}
			}
			if s := f.p.Stats(); s.Tunnels < 2 || s.Refused != 0 || s.HandshakeFailures != 0 {
				t.Errorf("stats %+v: want a tunnel per host, nothing refused", s)
			}
		})
	}
}

func TestPlainProxiedRequests(t *testing.T) {
	f := newFixture(t, Options{}, false)
	c := f.client(t, false)
	tests := []struct {
		url    string
		status int
		body   string
	}{
		{"http://graph.microsoft.com/v1.0/me", 200, "graph|GET|graph.microsoft.com|http|/v1.0/me|tls=false|HTTP/1.1|"},
		{"http://login.microsoftonline.com:80/common/discovery/instance", 200, "login|GET|login.microsoftonline.com|http|/common/discovery/instance|tls=false|HTTP/1.1|"},
		{"http://example.com/", 403, "presencesim proxy: example.com:80 is not intercepted; intercepted: graph.microsoft.com:443, login.microsoftonline.com:443\n"},
		{"http://graph.microsoft.com:8080/v1.0/me", 403, "presencesim proxy: graph.microsoft.com:8080 is not intercepted; intercepted: graph.microsoft.com:443, login.microsoftonline.com:443\n"},
	}
	for _, tt := range tests {
		status, body, err := c.do("GET", tt.url, "")
		if err != nil {
			t.Fatal(err)
		}
		if status != tt.status || body != tt.body {
			t.Errorf("GET %s: %d %q, want %d %q", tt.url, status, body, tt.status, tt.body)
		}
	}
	if s := f.p.Stats(); s.Forwarded != 2 || s.Refused != 2 || s.Tunnels != 0 {
		t.Errorf("stats %+v: want 2 forwarded, 2 refused, no tunnel", s)
	}
}

func TestOtherDestinationsAreRefused(t *testing.T) {
	f := newFixture(t, Options{}, false)
	c := f.client(t, false)
	for _, target := range []string{"https://example.com/", "https://graph.microsoft.com:8443/v1.0/me", "https://graph.microsoft.us/v1.0/me"} {
		_, _, err := c.do("GET", target, "")
		if err == nil || !strings.Contains(err.Error(), "Forbidden") {
			t.Errorf("GET %s through the proxy: %v, want a Forbidden proxy error", target, err)
		}
	}
	if c.connects.Load() != 3 || fmt.Sprint(c.statuses) != "[403 403 403]" {
		t.Errorf("CONNECT answers %v, want three 403", c.statuses)
	}
	s := f.p.Stats()
	want := map[string]int{"example.com:443": 1, "graph.microsoft.com:8443": 1, "graph.microsoft.us:443": 1}
	if s.Refused != 3 || fmt.Sprint(s.RefusedTargets) != fmt.Sprint(want) || s.Tunnels != 0 {
		t.Errorf("stats %+v, want 3 refused: %v", s, want)
	}
}

// rawConnect sends a request head to the proxy over a new connection and
// reads the answer.
func rawConnect(t *testing.T, f *fixture, head string) (net.Conn, *http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", f.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(head, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", head, err)
	}
	var body []byte
	if method != http.MethodConnect || resp.StatusCode != http.StatusOK { // a tunnel follows its 200, no body
		body, _ = io.ReadAll(resp.Body)
	}
	conn.SetDeadline(time.Time{})
	return conn, resp, string(body)
}

func connectHead(target string) string {
	return "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n"
}

func TestRequestLines(t *testing.T) {
	f := newFixture(t, Options{}, false)
	list := "; intercepted: graph.microsoft.com:443, login.microsoftonline.com:443\n"
	tests := []struct {
		head   string
		status int
		body   string // "" for a tunnel
	}{
		{connectHead("graph.microsoft.com:443"), 200, ""},
		{connectHead("Graph.Microsoft.COM.:443"), 200, ""},
		{connectHead("example.com:443"), 403, "presencesim proxy: example.com:443 is not intercepted" + list},
		{connectHead("graph.microsoft.com:80"), 403, "presencesim proxy: graph.microsoft.com:80 is not intercepted" + list},
		{connectHead("127.0.0.1:443"), 403, "presencesim proxy: 127.0.0.1:443 is not intercepted" + list},
		{connectHead("[::1]:443"), 403, "presencesim proxy: [::1]:443 is not intercepted" + list},
		{connectHead("graph.microsoft.com"), 400, `presencesim proxy: CONNECT "graph.microsoft.com": no port` + list},
		{connectHead("graph.microsoft.com:0"), 400, `presencesim proxy: CONNECT "graph.microsoft.com:0": the port is out of range` + list},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "presencesim proxy: GET / is not a proxy request (CONNECT host:443 or an absolute URI)" + list},
		{"GET ftp://graph.microsoft.com/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, `presencesim proxy: the scheme "ftp" of "ftp://graph.microsoft.com/" is not http or https` + list},
		{"GET https://graph.microsoft.com/v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com\r\n\r\n", 200, "graph|GET|graph.microsoft.com|https|/v1.0/me|tls=false|HTTP/1.1|"},
	}
	for _, tt := range tests {
		conn, resp, body := rawConnect(t, f, tt.head)
		conn.Close()
		if resp.StatusCode != tt.status || body != tt.body {
			t.Errorf("%q: %d %q, want %d %q", tt.head, resp.StatusCode, body, tt.status, tt.body)
		}
		if tt.status == 200 && tt.body == "" && resp.Status != "200 Connection Established" {
			t.Errorf("%q: status line %q", tt.head, resp.Status)
		}
	}
}

func TestRefusedTargetsAreNeverDialled(t *testing.T) {
	f := newFixture(t, Options{}, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dialled := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			dialled <- c
		}
	}()
	addr := ln.Addr().String()
	c := f.client(t, false)
	if _, _, err := c.do("GET", "https://"+addr+"/", ""); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("https through the proxy to %s: %v", addr, err)
	}
	if status, _, err := c.do("GET", "http://"+addr+"/", ""); err != nil || status != 403 {
		t.Errorf("http through the proxy to %s: %d %v", addr, status, err)
	}
	conn, resp, _ := rawConnect(t, f, connectHead(addr))
	conn.Close()
	if resp.StatusCode != 403 {
		t.Errorf("CONNECT %s: %d", addr, resp.StatusCode)
	}
	select {
	case c := <-dialled:
		c.Close()
		t.Fatalf("the proxy dialled %s", addr)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestKeepAliveUsesOneTunnel(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(fmt.Sprintf("h2=%v", h2), func(t *testing.T) {
			f := newFixture(t, Options{}, false)
			c := f.client(t, h2)
			for i := range 5 {
				if status, _, err := c.do("GET", fmt.Sprintf("https://graph.microsoft.com/v1.0/users/%d/presence", i), ""); err != nil || status != 200 {
					t.Fatalf("request %d: %d %v", i, status, err)
				}
			}
			if n := c.connects.Load(); n != 1 {
				t.Errorf("%d CONNECTs for five requests, want one", n)
			}
			if s := f.p.Stats(); s.Tunnels != 1 || s.Open != 1 {
				t.Errorf("stats %+v, want one tunnel, open", s)
			}
		})
	}
}

func TestIdleTunnelsClose(t *testing.T) {
	f := newFixture(t, Options{IdleTimeout: 100 * time.Millisecond}, false)
	c := f.client(t, false)
	if status, _, err := c.do("GET", "https://graph.microsoft.com/v1.0/me", ""); err != nil || status != 200 {
		t.Fatal(status, err)
	}
	eventually(t, "the idle tunnel closed", func() bool { return f.p.Stats().Open == 0 })
}

// tlsTunnel opens a tunnel to host and completes the handshake in it.
func tlsTunnel(t *testing.T, f *fixture, host string) *tls.Conn {
	t.Helper()
	conn, resp, _ := rawConnect(t, f, connectHead(host+":443"))
	if resp.StatusCode != 200 {
		t.Fatalf("CONNECT %s: %s", host, resp.Status)
	}
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: f.ca.Pool()})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	return tc
}

func TestMisbehavingClientsDoNotStopTheProxy(t *testing.T) {
	other, err := certs.NewCA("a CA the proxy does not use")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// after runs on a tunnel just answered 200; each way ends in a
		// failed handshake.
		after func(t *testing.T, conn net.Conn)
	}{
		{"garbage after CONNECT", func(t *testing.T, conn net.Conn) {
			io.WriteString(conn, "hello, is anybody there?\r\n\r\n")
		}},
		{"plain HTTP inside the tunnel", func(t *testing.T, conn net.Conn) {
			io.WriteString(conn, "GET /v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com\r\n\r\n")
		}},
		{"a client not trusting the CA", func(t *testing.T, conn net.Conn) {
			err := tls.Client(conn, &tls.Config{ServerName: graphHost, RootCAs: other.Pool()}).Handshake()
			if err == nil {
				t.Error("the handshake succeeded")
			}
		}},
		{"a TLS hello for a host the certificate lacks", func(t *testing.T, conn net.Conn) {
			err := tls.Client(conn, &tls.Config{ServerName: "example.com", RootCAs: other.Pool()}).Handshake()
			if err == nil {
				t.Error("the handshake succeeded")
			}
		}},
		{"silence after CONNECT", func(t *testing.T, conn net.Conn) {}},
		{"hanging up after CONNECT", func(t *testing.T, conn net.Conn) { conn.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{ReadHeaderTimeout: 300 * time.Millisecond}, false)
			conn, resp, _ := rawConnect(t, f, connectHead("graph.microsoft.com:443"))
			if resp.StatusCode != 200 {
				t.Fatalf("CONNECT: %s", resp.Status)
			}
			tt.after(t, conn)
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, conn) // until the proxy closes the tunnel
			eventually(t, "the tunnel closed", func() bool { return f.p.Stats().Open == 0 })
			s := f.p.Stats()
			if s.HandshakeFailures != 1 {
				t.Errorf("stats %+v, want one failed handshake", s)
			}
			if !strings.Contains(f.log.String(), "presencesim proxy: TLS handshake in the tunnel from ") {
				t.Errorf("the log does not mention the failed handshake: %q", f.log.String())
			}
			c := f.client(t, false)
			if status, body, err := c.do("GET", "https://graph.microsoft.com/v1.0/me", ""); err != nil || status != 200 {
				t.Errorf("the next client: %d %q %v", status, body, err)
			}
		})
	}
}

func TestGarbageInsideAnEstablishedTunnel(t *testing.T) {
	f := newFixture(t, Options{}, false)
	tc := tlsTunnel(t, f, graphHost)
	io.WriteString(tc, "\x00\x01 nonsense\r\n\r\n")
	tc.SetReadDeadline(time.Now().Add(5 * time.Second))
	answer, _ := io.ReadAll(tc)
	if !strings.HasPrefix(string(answer), "HTTP/1.1 400 Bad Request") {
		t.Errorf("answer %q, want the tunnel's server's 400", answer)
	}
	eventually(t, "the tunnel closed", func() bool { return f.p.Stats().Open == 0 })
	c := f.client(t, false)
	if status, _, err := c.do("GET", "https://graph.microsoft.com/v1.0/me", ""); err != nil || status != 200 {
		t.Errorf("the next client: %d %v", status, err)
	}
}

func TestRequestsInsideATunnelStayOnItsHost(t *testing.T) {
	f := newFixture(t, Options{}, false)
	tests := []struct {
		line   string
		status string
	}{
		{"GET /v1.0/me HTTP/1.1\r\nHost: login.microsoftonline.com", "HTTP/1.1 200 OK"},
		{"GET https://graph.microsoft.com/v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com", "HTTP/1.1 200 OK"},
		{"GET https://login.microsoftonline.com/common HTTP/1.1\r\nHost: login.microsoftonline.com", "HTTP/1.1 421 Misdirected Request"},
		{"GET http://graph.microsoft.com/v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com", "HTTP/1.1 421 Misdirected Request"},
		{"CONNECT login.microsoftonline.com:443 HTTP/1.1\r\nHost: login.microsoftonline.com:443", "HTTP/1.1 405 Method Not Allowed"},
	}
	for _, tt := range tests {
		tc := tlsTunnel(t, f, graphHost)
		io.WriteString(tc, tt.line+"\r\nConnection: close\r\n\r\n")
		tc.SetReadDeadline(time.Now().Add(5 * time.Second))
		answer, _ := io.ReadAll(tc)
		if got, _, _ := strings.Cut(string(answer), "\r\n"); got != tt.status {
			t.Errorf("%q: %q, want %q", tt.line, got, tt.status)
		}
		if tt.status == "HTTP/1.1 200 OK" && !bytes.Contains(answer, []byte("graph|GET|graph.microsoft.com|https|/v1.0/me|tls=true")) {
			t.Errorf("%q reached: %q", tt.line, answer)
		}
		tc.Close()
	}
}

func TestMaxConns(t *testing.T) {
	f := newFixture(t, Options{MaxConns: 2}, false)
	first, second := tlsTunnel(t, f, graphHost), tlsTunnel(t, f, loginHost)
	defer second.Close()
	conn, resp, body := rawConnect(t, f, connectHead("graph.microsoft.com:443"))
	conn.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || body != "presencesim proxy: 2 tunnels are open, the most this proxy keeps; try again\n" {
		t.Errorf("a third tunnel: %s %v %q", resp.Status, resp.Header, body)
	}
	c := f.client(t, false)
	if _, _, err := c.do("GET", "https://graph.microsoft.com/v1.0/me", ""); err == nil || !strings.Contains(err.Error(), "Service Unavailable") {
		t.Errorf("a client beyond the cap: %v", err)
	}
	if s := f.p.Stats(); s.Open != 2 || s.Overloaded != 2 {
		t.Errorf("stats %+v, want 2 open, 2 overloaded", s)
	}
	first.Close()
	eventually(t, "a tunnel freed", func() bool { return f.p.Stats().Open == 1 })
	if status, _, err := c.do("GET", "https://graph.microsoft.com/v1.0/me", ""); err != nil || status != 200 {
		t.Errorf("once a tunnel is free: %d %v", status, err)
	}
}

func TestCloseEndsOpenTunnels(t *testing.T) {
	f := newFixture(t, Options{}, false)
	c := f.client(t, false)
	if status, _, err := c.do("GET", "https://graph.microsoft.com/v1.0/me", ""); err != nil || status != 200 {
		t.Fatal(status, err)
	}
	held := tlsTunnel(t, f, loginHost)
	if s := f.p.Stats(); s.Open != 2 {
		t.Fatalf("stats %+v, want two open tunnels", s)
	}
	f.p.Close()
	held.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := held.Read(make([]byte, 1)); err == nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		t.Errorf("a held tunnel after Close: read %v, want it closed", err)
	}
	eventually(t, "every tunnel closed", func() bool { return f.p.Stats().Open == 0 })
	conn, resp, body := rawConnect(t, f, connectHead("graph.microsoft.com:443"))
	conn.Close()
	if resp.StatusCode != 503 || body != "presencesim proxy: the proxy is closed\n" {
		t.Errorf("CONNECT after Close: %s %q", resp.Status, body)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestMountedBesideOtherHandlers(t *testing.T) {
	ca, err := certs.NewCA("presencesim mount test CA")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ca.ServerTLS("127.0.0.1", graphHost)
	if err != nil {
		t.Fatal(err)
	}
	var p *Proxy
	fakes := echo("fakes")
	// One handler for the listener, and the same handler as what the proxy
	// serves for Graph: decrypted requests must reach the fakes, not loop
	// back into the proxy.
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsProxyRequest(r) {
			p.ServeHTTP(w, r)
			return
		}
		fakes.ServeHTTP(w, r)
	})
	if p, err = New(Options{Intercept: map[string]http.Handler{graphHost: mux}, TLS: cfg}); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = cfg
	srv.StartTLS()
	defer srv.Close()
	proxyURL, _ := url.Parse(srv.URL)
	tests := []struct {
		name  string
		proxy bool
		url   string
		want  string
	}{
		{"direct", false, srv.URL + "/v1.0/me", "fakes|GET|" + proxyURL.Host + "||/v1.0/me|tls=true|HTTP/1.1|"},
		{"through the proxy", true, "https://graph.microsoft.com/v1.0/me", "fakes|GET|graph.microsoft.com|https|/v1.0/me|tls=true|HTTP/1.1|"},
	}
	for _, tt := range tests {
		tr := &http.Transport{TLSClientConfig: ca.ClientTLS()}
		if tt.proxy {
			tr.Proxy = http.ProxyURL(proxyURL)
		}
		resp, err := (&http.Client{Transport: tr}).Get(tt.url)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if string(body) != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, body, tt.want)
		}
	}
}

func TestIsProxyRequest(t *testing.T) {
	tests := []struct {
		head string
		want bool
	}{
		{"CONNECT graph.microsoft.com:443 HTTP/1.1\r\nHost: graph.microsoft.com:443", true},
		{"GET http://graph.microsoft.com/v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com", true},
		{"GET https://graph.microsoft.com/v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com", true},
		{"GET /v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com", false},
		{"OPTIONS * HTTP/1.1\r\nHost: graph.microsoft.com", false},
		{"POST /contoso/oauth2/v2.0/token HTTP/1.0", false},
	}
	for _, tt := range tests {
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(tt.head + "\r\n\r\n")))
		if err != nil {
			t.Fatal(err)
		}
		if got := IsProxyRequest(r); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.head, got, tt.want)
		}
	}
	inProcess, _ := http.NewRequest("GET", "https://graph.microsoft.com/v1.0/me", nil)
	if IsProxyRequest(inProcess) {
		t.Error("a request made in process counts as a proxy request")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	ca, err := certs.NewCA("presencesim options test CA")
	if err != nil {
		t.Fatal(err)
	}
	both, _ := ca.ServerTLS(graphHost, loginHost)
	graphOnly, _ := ca.ServerTLS(graphHost)
	h := echo("x")
	tests := []struct {
		name string
		opts Options
		err  string // "" is fine
	}{
		{"fine", Options{Intercept: map[string]http.Handler{graphHost: h, loginHost: h}, TLS: both}, ""},
		{"names in any case", Options{Intercept: map[string]http.Handler{"Graph.Microsoft.com.": h}, TLS: both}, ""},
		{"certificate chosen per handshake", Options{Intercept: map[string]http.Handler{"example.com": h}, TLS: &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return nil, nil }}}, ""},
		{"nothing to intercept", Options{TLS: both}, "no hosts to intercept"},
		{"no TLS", Options{Intercept: map[string]http.Handler{graphHost: h}}, "no TLS configuration"},
		{"a port", Options{Intercept: map[string]http.Handler{"graph.microsoft.com:443": h}, TLS: both}, `"graph.microsoft.com:443": not a host name (give a host name without port)`},
		{"a URL", Options{Intercept: map[string]http.Handler{"https://graph.microsoft.com": h}, TLS: both}, "give a host name without port"},
		{"twice", Options{Intercept: map[string]http.Handler{graphHost: h, "GRAPH.microsoft.com": h}, TLS: both}, `"graph.microsoft.com" is given twice`},
		{"no handler", Options{Intercept: map[string]http.Handler{graphHost: nil}, TLS: both}, "has no handler"},
		{"uncovered host", Options{Intercept: map[string]http.Handler{graphHost: h, loginHost: h}, TLS: graphOnly}, "does not cover login.microsoftonline.com"},
		{"no certificate", Options{Intercept: map[string]http.Handler{graphHost: h}, TLS: &tls.Config{}}, "has no certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.opts)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				p.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
}
