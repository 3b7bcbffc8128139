package conformance

import (
	"strings"
	"testing"
)

func TestParseFlag(t *testing.T) {
	cases := []struct {
		in, err string
		name    string
	}{
		{in: "cloudlink=./vendor --verbose", name: "cloudlink"},
		{in: "Nimbus = ./router", name: "nimbus"},
		{in: "cloudlink=cd /opt/vendor && ./connector", name: "cloudlink"},
		{in: "cloudlink", err: "want integration=command"},
		{in: "cloudlink=", err: "want integration=command"},
		{in: "skype=./x", err: "valid: cloudlink, nimbus"},
		{in: "cloudlink=http://127.0.0.1:8080/", name: "cloudlink"},
	}
	for _, c := range cases {
		got, err := ParseFlag(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseFlag(%q) error %v, want one saying %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("ParseFlag(%q): %v", c.in, err)
		case c.err == "" && strings.HasPrefix(c.in, "cloudlink=http") && got.URL != "http://127.0.0.1:8080":
			t.Errorf("ParseFlag(%q) = %+v", c.in, got)
		case c.err == "" && !strings.Contains(c.in, "http") && (got.Integration != c.name || len(got.Command) != 3 || got.Command[0] != "/bin/sh" || got.Name == ""):
			t.Errorf("ParseFlag(%q) = %+v", c.in, got)
		}
	}
}
