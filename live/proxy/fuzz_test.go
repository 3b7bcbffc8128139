package proxy

import (
	"bufio"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/live/certs"
)

// FuzzSplitTarget checks what the proxy matches intercepted hosts by: a
// target it accepts has a canonical host, a port in range, and reads back
// the same when written out again.
func FuzzSplitTarget(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		host, port, err := splitTarget(s, 0)
		if err != nil {
			return
		}
		if host == "" || port < 1 || port > 65535 {
			t.Fatalf("%q: host %q port %d", s, host, port)
		}
		if again, err := canonicalHost(host); err != nil || again != host {
			t.Fatalf("%q: host %q is not canonical (%q, %v)", s, host, again, err)
		}
		if strings.ToLower(host) != host || strings.HasSuffix(host, ".") {
			t.Fatalf("%q: host %q", s, host)
		}
		out := net.JoinHostPort(host, strconv.Itoa(port))
		h2, p2, err := splitTarget(out, 0)
		if err != nil || h2 != host || p2 != port {
			t.Fatalf("%q → %q → %q %d %v", s, out, h2, p2, err)
		}
		if h3, p3, err := splitTarget(s, 443); err != nil || h3 != host || p3 != port {
			t.Fatalf("%q with a default port: %q %d %v", s, h3, p3, err)
		}
	})
}

// FuzzRequest reads a request head as the proxy's server would and serves
// it: no panic, only the proxy's own answers, and a CONNECT is refused
// unless its target is an intercepted host on 443.
func FuzzRequest(f *testing.F) {
	ca, err := certs.NewCA("presencesim fuzz CA")
	if err != nil {
		f.Fatal(err)
	}
	cfg, err := ca.ServerTLS("graph.microsoft.com")
	if err != nil {
		f.Fatal(err)
	}
	p, err := New(Options{
		Intercept: map[string]http.Handler{"graph.microsoft.com": echo("graph")},
		TLS:       cfg,
		ErrorLog:  log.New(io.Discard, "", 0),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, head string) {
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if err != nil {
			return
		}
		r.RemoteAddr = "192.0.2.1:1234"
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, r)
		code := rec.Code
		switch code {
		case 200, 400, 403, 505:
		case 500: // a recorder cannot be hijacked: only an intercepted CONNECT gets here
			if r.Method != http.MethodConnect {
				t.Fatalf("%q: 500 for %s", head, r.Method)
			}
		default:
			t.Fatalf("%q: status %d", head, code)
		}
		if r.Method == http.MethodConnect {
			host, port, err := splitTarget(r.URL.Host, 0)
			intercepted := err == nil && host == "graph.microsoft.com" && port == 443
			if intercepted == (code == 403 || code == 400) {
				t.Fatalf("%q: target %q (%q %d %v) answered %d", head, r.URL.Host, host, port, err, code)
			}
		}
		if code == 403 && strings.Count(rec.Body.String(), "\n") != 1 {
			t.Fatalf("%q: refusal %q is not one line", head, rec.Body.String())
		}
	})
}
