package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pemOf encodes a certificate's chain and its key the way users keep them.
func pemOf(t *testing.T, cert tls.Certificate) (chain, key []byte) {
	t.Helper()
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	k, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return chain, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})
}

func clientOnlyCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "client"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestLoadKeyPair(t *testing.T) {
	ca := newCA(t)
	leaf, err := ca.Leaf("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.Leaf("localhost")
	if err != nil {
		t.Fatal(err)
	}
	old, err := NewCAAt("old", func() time.Time { return time.Now().AddDate(-2, 0, 0) })
	if err != nil {
		t.Fatal(err)
	}
	expired, err := old.Leaf("localhost")
	if err != nil {
		t.Fatal(err)
	}
	future, err := NewCAAt("future", func() time.Time { return time.Now().AddDate(0, 0, 2) })
	if err != nil {
		t.Fatal(err)
	}
	early, err := future.Leaf("localhost")
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	write := func(name string, parts ...[]byte) string {
		path := filepath.Join(dir, name)
		var all []byte
		for _, p := range parts {
			all = append(all, p...)
		}
		if err := os.WriteFile(path, all, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	chain, key := pemOf(t, leaf)
	_, otherKey := pemOf(t, other)
	expiredChain, expiredKey := pemOf(t, expired)
	earlyChain, earlyKey := pemOf(t, early)
	clientChain, clientKey := pemOf(t, clientOnlyCert(t))
	certFile, keyFile := write("cert.pem", chain), write("key.pem", key)
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name, cert, key string
		err             string // "" loads
	}{
		{"cert and key", certFile, keyFile, ""},
		{"both in one file", write("both.pem", key, chain), "", ""},
		{"no certificate given", "", keyFile, "no certificate file given"},
		{"missing certificate", missing, keyFile, "reading the certificate: open " + missing},
		{"missing key", certFile, missing, "reading the private key: open " + missing},
		{"files swapped", keyFile, certFile, "key.pem holds no PEM certificate"},
		{"key file holds a certificate", certFile, certFile, "cert.pem holds no PEM private key"},
		{"garbage", write("garbage.pem", []byte("not pem at all\n")), keyFile, "garbage.pem holds no PEM certificate"},
		{"key of another certificate", certFile, write("other-key.pem", otherKey), "private key does not match public key"},
		{"expired", write("expired.pem", expiredChain), write("expired-key.pem", expiredKey), "expired.pem expired at"},
		{"not yet valid", write("early.pem", earlyChain), write("early-key.pem", earlyKey), "early.pem is not valid before"},
		{"a client certificate", write("client.pem", clientChain), write("client-key.pem", clientKey), "client.pem is not for servers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pair, err := LoadKeyPair(tt.cert, tt.key)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pair.Leaf == nil || len(pair.Certificate) != 2 {
				t.Fatalf("loaded %d certificates, leaf %v", len(pair.Certificate), pair.Leaf)
			}
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			srv.TLS = ServerConfig(pair)
			srv.StartTLS()
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: ca.ClientTLS()}}
			if _, err := get(client, srv.URL); err != nil {
				t.Errorf("serving the loaded pair: %v", err)
			}
		})
	}
}
