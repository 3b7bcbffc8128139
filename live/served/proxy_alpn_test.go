package served

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/live/certs"
)

// A client that offers h2 in its handshake with the proxy, as Go's
// Transport does once HTTP/2 is configured, still gets its CONNECT
// answered, and HTTP/2 inside the tunnel.
func TestProxyClientsOfferingH2(t *testing.T) {
	ca, err := certs.NewCA("presencesim test")
	if err != nil {
		t.Fatal(err)
	}
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}, CA: ca, Intercept: MicrosoftHosts})
	pu, _ := url.Parse(srv.URL)
	tr := &http.Transport{Proxy: http.ProxyURL(pu), ForceAttemptHTTP2: true,
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), NextProtos: []string{"h2", "http/1.1"}}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Timeout: waitBound, Transport: tr}).Get("https://graph.microsoft.com/v1.0/me/presence")
	if err != nil {
		t.Fatalf("graph.microsoft.com through the proxy, h2 offered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.ProtoMajor != 2 {
		t.Fatalf("graph.microsoft.com through the proxy: %s over %s; want 401 over HTTP/2", resp.Status, resp.Proto)
	}
	// The listener itself still answers such a client directly.
	direct := &http.Client{Timeout: waitBound, Transport: &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	if st, body := get(t, direct, srv.URL+"/_presencesim/clock", nil); st != http.StatusOK || !strings.Contains(body, "manual") {
		t.Fatalf("direct: %d %s", st, body)
	}
}
