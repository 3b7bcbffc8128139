package proxy

import (
	"strings"
	"testing"
)

func TestSplitTarget(t *testing.T) {
	tests := []struct {
		in          string
		defaultPort int
		host        string
		port        int
		err         string
	}{
		{"graph.microsoft.com:443", 0, "graph.microsoft.com", 443, ""},
		{"GRAPH.Microsoft.com.:443", 0, "graph.microsoft.com", 443, ""},
		{"graph.microsoft.com", 443, "graph.microsoft.com", 443, ""},
		{"graph.microsoft.com:", 80, "graph.microsoft.com", 80, ""},
		{"127.0.0.1:8080", 0, "127.0.0.1", 8080, ""},
		{"[::1]:443", 0, "::1", 443, ""},
		{"[0:0::1]:443", 0, "::1", 443, ""},
		{"[::ffff:127.0.0.1]:443", 0, "::ffff:127.0.0.1", 443, ""},
		{"[::1]", 443, "::1", 443, ""},
		{"xn--bcher-kva.example:443", 0, "xn--bcher-kva.example", 443, ""},
		{"graph.microsoft.com:0443", 0, "graph.microsoft.com", 443, ""},
		{"", 443, "", 0, "no host"},
		{"graph.microsoft.com", 0, "", 0, "no port"},
		{"graph.microsoft.com:0", 0, "", 0, "out of range"},
		{"graph.microsoft.com:65536", 0, "", 0, "out of range"},
		{"graph.microsoft.com:+443", 0, "", 0, "not a number"},
		{"graph.microsoft.com:443443", 0, "", 0, "not a number"},
		{"::1:443", 0, "", 0, "needs brackets"},
		{"[::1:443", 0, "", 0, "closing bracket"},
		{"[::1]x:443", 0, "", 0, "text after"},
		{"[127.0.0.1]:443", 0, "", 0, "not an IPv6 address"},
		{"[fe80::1%25eth0]:443", 0, "", 0, "not an IPv6 address"},
		{":443", 0, "", 0, "not a host name"},
		{"a..b:443", 0, "", 0, "not a host name"},
		{"grüße.example:443", 0, "", 0, "not a host name"},
		{"user@graph.microsoft.com:443", 0, "", 0, "not a host name"},
		{"010.0.0.1:443", 0, "", 0, "not an IP address nor a host name"},
		{"1.2.3:443", 0, "", 0, "not an IP address nor a host name"},
		{strings.Repeat("a.", 130) + "com:443", 0, "", 0, "longer than any host"},
	}
	for _, tt := range tests {
		host, port, err := splitTarget(tt.in, tt.defaultPort)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("splitTarget(%q) = %q %d %v, want an error containing %q", tt.in, host, port, err, tt.err)
			}
			continue
		}
		if err != nil || host != tt.host || port != tt.port {
			t.Errorf("splitTarget(%q) = %q %d %v, want %q %d", tt.in, host, port, err, tt.host, tt.port)
		}
	}
}
