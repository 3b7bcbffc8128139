package proxy

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// maxTarget bounds an authority: a host name is at most 253 characters, an
// IPv6 literal in brackets far less, and a port five digits.
const maxTarget = 253 + len(":65535")

// splitTarget reads an authority, "host:port", as a CONNECT request line
// or an absolute URI carries it. It returns the host in canonical form
// (lower case, no trailing dot, an IPv6 address without brackets), so that
// the intercepted list matches however a client spells a name. defaultPort
// is used when the authority has no port; 0 requires one, as CONNECT does.
func splitTarget(authority string, defaultPort int) (host string, port int, err error) {
	if authority == "" {
		return "", 0, errors.New("no host")
	}
	if len(authority) > maxTarget {
		return "", 0, errors.New("longer than any host and port")
	}
	var rawPort string
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", 0, errors.New("an IPv6 address without its closing bracket")
		}
		addr, err := netip.ParseAddr(authority[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", 0, errors.New("not an IPv6 address in brackets")
		}
		rest := authority[end+1:]
		if rest != "" && rest[0] != ':' {
			return "", 0, errors.New("text after the IPv6 address")
		}
		host, rawPort = addr.String(), strings.TrimPrefix(rest, ":")
	} else {
		switch strings.Count(authority, ":") {
		case 0:
			host = authority
		case 1:
			host, rawPort, _ = strings.Cut(authority, ":")
		default:
			return "", 0, errors.New("an IPv6 address needs brackets")
		}
		if host, err = canonicalHost(host); err != nil {
			return "", 0, err
		}
	}
	port, err = parsePort(rawPort, defaultPort)
	if err != nil {
		return "", 0, err
	}
	return host, port, nil
}

// parsePort reads a decimal port; empty means defaultPort, as "host:" does
// in a URI.
func parsePort(s string, defaultPort int) (int, error) {
	if s == "" {
		if defaultPort == 0 {
			return 0, errors.New("no port")
		}
		return defaultPort, nil
	}
	if len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("the port is not a number")
	}
	p, _ := strconv.Atoi(s)
	if p < 1 || p > 65535 {
		return 0, errors.New("the port is out of range")
	}
	return p, nil
}

// canonicalHost checks a host without port: an IP address, or an ASCII
// host name (clients send internationalised names as punycode).
func canonicalHost(h string) (string, error) {
	if addr, err := netip.ParseAddr(h); err == nil {
		if addr.Zone() != "" {
			return "", errors.New("an address with a zone")
		}
		return addr.String(), nil
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" || len(h) > 253 {
		return "", errors.New("not a host name")
	}
	labels := strings.Split(h, ".")
	for _, label := range labels {
		if label == "" || len(label) > 63 {
			return "", errors.New("not a host name")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", errors.New("not a host name")
			}
		}
	}
	// A numeric last label is an IP address in a form netip refuses
	// (010.1.1.1, 1.2.3), which some resolvers would read as octal or
	// shorthand: no client means a name by it.
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", errors.New("not an IP address nor a host name")
	}
	return h, nil
}
