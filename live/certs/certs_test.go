package certs

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func newCA(t *testing.T) *CA {
	t.Helper()
	ca, err := NewCA("presencesim test CA")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// serve starts an HTTPS server on addr presenting a leaf of ca for names;
// it skips the test when addr cannot be bound (no IPv6 on this machine).
func serve(t *testing.T, ca *CA, addr string, names ...string) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	cfg, err := ca.ServerTLS(names...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s over %s", r.Host, r.Proto)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func get(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestClientTrustingTheCAReachesTheServer(t *testing.T) {
	ca := newCA(t)
	names := []string{"127.0.0.1", "::1", "localhost"}
	tests := []struct {
		name, listen, host string
	}{
		{"IPv4", "127.0.0.1:0", "127.0.0.1"},
		{"IPv6", "[::1]:0", "[::1]"},
		{"by name", "127.0.0.1:0", "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, ca, tt.listen, names...)
			_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: ca.ClientTLS(), ForceAttemptHTTP2: true}}
			defer client.CloseIdleConnections()
			body, err := get(client, "https://"+tt.host+":"+port+"/")
			if err != nil {
				t.Fatalf("a client trusting the CA: %v", err)
			}
			if want := "over HTTP/2.0"; !strings.HasSuffix(body, want) {
				t.Errorf("body %q, want it to end %q (h2 offered by ServerTLS)", body, want)
			}
		})
	}
}

func TestClientNotTrustingTheCAIsRefused(t *testing.T) {
	ca, other := newCA(t), newCA(t)
	srv := serve(t, ca, "127.0.0.1:0", "127.0.0.1")
	tests := []struct {
		name  string
		roots *x509.CertPool
	}{
		{"the system roots", nil},
		{"another presencesim CA", other.Pool()},
		{"no roots at all", x509.NewCertPool()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: tt.roots}}}
			_, err := get(client, srv.URL)
			var unknown x509.UnknownAuthorityError
			if !errors.As(err, &unknown) {
				t.Fatalf("error %v (%T), want an x509.UnknownAuthorityError", err, err)
			}
		})
	}
}

func TestPEMRoundTrips(t *testing.T) {
	ca := newCA(t)
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := ca.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if err := ca.WriteFile(path); err != nil { // overwriting is fine
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only ca.pem (no temporary left behind)", len(entries))
	}
	for name, data := range map[string][]byte{"PEM()": ca.PEM(), "the file": file} {
		block, rest := pem.Decode(data)
		if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
			t.Fatalf("%s: want exactly one CERTIFICATE block, got %v and %d bytes more", name, block, len(rest))
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if !cert.Equal(ca.Certificate()) {
			t.Errorf("%s decodes to another certificate", name)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			t.Errorf("%s: a pool does not take it", name)
		}
		if !pool.Equal(ca.Pool()) {
			t.Errorf("%s: the pool differs from Pool()", name)
		}
	}
}

func TestCAIsARootThatSignsOnlyLeaves(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ca, err := NewCAAt("fixed", func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Certificate()
	tests := []struct {
		what      string
		got, want any
	}{
		{"subject", c.Subject.CommonName, "fixed"},
		{"self-signed", c.CheckSignatureFrom(c), nil},
		{"CA", c.IsCA && c.BasicConstraintsValid, true},
		{"max path length zero", c.MaxPathLen == 0 && c.MaxPathLenZero, true},
		{"key usage", c.KeyUsage, x509.KeyUsageCertSign | x509.KeyUsageCRLSign},
		{"not before", c.NotBefore, at.Add(-time.Hour)},
		{"not after", c.NotAfter, at.AddDate(1, 0, 0)},
		{"key id", len(c.SubjectKeyId) > 0, true},
		{"signature", c.SignatureAlgorithm, x509.ECDSAWithSHA256},
	}
	for _, tt := range tests {
		if !equal(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	if _, err := NewCA(" "); err == nil {
		t.Error("a CA without a name was made")
	}
}

func equal(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		return ta.Equal(b.(time.Time))
	}
	return a == b
}

func TestLeafListsExactlyTheNamesAskedFor(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ca, err := NewCAAt("fixed", func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		names []string
		dns   []string
		ips   []string
	}{
		{[]string{"127.0.0.1", "::1", "localhost"}, []string{"localhost"}, []string{"127.0.0.1", "::1"}},
		{[]string{"graph.microsoft.com", "login.microsoftonline.com"}, []string{"graph.microsoft.com", "login.microsoftonline.com"}, nil},
		{[]string{"localhost", "127.0.0.1", "::1", "graph.microsoft.com", "login.microsoftonline.com"}, []string{"localhost", "graph.microsoft.com", "login.microsoftonline.com"}, []string{"127.0.0.1", "::1"}},
		{[]string{"10.1.2.3"}, nil, []string{"10.1.2.3"}},
		{[]string{"*.example.test"}, []string{"*.example.test"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.names, ","), func(t *testing.T) {
			cert, err := ca.Leaf(tt.names...)
			if err != nil {
				t.Fatal(err)
			}
			leaf := cert.Leaf
			var ips []string
			for _, ip := range leaf.IPAddresses {
				ips = append(ips, ip.String())
			}
			if !slices.Equal(leaf.DNSNames, tt.dns) || !slices.Equal(ips, tt.ips) {
				t.Errorf("DNS %q IP %q, want DNS %q IP %q", leaf.DNSNames, ips, tt.dns, tt.ips)
			}
			if len(leaf.URIs) != 0 || len(leaf.EmailAddresses) != 0 {
				t.Errorf("extra names: %v %v", leaf.URIs, leaf.EmailAddresses)
			}
			if len(cert.Certificate) != 2 || !bytes.Equal(cert.Certificate[1], ca.Certificate().Raw) {
				t.Errorf("the chain is not leaf then CA")
			}
			if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) || leaf.IsCA {
				t.Errorf("usage %v, CA %v: want a server certificate", leaf.ExtKeyUsage, leaf.IsCA)
			}
			if !leaf.NotBefore.Equal(at.Add(-time.Hour)) || !leaf.NotAfter.Equal(at.AddDate(1, 0, 0)) {
				t.Errorf("valid %s to %s", leaf.NotBefore, leaf.NotAfter)
			}
			for _, n := range tt.names {
				host := strings.Replace(n, "*", "presence", 1)
				opts := x509.VerifyOptions{Roots: ca.Pool(), DNSName: host, CurrentTime: at}
				if _, err := leaf.Verify(opts); err != nil {
					t.Errorf("verify for %s: %v", host, err)
				}
			}
			if err := Covers(cert, tt.names...); err != nil {
				t.Error(err)
			}
			if err := Covers(cert, "example.com"); err == nil || !strings.Contains(err.Error(), "does not cover example.com") {
				t.Errorf("Covers(example.com) = %v", err)
			}
		})
	}
}

func TestLeafRefusesBadNames(t *testing.T) {
	ca := newCA(t)
	tests := [][]string{
		nil,
		{""},
		{"localhost", "two words"},
		{"fe80::1%eth0"},
		{"graph.microsoft.com:443"},
		{"https://graph.microsoft.com"},
		{"a..b"},
		{"grüße.example"},
		{strings.Repeat("a", 64) + ".example"},
		{"graph.*.com"},
	}
	for _, names := range tests {
		if _, err := ca.Leaf(names...); err == nil {
			t.Errorf("Leaf(%q) made a certificate", names)
		}
	}
}

func TestLeafOfAnExpiredCA(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ca, err := NewCAAt("old", func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	ca.Now = func() time.Time { return at.AddDate(0, 11, 0) }
	cert, err := ca.Leaf("localhost")
	if err != nil {
		t.Fatal(err)
	}
	if !cert.Leaf.NotAfter.Equal(ca.Certificate().NotAfter) {
		t.Errorf("a leaf outlives its CA: %s after %s", cert.Leaf.NotAfter, ca.Certificate().NotAfter)
	}
	ca.Now = func() time.Time { return at.AddDate(2, 0, 0) }
	if _, err := ca.Leaf("localhost"); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("a leaf of an expired CA: %v", err)
	}
}
