package reports

import (
	"bytes"
	"testing"
)

func TestPlainDropsEscapes(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"text", "4 scenarios (4 passed)\n", "4 scenarios (4 passed)\n"},
		{"colour", "\x1b[32m4 passed\x1b[0m", "4 passed"},
		{"bold red", "\x1b[1;31mfailed\x1b[0m.", "failed."},
		{"lone escape", "a\x1bb", "ab"},
		{"unicode", "Busy – In a call \x1b[33m✓\x1b[0m", "Busy – In a call ✓"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			n, err := Plain(&b).Write([]byte(tc.in))
			if err != nil || n != len(tc.in) || b.String() != tc.want {
				t.Fatalf("Plain(%q) wrote %q (n=%d, err=%v), want %q", tc.in, b.String(), n, err, tc.want)
			}
		})
	}
}

// A sequence split across writes is still dropped.
func TestPlainAcrossWrites(t *testing.T) {
	var b bytes.Buffer
	w := Plain(&b)
	for _, part := range []string{"ok \x1b", "[3", "2m", "green\x1b[0", "m!"} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if b.String() != "ok green!" {
		t.Fatalf("got %q, want %q", b.String(), "ok green!")
	}
}

// Whatever comes in, no escape goes out, and text without escapes passes
// unchanged.
func FuzzPlain(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[32mgreen\x1b[0m", "\x1b", "\x1b[", "a\x1b\x1bb", "\x1b[1;2;3;4;5;6m"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var b bytes.Buffer
		n, err := Plain(&b).Write(in)
		if err != nil || n != len(in) {
			t.Fatalf("n=%d err=%v", n, err)
		}
		if bytes.IndexByte(b.Bytes(), 0x1b) >= 0 {
			t.Fatalf("escape left in %q from %q", b.Bytes(), in)
		}
		if bytes.IndexByte(in, 0x1b) < 0 && !bytes.Equal(b.Bytes(), in) {
			t.Fatalf("text changed: %q -> %q", in, b.Bytes())
		}
		if b.Len() > len(in) {
			t.Fatalf("output longer than input")
		}
	})
}
