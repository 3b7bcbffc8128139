package steps

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // x5t is a SHA-1 thumbprint by definition (RFC 7515 §4.1.7)
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
)

func init() { register("Microsoft Entra ID", 72, registerIdentity) }

// The identity platform's steps make HTTP requests to login.microsoftonline.com
// through the in-process client of the Graph group, so the answers are the
// ones the Graph steps read ("the Entra ID response status is 200").
func registerIdentity(s *Scenario, r *registry) {
	r.step(`^a client GETs (\S+) from Entra ID$`, "a client GETs /{tenant}/v2.0/.well-known/openid-configuration from Entra ID", s.idGet)
	r.step(`^(?:a client|the Graph app "([^"]+)") POSTs (\S+) to Entra ID with:$`, `the Graph app "reader" POSTs /{tenant}/oauth2/v2.0/token to Entra ID with:`, s.idPost)
	r.step(`^the Graph app "([^"]+)" has a certificate registered$`, `the Graph app "reader" has a certificate registered`, s.idAddCertificate)
	r.step(`^the Graph app "([^"]+)" signs in with (its certificate|a certificate it has not registered)$`, `the Graph app "reader" signs in with its certificate`, s.idCertificateSignIn)
	r.step(`^the Graph app "([^"]+)" uses the access_token of the Entra ID response$`, `the Graph app "connector" uses the access_token of the Entra ID response`, s.idUseToken)
	r.step(`^the Entra ID response has the fields? (.+)$`, "the Entra ID response has the fields access_token, id_token and refresh_token", s.idHasFields)
	r.step(`^the Entra ID response's (access_token|id_token|client_info)( header)? has the fields? (.+)$`, "the Entra ID response's id_token has the fields iat, nbf and exp", s.idPartHasFields)
	r.step(`^in the Entra ID response's (access_token|id_token|client_info)( header)?, "([^"]+)" is (.+)$`, `in the Entra ID response's id_token, "aud" is "{app}"`, s.idPartFieldIs)
	r.step(`^the Entra ID response's (access_token|id_token) is valid for (\d+) seconds from its iat$`, "the Entra ID response's access_token is valid for 3599 seconds from its iat", s.idLifetime)
	r.step(`^every entry of "([^"]+)" in the Entra ID response has the fields? (.+)$`, `every entry of "keys" in the Entra ID response has the fields kty, kid, x5t and x5c`, s.idEveryHasFields)
	r.step(`^the Graph token of "([^"]+)" is signed by a key in the Entra ID response$`, `the Graph token of "reader" is signed by a key in the Entra ID response`, s.idSignedByKey)
}

const loginBase = "https://login.microsoftonline.com"

func (s *Scenario) idGet(path string) error {
	st := s.graph()
	p, err := s.gExpand(path, "")
	if err != nil {
		return err
	}
	resp, err := st.client.Get(loginBase + p)
	if err != nil {
		return err
	}
	r, err := gReadResp("GET "+p, resp)
	if err == nil {
		st.last = r
	}
	return err
}

// idPost posts a form, one field a row (| grant_type | password |); a row
// with no value sends no field, so an outline's empty cell leaves it out.
// For a named app, client_id is its id unless the table gives one.
func (s *Scenario) idPost(app, path string, table *godog.Table) error {
	st := s.graph()
	if app != "" {
		if _, err := s.gApp(app); err != nil {
			return err
		}
		st.lastApp = app
	}
	p, err := s.gExpand(path, app)
	if err != nil {
		return err
	}
	form := url.Values{}
	for _, row := range table.Rows {
		if len(row.Cells) != 2 {
			return fmt.Errorf("a form row has a field and a value, | grant_type | password |; this one has %d cells", len(row.Cells))
		}
		k, v := strings.TrimSpace(row.Cells[0].Value), strings.TrimSpace(row.Cells[1].Value)
		if v == "" {
			continue
		}
		if v, err = s.gExpand(v, app); err != nil {
			return err
		}
		form.Set(k, v)
	}
	if app != "" && form.Get("client_id") == "" {
		a, _ := s.gApp(app)
		form.Set("client_id", a.AppID)
	}
	return s.idPostForm(p, form)
}

func (s *Scenario) idPostForm(path string, form url.Values) error {
	st := s.graph()
	resp, err := st.client.PostForm(loginBase+path, form)
	if err != nil {
		return err
	}
	r, err := gReadResp("POST "+path+" ("+form.Get("grant_type")+")", resp)
	if err == nil {
		st.last = r
	}
	return err
}

// stepKey is an RSA key with a self-signed certificate, made once per
// process: the steps' own key, for client assertions and for tokens the
// identity platform did not sign. The certificate is valid from 2000 to
// 2100, whatever the world's clock says.
func stepKey(i int) (*testKey, error) {
	k := &stepKeys[i]
	k.once.Do(func() { k.key, k.err = newTestKey(fmt.Sprintf("presencesim step key %d", i)) })
	return k.key, k.err
}

var stepKeys [2]struct {
	once sync.Once
	key  *testKey
	err  error
}

type testKey struct {
	priv *rsa.PrivateKey
	cert []byte // DER
	x5t  string // base64url SHA-1 of the certificate
}

func newTestKey(name string) (*testKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(der)
	return &testKey{priv: priv, cert: der, x5t: base64.RawURLEncoding.EncodeToString(sum[:])}, nil
}

// signJWT appends an RS256 signature to header.payload.
func (k *testKey) signJWT(signed string) (string, error) {
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func jwtPart(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Scenario) idAddCertificate(app string) error {
	a, err := s.gApp(app)
	if err != nil {
		return err
	}
	k, err := stepKey(0)
	if err != nil {
		return err
	}
	_, err = s.graph().h.Identity().AddCertificate(a, k.cert)
	return err
}

// idCertificateSignIn is the client_credentials grant authenticated by a
// client assertion, as MSAL builds it: RS256, x5t of the certificate, iss
// and sub the client id, aud the token endpoint, valid for 10 minutes on
// the token clock.
func (s *Scenario) idCertificateSignIn(app, which string) error {
	st := s.graph()
	a, err := s.gApp(app)
	if err != nil {
		return err
	}
	st.lastApp = app
	k, err := stepKey(0)
	if which != "its certificate" {
		k, err = stepKey(1)
	}
	if err != nil {
		return err
	}
	path := "/" + st.h.Identity().Tenant("").ID + "/oauth2/v2.0/token"
	now := st.h.Entra().Now().Unix()
	var jti [8]byte
	_, _ = rand.Read(jti[:])
	assertion, err := k.signJWT(jwtPart(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": k.x5t}) + "." +
		jwtPart(map[string]any{"aud": loginBase + path, "iss": a.AppID, "sub": a.AppID, "jti": fmt.Sprintf("%x", jti), "nbf": now, "exp": now + 600}))
	if err != nil {
		return err
	}
	return s.idPostForm(path, url.Values{"grant_type": {"client_credentials"}, "client_id": {a.AppID},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion},
		"scope": {"https://graph.microsoft.com/.default"}})
}

// idAnswer is the last answer decoded as a JSON object.
func (s *Scenario) idAnswer() (*gResp, map[string]any, error) {
	r, err := s.gLast()
	if err != nil {
		return nil, nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		return r, nil, Check(s.gWhy(r), func(g gomegaG) { g.Expect(err).NotTo(gomegaHaveOccurred(), "the answer is a JSON object") })
	}
	return r, doc, nil
}

func (s *Scenario) idUseToken(app string) error {
	st := s.graph()
	if _, err := s.gApp(app); err != nil {
		return err
	}
	r, doc, err := s.idAnswer()
	if err != nil {
		return err
	}
	tok, _ := doc["access_token"].(string)
	if tok == "" {
		return fmt.Errorf("%s answered %d without an access_token:\n%s", r.what, r.status, r.body)
	}
	st.tokens[app+"|"+st.acting[app]] = tok
	return nil
}

// idMissing lists the fields (paths such as "keys[0].kid") doc lacks.
func idMissing(doc any, fields []string) []string {
	var out []string
	for _, f := range fields {
		if _, ok := gLookupJSON(doc, f); !ok {
			out = append(out, f)
		}
	}
	return out
}

func (s *Scenario) idHasFields(list string) error {
	r, doc, err := s.idAnswer()
	if err != nil {
		return err
	}
	missing := idMissing(doc, splitNames(list))
	return Check(s.gWhy(r), func(g gomegaG) { g.Expect(missing).To(gomegaBeEmpty(), "fields the answer lacks") })
}

// idPart decodes a token of the answer: a JWT's claims or JOSE header, or
// client_info, which is base64url JSON.
func (s *Scenario) idPart(part, header string) (*gResp, []byte, error) {
	r, doc, err := s.idAnswer()
	if err != nil {
		return nil, nil, err
	}
	raw, _ := doc[part].(string)
	if raw == "" {
		return r, nil, Check(s.gWhy(r), func(g gomegaG) { g.Expect(raw).NotTo(gomegaBeEmpty(), "the answer's "+part) })
	}
	seg := raw
	if part != "client_info" {
		segs := strings.Split(raw, ".")
		if len(segs) != 3 {
			return r, nil, Check(s.gWhy(r), func(g gomegaG) { g.Expect(len(segs)).To(equal(3), part+" is a JWT of three parts") })
		}
		seg = segs[1]
		if header != "" {
			seg = segs[0]
		}
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil || !json.Valid(b) {
		return r, nil, Check(s.gWhy(r), func(g gomegaG) { g.Expect(err).NotTo(gomegaHaveOccurred(), part+" is base64url JSON") })
	}
	return r, b, nil
}

func (s *Scenario) idPartWhy(r *gResp, part string, b []byte) func() string {
	return func() string { return fmt.Sprintf("%s answered %d; its %s decodes to %s", r.what, r.status, part, b) }
}

func (s *Scenario) idPartHasFields(part, header, list string) error {
	r, b, err := s.idPart(part, header)
	if err != nil {
		return err
	}
	var doc any
	_ = json.Unmarshal(b, &doc)
	missing := idMissing(doc, splitNames(list))
	return Check(s.idPartWhy(r, part+header, b), func(g gomegaG) { g.Expect(missing).To(gomegaBeEmpty(), "fields the "+part+header+" lacks") })
}

func (s *Scenario) idPartFieldIs(part, header, field, want string) error {
	r, b, err := s.idPart(part, header)
	if err != nil {
		return err
	}
	return s.gFieldCheck(b, s.idPartWhy(r, part+header, b), field, want)
}

// idLifetime checks a token's times: exp the lifetime after iat, and nbf
// not after iat (G-ID-2).
func (s *Scenario) idLifetime(part string, secs int) error {
	r, b, err := s.idPart(part, "")
	if err != nil {
		return err
	}
	var claims struct{ Iat, Nbf, Exp json.Number }
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	derr := d.Decode(&claims)
	iat, errI := claims.Iat.Int64()
	nbf, errN := claims.Nbf.Int64()
	exp, errE := claims.Exp.Int64()
	return Check(s.idPartWhy(r, part, b), func(g gomegaG) {
		g.Expect(errors.Join(derr, errI, errN, errE)).NotTo(gomegaHaveOccurred(), "iat, nbf and exp are NumericDates")
		g.Expect(exp-iat).To(equal(int64(secs)), "seconds from iat to exp")
		g.Expect(nbf).To(gomegaBeNumerically("<=", iat), "nbf is not after iat")
	})
}

func (s *Scenario) idEveryHasFields(list, fields string) error {
	r, doc, err := s.idAnswer()
	if err != nil {
		return err
	}
	entries, _ := doc[list].([]any)
	want := splitNames(fields)
	var lacking []string
	for i, e := range entries {
		if m := idMissing(e, want); len(m) > 0 {
			lacking = append(lacking, fmt.Sprintf("%s[%d] lacks %s", list, i, strings.Join(m, ", ")))
		}
	}
	return Check(s.gWhy(r), func(g gomegaG) {
		g.Expect(entries).NotTo(gomegaBeEmpty(), fmt.Sprintf("the answer's %q", list))
		g.Expect(lacking).To(gomegaBeEmpty(), "entries without every field")
	})
}

// jwk is a published key as the keys document writes it.
type jwk struct {
	Kty string   `json:"kty"`
	Kid string   `json:"kid"`
	X5t string   `json:"x5t"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c"`
}

// idSignedByKey checks the app's Graph token as a resource server does
// with the keys document of the last answer: the key its kid names is an
// RSA key whose x5t is the thumbprint of its x5c certificate, whose
// certificate holds the same key, and with which the RS256 signature
// verifies (G-ID-1, G-ID-2).
func (s *Scenario) idSignedByKey(app string) error {
	r, err := s.gLast()
	if err != nil {
		return err
	}
	var keys struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(r.body, &keys); err != nil || len(keys.Keys) == 0 {
		return fmt.Errorf("the last answer is no keys document: %s answered %d %s", r.what, r.status, r.body)
	}
	tok, err := s.gToken(app)
	if err != nil {
		return err
	}
	segs := strings.Split(tok, ".")
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if len(segs) == 3 {
		if b, err := base64.RawURLEncoding.DecodeString(segs[0]); err == nil {
			_ = json.Unmarshal(b, &hdr)
		}
	}
	var k *jwk
	for i := range keys.Keys {
		if keys.Keys[i].Kid == hdr.Kid {
			k = &keys.Keys[i]
		}
	}
	why := func() string { return fmt.Sprintf("the token's header %+v; %s answered %s", hdr, r.what, r.body) }
	if k == nil {
		return Check(why, func(g gomegaG) {
			g.Expect(hdr.Kid).To(equal("the kid of a published key"), "the token's kid names a key of the document")
		})
	}
	problem := idCheckKey(k, segs)
	return Check(why, func(g gomegaG) {
		g.Expect(hdr.Alg).To(equal("RS256"), "the token's alg")
		g.Expect(problem).To(equal(""), "the published key "+k.Kid+" verifies the token")
	})
}

// idCheckKey says what is wrong with a published key for the token, or "".
func idCheckKey(k *jwk, segs []string) string {
	if k.Kty != "RSA" {
		return "kty is " + k.Kty + ", not RSA"
	}
	if len(k.X5c) == 0 {
		return "the key has no x5c"
	}
	der, err := base64.StdEncoding.DecodeString(k.X5c[0])
	if err != nil {
		return "x5c[0] is not base64: " + err.Error()
	}
	sum := sha1.Sum(der)
	if t := base64.RawURLEncoding.EncodeToString(sum[:]); k.X5t != t {
		return "x5t " + k.X5t + " is not the SHA-1 thumbprint of x5c[0], " + t
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "x5c[0] is no certificate: " + err.Error()
	}
	n, errN := base64.RawURLEncoding.DecodeString(k.N)
	e, errE := base64.RawURLEncoding.DecodeString(k.E)
	if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
		return "n or e is not base64url"
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if cp, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !cp.Equal(pub) {
		return "the certificate in x5c holds another key than n and e"
	}
	sig, err := base64.RawURLEncoding.DecodeString(segs[2])
	if err != nil {
		return "the token's signature is not base64url"
	}
	h := sha256.Sum256([]byte(segs[0] + "." + segs[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return "the signature does not verify: " + err.Error()
	}
	return ""
}
