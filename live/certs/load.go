package certs

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// LoadKeyPair reads a server certificate chain and its private key from PEM
// files, as a user gives them instead of the generated CA's (--tls-cert,
// --tls-key). keyFile may be empty when certFile holds the key as well. The
// errors name the file at fault and what it lacks, and a certificate that
// is expired, not yet valid or not meant for servers is refused here rather
// than by every client later.
func LoadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	if certFile == "" {
		return tls.Certificate{}, errors.New("certs: no certificate file given")
	}
	if keyFile == "" {
		keyFile = certFile
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: reading the certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: reading the private key: %w", err)
	}
	if !hasBlock(certPEM, func(t string) bool { return t == "CERTIFICATE" }) {
		return tls.Certificate{}, fmt.Errorf("certs: %s holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)", certFile)
	}
	if !hasBlock(keyPEM, func(t string) bool { return t == "PRIVATE KEY" || strings.HasSuffix(t, " PRIVATE KEY") }) {
		return tls.Certificate{}, fmt.Errorf("certs: %s holds no PEM private key (a block starting -----BEGIN PRIVATE KEY-----)", keyFile)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: the certificate in %s and the key in %s: %w", certFile, keyFile, err)
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return tls.Certificate{}, fmt.Errorf("certs: the certificate in %s: %w", certFile, err)
		}
		pair.Leaf = leaf
	}
	now := time.Now()
	switch {
	case now.After(leaf.NotAfter):
		return tls.Certificate{}, fmt.Errorf("certs: the certificate in %s expired at %s", certFile, leaf.NotAfter.Format(time.RFC3339))
	case now.Before(leaf.NotBefore):
		return tls.Certificate{}, fmt.Errorf("certs: the certificate in %s is not valid before %s", certFile, leaf.NotBefore.Format(time.RFC3339))
	}
	if len(leaf.ExtKeyUsage) > 0 && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny) {
		return tls.Certificate{}, fmt.Errorf("certs: the certificate in %s is not for servers (its extended key usage lacks serverAuth)", certFile)
	}
	return pair, nil
}

func hasBlock(data []byte, want func(blockType string) bool) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if want(b.Type) {
			return true
		}
	}
}

// Covers reports which of names the certificate does not cover, as one
// error, so a user-supplied certificate lacking a host the fakes answer to
// is caught at start-up.
func Covers(cert tls.Certificate, names ...string) error {
	leaf := cert.Leaf
	if leaf == nil {
		if len(cert.Certificate) == 0 {
			return errors.New("certs: an empty certificate")
		}
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fmt.Errorf("certs: %w", err)
		}
	}
	var missing []string
	for _, n := range names {
		if leaf.VerifyHostname(n) != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	has := slices.Clone(leaf.DNSNames)
	for _, ip := range leaf.IPAddresses {
		has = append(has, ip.String())
	}
	if len(has) == 0 {
		has = []string{"no names"}
	}
	return fmt.Errorf("certs: the certificate for %s does not cover %s", strings.Join(has, ", "), strings.Join(missing, ", "))
}
