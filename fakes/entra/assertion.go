package entra

import (
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// audience is a JWT aud: one string or a list of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// assertionClaims are the claims of a client assertion (RFC 7523 §3).
type assertionClaims struct {
	Aud audience     `json:"aud"`
	Iss string       `json:"iss"`
	Sub string       `json:"sub"`
	Exp *numericDate `json:"exp"`
	Nbf *numericDate `json:"nbf"`
	Jti string       `json:"jti"`
}

// assertionIssuer reads an assertion's iss without trusting it, for a
// request that names its client only there.
func assertionIssuer(tok string) string {
	j, err := parseJWS(tok)
	if err != nil {
		return ""
	}
	var c assertionClaims
	if json.Unmarshal(j.payload, &c) != nil {
		return ""
	}
	return c.Iss
}

// checkAssertion authenticates the client by a JWT it signed with the key
// of a certificate registered for the app (G-ID-2): RS256 or PS256, the
// certificate named by x5t or x5t#S256, iss and sub the client id, aud the
// token endpoint, and within its lifetime.
func (c *grantCtx) checkAssertion() *oauthErr {
	f := c.q.f
	if f.get("client_assertion_type") != JWTBearer {
		return fail(http.StatusBadRequest, "invalid_request", 90014, "The required field 'client_assertion_type' is missing or is not '"+JWTBearer+"'.")
	}
	raw := f.get("client_assertion")
	if raw == "" {
		return fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_assertion'.")
	}
	bad := func(aadsts int, desc string) *oauthErr {
		return fail(http.StatusUnauthorized, "invalid_client", aadsts, desc)
	}
	j, err := parseJWS(raw)
	if err != nil {
		return bad(50027, "JWT token is invalid or malformed.")
	}
	if j.hdr.Alg != "RS256" && j.hdr.Alg != "PS256" {
		return bad(5002738, "Invalid JWT token. '"+truncate(j.hdr.Alg, 20)+"' is not a supported signature algorithm. Supported signing algorithms are: 'RS256,PS256'")
	}
	x5t, s256 := thumbprint(j.hdr.X5t), thumbprint(j.hdr.X5tS256)
	if len(x5t) == 0 && len(s256) == 0 {
		return bad(700027, "Client assertion failed signature validation. [Reason - The assertion's header names no certificate: it needs x5t or x5t#S256.]")
	}
	used := strings.ToUpper(hex.EncodeToString(x5t))
	if len(x5t) == 0 {
		used = strings.ToUpper(hex.EncodeToString(s256))
	}
	if len(used) > 128 {
		used = used[:128]
	}
	tail := ", Thumbprint of key used by client: '" + used + "', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '" + c.app.AppID + "'.]"
	k, ok := c.app.certificate(x5t, s256)
	if !ok {
		return bad(700027, "Client assertion contains an invalid signature. [Reason - The key was not found."+tail)
	}
	if c.now.Before(k.cert.NotBefore) || c.now.After(k.cert.NotAfter) {
		return bad(700027, "Client assertion contains an invalid signature. [Reason - The key used is expired."+tail)
	}
	if j.verify(k.cert.PublicKey.(*rsa.PublicKey)) != nil {
		return bad(700027, "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value."+tail)
	}
	var cl assertionClaims
	if strictJSON(j.payload, &cl) != nil {
		return bad(50027, "JWT token is invalid or malformed.")
	}
	if !strings.EqualFold(cl.Iss, c.app.AppID) || !strings.EqualFold(cl.Sub, c.app.AppID) {
		return bad(700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	want := c.q.base + "/" + c.t.ID + "/oauth2/v2.0/token"
	okAud := false
	for _, a := range cl.Aud {
		okAud = okAud || c.tokenEndpoint(a)
	}
	if !okAud {
		return bad(50013, "Assertion audience claim does not match the required value. The audience in the assertion was '"+truncate(strings.Join(cl.Aud, " "), 200)+"' and the expected audience is '"+want+"' or one of the Application Uris of this application with App ID '"+c.app.AppID+"'.")
	}
	now := c.now.Unix()
	skew := int64(clockSkew / time.Second)
	if cl.Exp == nil || now > int64(*cl.Exp)+skew || (cl.Nbf != nil && int64(*cl.Nbf) > now+skew) {
		return bad(700024, "Client assertion is not within its valid time range. Current time: "+c.now.UTC().Format("2006-01-02T15:04:05.0000000Z")+".")
	}
	return nil
}

// tokenEndpoint reports whether an assertion's audience names this
// tenant's token endpoint on the host the request reached (v2.0 or v1).
func (c *grantCtx) tokenEndpoint(aud string) bool {
	u, err := url.Parse(aud)
	if err != nil || !strings.EqualFold(u.Scheme+"://"+u.Host, c.q.base) {
		return false
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) < 3 {
		return false
	}
	rest := strings.ToLower(strings.Join(segs[1:], "/"))
	if rest != "oauth2/v2.0/token" && rest != "oauth2/token" {
		return false
	}
	t, ok := c.dir.FindTenant(segs[0])
	return ok && t.ID == c.t.ID
}
