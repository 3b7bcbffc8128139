package steps

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/fakes/graph/graphtest"
)

// identitySteps are the identity platform's steps. They make HTTP requests
// to login.microsoftonline.com through the in-process client of the Graph
// group, so the answers are the ones the Graph steps read ("the Entra ID
// response status is 200").
type identitySteps struct{ graphSteps }

func registerIdentity(sc *Scenario, r *registry) {
	s := identitySteps{graphSteps{sc}}
	r.step(`^a client GETs (\S+) from Entra ID$`, "a client GETs /{tenant}/v2.0/.well-known/openid-configuration from Entra ID", s.get)
	r.step(`^(?:a client|the Graph app "([^"]+)") POSTs (\S+) to Entra ID with:$`, `the Graph app "reader" POSTs /{tenant}/oauth2/v2.0/token to Entra ID with:`, s.post)
	r.step(`^the Graph app "([^"]+)" has a certificate registered$`, `the Graph app "reader" has a certificate registered`, s.addCertificate)
	r.step(`^the Graph app "([^"]+)" signs in with (its certificate|a certificate it has not registered)$`, `the Graph app "reader" signs in with its certificate`, s.certificateSignIn)
	r.step(`^the Graph app "([^"]+)" uses the access_token of the Entra ID response$`, `the Graph app "connector" uses the access_token of the Entra ID response`, s.useToken)
	r.step(`^the Entra ID response has the fields? (.+)$`, "the Entra ID response has the fields access_token, id_token and refresh_token", s.hasFields)
	r.step(`^the Entra ID response's (access_token|id_token|client_info)( header)? has the fields? (.+)$`, "the Entra ID response's id_token has the fields iat, nbf and exp", s.partHasFields)
	r.step(`^in the Entra ID response's (access_token|id_token|client_info)( header)?, "([^"]+)" is (.+)$`, `in the Entra ID response's id_token, "aud" is "{app}"`, s.partFieldIs)
	r.step(`^the Entra ID response's (access_token|id_token) is valid for (\d+) seconds from its iat$`, "the Entra ID response's access_token is valid for 3599 seconds from its iat", s.lifetime)
	r.step(`^every entry of "([^"]+)" in the Entra ID response has the fields? (.+)$`, `every entry of "keys" in the Entra ID response has the fields kty, kid, x5t and x5c`, s.everyHasFields)
	r.step(`^the Graph token of "([^"]+)" is signed by a key in the Entra ID response$`, `the Graph token of "reader" is signed by a key in the Entra ID response`, s.signedByKey)
}

func (s identitySteps) get(path string) error {
	c := s.client()
	p, err := c.Expand(path, "")
	if err != nil {
		return err
	}
	return c.Login(p, nil)
}

// post posts a form, one field a row (| grant_type | password |); a row
// with no value sends no field, so an outline's empty cell leaves it out.
// For a named app, client_id is its id unless the table gives one.
func (s identitySteps) post(app, path string, table *godog.Table) error {
	c := s.client()
	if app != "" {
		if _, err := c.App(app); err != nil {
			return err
		}
		c.LastApp = app
	}
	p, err := c.Expand(path, app)
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
		if v, err = c.Expand(v, app); err != nil {
			return err
		}
		form.Set(k, v)
	}
	if app != "" && form.Get("client_id") == "" {
		a, _ := c.App(app)
		form.Set("client_id", a.AppID)
	}
	return c.Login(p, form)
}

func (s identitySteps) addCertificate(app string) error {
	c := s.client()
	a, err := c.App(app)
	if err != nil {
		return err
	}
	k, err := graphtest.TestKey(0)
	if err != nil {
		return err
	}
	_, err = c.H.Identity().AddCertificate(a, k.Cert)
	return err
}

// certificateSignIn signs in with a client assertion of the registered
// certificate's key, or of a key the app never registered.
func (s identitySteps) certificateSignIn(app, which string) error {
	k, err := graphtest.TestKey(0)
	if which != "its certificate" {
		k, err = graphtest.TestKey(1)
	}
	if err != nil {
		return err
	}
	return s.client().SignInWithKey(app, k)
}

// answer is the last answer decoded as a JSON object.
func (s identitySteps) answer() (*graphtest.Response, map[string]any, error) {
	r, err := s.last()
	if err != nil {
		return nil, nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return r, nil, Check(r.Why, func(g gomegaG) { g.Expect(err).NotTo(gomegaHaveOccurred(), "the answer is a JSON object") })
	}
	return r, doc, nil
}

func (s identitySteps) useToken(app string) error {
	if _, err := s.client().App(app); err != nil {
		return err
	}
	r, doc, err := s.answer()
	if err != nil {
		return err
	}
	tok, _ := doc["access_token"].(string)
	if tok == "" {
		return fmt.Errorf("%s answered %d without an access_token:\n%s", r.What, r.Status, r.Body)
	}
	s.client().UseToken(app, tok)
	return nil
}

func (s identitySteps) hasFields(list string) error {
	r, doc, err := s.answer()
	if err != nil {
		return err
	}
	missing := graphtest.Missing(doc, splitNames(list))
	return Check(r.Why, func(g gomegaG) { g.Expect(missing).To(gomegaBeEmpty(), "fields the answer lacks") })
}

// part decodes a token of the answer: a JWT's claims or JOSE header, or
// client_info, which is base64url JSON.
func (s identitySteps) part(part, header string) (*graphtest.Response, []byte, error) {
	r, doc, err := s.answer()
	if err != nil {
		return nil, nil, err
	}
	raw, _ := doc[part].(string)
	if raw == "" {
		return r, nil, Check(r.Why, func(g gomegaG) { g.Expect(raw).NotTo(gomegaBeEmpty(), "the answer's "+part) })
	}
	seg := raw
	if part != "client_info" {
		segs := strings.Split(raw, ".")
		if len(segs) != 3 {
			return r, nil, Check(r.Why, func(g gomegaG) { g.Expect(len(segs)).To(equal(3), part+" is a JWT of three parts") })
		}
		seg = segs[1]
		if header != "" {
			seg = segs[0]
		}
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil || !json.Valid(b) {
		return r, nil, Check(r.Why, func(g gomegaG) { g.Expect(err).NotTo(gomegaHaveOccurred(), part+" is base64url JSON") })
	}
	return r, b, nil
}

func partWhy(r *graphtest.Response, part string, b []byte) func() string {
	return func() string { return fmt.Sprintf("%s answered %d; its %s decodes to %s", r.What, r.Status, part, b) }
}

func (s identitySteps) partHasFields(part, header, list string) error {
	r, b, err := s.part(part, header)
	if err != nil {
		return err
	}
	var doc any
	_ = json.Unmarshal(b, &doc)
	missing := graphtest.Missing(doc, splitNames(list))
	return Check(partWhy(r, part+header, b), func(g gomegaG) { g.Expect(missing).To(gomegaBeEmpty(), "fields the "+part+header+" lacks") })
}

func (s identitySteps) partFieldIs(part, header, field, want string) error {
	r, b, err := s.part(part, header)
	if err != nil {
		return err
	}
	return s.fieldCheck(b, partWhy(r, part+header, b), field, want)
}

// lifetime checks a token's times: exp the lifetime after iat, and nbf
// not after iat (G-ID-2).
func (s identitySteps) lifetime(part string, secs int) error {
	r, b, err := s.part(part, "")
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
	return Check(partWhy(r, part, b), func(g gomegaG) {
		g.Expect(errors.Join(derr, errI, errN, errE)).NotTo(gomegaHaveOccurred(), "iat, nbf and exp are NumericDates")
		g.Expect(exp-iat).To(equal(int64(secs)), "seconds from iat to exp")
		g.Expect(nbf).To(gomegaBeNumerically("<=", iat), "nbf is not after iat")
	})
}

func (s identitySteps) everyHasFields(list, fields string) error {
	r, doc, err := s.answer()
	if err != nil {
		return err
	}
	entries, _ := doc[list].([]any)
	want := splitNames(fields)
	var lacking []string
	for i, e := range entries {
		if m := graphtest.Missing(e, want); len(m) > 0 {
			lacking = append(lacking, fmt.Sprintf("%s[%d] lacks %s", list, i, strings.Join(m, ", ")))
		}
	}
	return Check(r.Why, func(g gomegaG) {
		g.Expect(entries).NotTo(gomegaBeEmpty(), fmt.Sprintf("the answer's %q", list))
		g.Expect(lacking).To(gomegaBeEmpty(), "entries without every field")
	})
}

// signedByKey checks the app's Graph token as a resource server does with
// the keys document of the last answer (G-ID-1, G-ID-2).
func (s identitySteps) signedByKey(app string) error {
	r, err := s.last()
	if err != nil {
		return err
	}
	var keys struct {
		Keys []graphtest.JWK `json:"keys"`
	}
	if err := json.Unmarshal(r.Body, &keys); err != nil || len(keys.Keys) == 0 {
		return fmt.Errorf("the last answer is no keys document: %s answered %d %s", r.What, r.Status, r.Body)
	}
	tok, err := s.client().Token(app)
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
	var k *graphtest.JWK
	for i := range keys.Keys {
		if keys.Keys[i].Kid == hdr.Kid {
			k = &keys.Keys[i]
		}
	}
	why := func() string { return fmt.Sprintf("the token's header %+v; %s answered %s", hdr, r.What, r.Body) }
	if k == nil {
		return Check(why, func(g gomegaG) {
			g.Expect(hdr.Kid).To(equal("the kid of a published key"), "the token's kid names a key of the document")
		})
	}
	problem := graphtest.CheckKey(k, segs)
	return Check(why, func(g gomegaG) {
		g.Expect(hdr.Alg).To(equal("RS256"), "the token's alg")
		g.Expect(problem).To(equal(""), "the published key "+k.Kid+" verifies the token")
	})
}
