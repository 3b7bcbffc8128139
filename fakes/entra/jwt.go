package entra

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// maxJWT bounds the tokens and assertions the fake decodes.
const maxJWT = 16 << 10

// strict refuses non-canonical base64url, so no two strings are one token.
var strict = base64.RawURLEncoding.Strict()

// jose is the JOSE header of a JWS.
type jose struct {
	Alg     string `json:"alg"`
	Typ     string `json:"typ"`
	Kid     string `json:"kid"`
	X5t     string `json:"x5t"`
	X5tS256 string `json:"x5t#S256"`
}

// jws is a compact JWS split into its parts; nothing is verified yet.
type jws struct {
	hdr     jose
	payload []byte
	signed  string // header.payload, the signing input
	sig     []byte
}

var errNotJWS = errors.New("not a compact JWS")

func parseJWS(tok string) (*jws, error) {
	if len(tok) > maxJWT || !compactAlphabet(tok) {
		return nil, errNotJWS
	}
	i := strings.IndexByte(tok, '.')
	j := strings.LastIndexByte(tok, '.')
	if i <= 0 || j == i || strings.Count(tok, ".") != 2 {
		return nil, errNotJWS
	}
	h, err := strict.DecodeString(tok[:i])
	if err != nil {
		return nil, errNotJWS
	}
	p, err := strict.DecodeString(tok[i+1 : j])
	if err != nil {
		return nil, errNotJWS
	}
	s, err := strict.DecodeString(tok[j+1:])
	if err != nil {
		return nil, errNotJWS
	}
	out := &jws{payload: p, signed: tok[:j], sig: s}
	if err := strictJSON(h, &out.hdr); err != nil {
		return nil, errNotJWS
	}
	return out, nil
}

// compactAlphabet reports whether s holds only base64url and dots: the
// decoder would skip line breaks, which would make two strings one token.
func compactAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// strictJSON decodes one JSON object and nothing after it.
func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}

// verify checks the signature by the header's algorithm; RS256 and PS256
// are the only algorithms Entra ID signs or accepts for client assertions.
func (j *jws) verify(pub *rsa.PublicKey) error {
	sum := sha256.Sum256([]byte(j.signed))
	switch j.hdr.Alg {
	case "RS256":
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], j.sig)
	case "PS256":
		return rsa.VerifyPSS(pub, crypto.SHA256, sum[:], j.sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256})
	}
	return errors.New("unsupported algorithm")
}

// numericDate is a JWT time: seconds since the epoch, as a number or, as
// older MSAL Go versions send it in assertions, a string of digits.
type numericDate int64

func (n *numericDate) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1<<53 || f < -(1<<53) {
		return errors.New("not a NumericDate")
	}
	*n = numericDate(f)
	return nil
}

// thumbprint decodes an x5t header: base64url as RFC 7515 says, though MSAL
// Go sends padded standard base64; either is accepted, as Entra ID does.
func thumbprint(s string) []byte {
	if s == "" {
		return nil
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}
