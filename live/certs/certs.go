package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Backdate is how long before the issuing time a certificate becomes
// valid, so a client whose clock runs a little behind still accepts it.
const Backdate = time.Hour

// CA is a root certificate authority whose key exists only in this process.
type CA struct {
	// Now gives the time leaves are issued at; nil is the wall clock.
	Now func() time.Time

	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

// NewCA makes a self-signed root named name, valid from an hour ago to a
// year from now.
func NewCA(name string) (*CA, error) { return NewCAAt(name, nil) }

// NewCAAt is NewCA issuing at the times now gives (nil is the wall clock);
// the CA keeps now for the leaves it signs.
func NewCAAt(name string, now func() time.Time) (*CA, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("certs: a CA needs a name")
	}
	ca := &CA{Now: now}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("certs: generating the CA key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	t := ca.now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             t.Add(-Backdate),
		NotAfter:              t.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// The root signs leaves only, never another CA.
		MaxPathLen:     0,
		MaxPathLenZero: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("certs: signing the CA certificate: %w", err)
	}
	ca.cert, err = x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("certs: reading back the CA certificate: %w", err)
	}
	ca.key = key
	ca.pem = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return ca, nil
}

func (ca *CA) now() time.Time {
	if ca.Now != nil {
		return ca.Now()
	}
	return time.Now()
}

// Certificate is the CA's own certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// PEM is the CA's certificate in PEM, for a client's trust store.
func (ca *CA) PEM() []byte { return bytes.Clone(ca.pem) }

// WriteFile writes the CA's certificate as PEM to path, readable by all
// (it is public). It writes a temporary file and renames it, so a client
// reading path while it is written sees the old file or the new, never half.
func (ca *CA) WriteFile(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("certs: writing the CA certificate: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(ca.pem)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("certs: writing the CA certificate to %s: %w", path, err)
	}
	return nil
}

// Pool is a new pool holding only the CA; the caller may add to it.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// ClientTLS is a client configuration trusting only the CA.
func (ca *CA) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}
}

// ServerTLS is a server configuration presenting a new leaf for names.
func (ca *CA) ServerTLS(names ...string) (*tls.Config, error) {
	leaf, err := ca.Leaf(names...)
	if err != nil {
		return nil, err
	}
	return ServerConfig(leaf), nil
}

// ServerConfig is the server configuration served mode uses for certs,
// whether the CA signed them or the user supplied them: TLS 1.2 or later,
// HTTP/2 offered before HTTP/1.1 as net/http's own servers do.
func ServerConfig(certs ...tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: certs,
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}
}

// Leaf makes a server certificate signed by the CA for names: those that
// parse as IP addresses become IP SANs, the others DNS SANs, in the order
// given. The result carries the CA after the leaf, so clients get the
// whole chain, and Leaf is set.
func (ca *CA) Leaf(names ...string) (tls.Certificate, error) {
	if len(names) == 0 {
		return tls.Certificate{}, errors.New("certs: a server certificate needs at least one name")
	}
	var dns []string
	var ips []net.IP
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			ips = append(ips, ip)
			continue
		}
		if err := checkDNSName(n); err != nil {
			return tls.Certificate{}, err
		}
		dns = append(dns, n)
	}
	t := ca.now()
	if !t.Before(ca.cert.NotAfter) {
		return tls.Certificate{}, fmt.Errorf("certs: the CA %q expired at %s", ca.cert.Subject.CommonName, ca.cert.NotAfter.Format(time.RFC3339))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: generating a server key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return tls.Certificate{}, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: encoding the server key: %w", err)
	}
	ski := sha1.Sum(pub) // strict verifiers (Python 3.13, OpenSSL -x509_strict) want a key id
	notAfter := t.AddDate(1, 0, 0)
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: names[0]},
		NotBefore:             t.Add(-Backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          ski[:],
		DNSNames:              dns,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: signing a server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: reading back a server certificate: %w", err)
	}
	return tls.Certificate{
		Certificate: [][]byte{der, ca.cert.Raw},
		PrivateKey:  key,
		Leaf:        leaf,
	}, nil
}

// checkDNSName refuses what no client would send as a host name, so a typo
// fails here rather than as a handshake error in someone else's client.
func checkDNSName(n string) error {
	if n == "" {
		return errors.New("certs: an empty name")
	}
	if len(n) > 253 {
		return fmt.Errorf("certs: the name %.20q… is longer than 253 characters", n)
	}
	for i, label := range strings.Split(strings.TrimSuffix(n, "."), ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("certs: %q is neither an IP address nor a host name", n)
		}
		if label == "*" && i == 0 {
			continue // a wildcard, leftmost only
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("certs: %q is neither an IP address nor a host name", n)
			}
		}
	}
	return nil
}

func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("certs: drawing a serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil // serial numbers are positive
}
