package guid

import (
	"encoding/binary"
	"math/rand/v2"
)

// Len is the length of a GUID's text.
const Len = 36

const hexDigits = "0123456789abcdef"

// dash reports whether a GUID's text holds a hyphen at i.
func dash(i int) bool { return i == 8 || i == 13 || i == 18 || i == 23 }

// Format prints b as a version-4 GUID, setting the version and variant
// bits, in lower case.
func Format(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	out := make([]byte, 0, Len)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexDigits[c>>4], hexDigits[c&15])
	}
	return string(out)
}

// New draws a version-4 GUID from r.
func New(r *rand.Rand) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], r.Uint64())
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	return Format(b)
}

// Nth is the n-th of a run of distinct ids that a reader can tell apart
// at a glance: n in the first and the last group, zeros between.
func Nth(n uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint32(b[:4], uint32(n))
	binary.BigEndian.PutUint64(b[8:], n&0xffffffffffff)
	return Format(b)
}

// Valid reports whether s has a GUID's form: 8-4-4-4-12 hex digits, in
// either case.
func Valid(s string) bool {
	if len(s) != Len {
		return false
	}
	for i := 0; i < Len; i++ {
		c := s[i]
		if dash(i) {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
