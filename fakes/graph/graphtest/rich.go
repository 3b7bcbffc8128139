package graphtest

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/presencesim/presencesim/fakes/graph/richnotify"
)

var (
	certOnce sync.Once
	cert     *richnotify.Certificate
	certErr  error
)

// SubscriberCert is the subscribers' encryption certificate of rich
// notifications: one RSA-2048 key for the process, as generating one per
// test is slow.
func SubscriberCert() (*richnotify.Certificate, error) {
	certOnce.Do(func() { cert, certErr = richnotify.NewCertificate(2048) })
	return cert, certErr
}

// MaxChars bounds {chars:N}.
const MaxChars = 1 << 16

// richPlaceholder tells whether key is one of the placeholders richExpand
// fills.
func richPlaceholder(key string) bool {
	return key == "certificate" || strings.HasPrefix(key, "certificate:") || strings.HasPrefix(key, "chars:")
}

// richExpand fills {certificate} (the subscribers' certificate, base64),
// {certificate:thumbprint}, {certificate:ecdsa}, {certificate:rsa-N} (a
// certificate of an N-bit RSA key nobody holds) and {chars:N} (N letters).
func richExpand(key string) (string, error) {
	kind, arg, _ := strings.Cut(key, ":")
	if kind == "chars" {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 || n > MaxChars {
			return "", fmt.Errorf("{%s}: write {chars:N} with a count of 0 to %d", key, MaxChars)
		}
		return strings.Repeat("x", n), nil
	}
	c, err := SubscriberCert()
	if err != nil {
		return "", err
	}
	switch {
	case arg == "":
		return c.Base64, nil
	case arg == "thumbprint":
		return richnotify.Thumbprint(c.Base64)
	case arg == "ecdsa":
		return richnotify.ECDSA()
	case strings.HasPrefix(arg, "rsa-"):
		bits, err := strconv.Atoi(arg[4:])
		if err != nil || bits < 16 || bits > 16384 {
			return "", fmt.Errorf("{%s}: write {certificate:rsa-2048} with a key size of 16 to 16384 bits", key)
		}
		return richnotify.PublicOnly(bits)
	}
	return "", fmt.Errorf("{%s}: the certificate placeholders are {certificate}, {certificate:thumbprint}, {certificate:ecdsa} and {certificate:rsa-N}", key)
}
