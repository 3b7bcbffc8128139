package guid

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", true},
		{"00000000-0000-0000-0000-000000000000", true}, // any version, as Graph reads them
		{"", false},
		{"0f8fad5b-d9cb-469f-a165-70867728950", false},
		{"0f8fad5b-d9cb-469f-a165-70867728950e0", false},
		{"0f8fad5bd9cb-469f-a165-70867728950e-", false},
		{"0f8fad5b-d9cb-469f-a165-70867728950g", false},
		{"{f8fad5b-d9cb-469f-a165-70867728950}", false},
		{"0f8fad5b_d9cb_469f_a165_70867728950e", false},
		{"alice@contoso.com", false},
	}
	for _, tc := range tests {
		if got := Valid(tc.in); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	var b [16]byte
	for i := range b {
		b[i] = 0xff
	}
	if got, want := Format(b), "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Errorf("Format(all ones) = %s, want %s (version 4, variant 10)", got, want)
	}
	if got, want := Format([16]byte{}), "00000000-0000-4000-8000-000000000000"; got != want {
		t.Errorf("Format(zero) = %s, want %s", got, want)
	}
}

// New draws the same ids from the same stream, each a version-4 GUID.
func TestNew(t *testing.T) {
	r1, r2 := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for range 1000 {
		a, b := New(r1), New(r2)
		if a != b {
			t.Fatalf("one stream drew %s and %s", a, b)
		}
		if !Valid(a) || a[14] != '4' || !strings.ContainsRune("89ab", rune(a[19])) || strings.ToLower(a) != a {
			t.Fatalf("%s is no lower-case version-4 GUID", a)
		}
		if seen[a] {
			t.Fatalf("%s drawn twice", a)
		}
		seen[a] = true
	}
	// the form the world's ids had before this package: ids stay as they were
	r := rand.New(rand.NewPCG(7, 9))
	a, b := r.Uint64(), r.Uint64()
	old := fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, (uint16(b>>48)&0x3fff)|0x8000, b&0xffffffffffff)
	if got := New(rand.New(rand.NewPCG(7, 9))); got != old {
		t.Errorf("New = %s, the ids of a seed were %s", got, old)
	}
}

func TestNth(t *testing.T) {
	for _, n := range []uint64{0, 1, 255, 99999} {
		if got, want := Nth(n), fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n); got != want {
			t.Errorf("Nth(%d) = %s, want %s", n, got, want)
		}
	}
}

// FuzzValid: every text gives an answer, and one that passes has a GUID's
// length and hyphens.
func FuzzValid(f *testing.F) {
	for _, s := range []string{"0f8fad5b-d9cb-469f-a165-70867728950e", "", "x", strings.Repeat("-", 36)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Valid(s) && (len(s) != Len || strings.Count(s, "-") != 4) {
			t.Fatalf("Valid(%q) with %d characters", s, len(s))
		}
	})
}
