package connector

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables the harness passes to a connector under test.
const (
	EnvIntegration  = "PRESENCESIM_INTEGRATION"   // cloudlink
	EnvGraphURL     = "PRESENCESIM_GRAPH_URL"     // Graph service root, ends in /v1.0
	EnvLoginURL     = "PRESENCESIM_LOGIN_URL"     // authority host: {login}/{tenant}/v2.0/.well-known/openid-configuration names the token endpoint
	EnvTenantID     = "PRESENCESIM_TENANT_ID"     // directory (tenant) id
	EnvClientID     = "PRESENCESIM_CLIENT_ID"     // the connector's app id
	EnvClientSecret = "PRESENCESIM_CLIENT_SECRET" // its client secret
	EnvPBXURL       = "PRESENCESIM_PBX_URL"       // PBX API root, ends in /pbx
	EnvTimeScale    = "PRESENCESIM_TIME_SCALE"    // virtual seconds per real second
	EnvSIPAddr      = "PRESENCESIM_SIP_ADDR"      // the PBX over SIP: host:port, UDP and TCP
	EnvGraphLimit   = "PRESENCESIM_GRAPH_LIMIT"   // Graph's presence requests per 30 s per app and tenant (G-THR-1), 1500 unless scaled down
	// A PBX connector registers and subscribes over SIP as this extension.
	EnvSIPUser     = "PRESENCESIM_SIP_USER"     // the extension it authenticates as
	EnvSIPPassword = "PRESENCESIM_SIP_PASSWORD" // its SIP password (digest)
	// Readers sign in as a presence account (delegated Presence.Read.All)
	// and report what they believe to the harness.
	EnvUsername  = "PRESENCESIM_USERNAME"   // the presence account's UPN
	EnvPassword  = "PRESENCESIM_PASSWORD"   // its password
	EnvReportURL = "PRESENCESIM_REPORT_URL" // POST {id, availability, activity, sequenceNumber}
	// The fakes serve HTTPS with a CA made for the run; a connector trusts
	// it by this file, or by the usual variables of its language, which
	// the harness sets too (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS,
	// REQUESTS_CA_BUNDLE).
	EnvCAFile        = "PRESENCESIM_CA_FILE"        // the CA certificate, PEM
	EnvAuthorityHost = "PRESENCESIM_AUTHORITY_HOST" // the identity platform's authority host, as azidentity's AZURE_AUTHORITY_HOST
)

// EnvNames lists the variables in the order the vendor guide gives them.
var EnvNames = []string{EnvIntegration, EnvGraphURL, EnvLoginURL, EnvTenantID, EnvClientID, EnvClientSecret, EnvPBXURL, EnvTimeScale, EnvUsername, EnvPassword, EnvReportURL, EnvCAFile, EnvAuthorityHost, EnvSIPAddr, EnvSIPUser, EnvSIPPassword, EnvXPhoneURL, EnvGraphLimit}

// TrustVars are the variables through which Go, OpenSSL, Node.js and
// Python clients trust an extra CA; the harness points each at the CA file.
var TrustVars = []string{"SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE"}

// Env is what a connector is told about the fakes.
type Env struct {
	Integration  string
	GraphURL     string
	LoginURL     string
	TenantID     string
	ClientID     string
	ClientSecret string
	PBXURL       string
	// TimeScale is how many virtual seconds pass per real second (1 when
	// the world runs in real time).
	TimeScale float64
	// Username and Password are a reader's presence account; ReportURL is
	// where a reader reports each presence it comes to believe.
	Username, Password, ReportURL string
	// CAFile is the CA to trust when the fakes serve HTTPS.
	CAFile string
	// SIPAddr is where the PBX speaks SIP (host:port, UDP and TCP);
	// SIPUser and SIPPassword the extension a PBX connector authenticates
	// as there.
	SIPAddr, SIPUser, SIPPassword string
	// XPhoneURL is the XPhone Connect server's API root.
	XPhoneURL string
	// GraphLimit is Graph's limit of presence requests per 30 s of
	// virtual time per app and tenant (GraphLimit when 0), which a
	// connector keeps its requests under.
	GraphLimit int
}

// GraphLimit is Graph's documented presence limit per 30 s per app and
// tenant (G-THR-1).
const GraphLimit = 1500

// limit is the Graph limit in force.
func (e Env) limit() int {
	if e.GraphLimit > 0 {
		return e.GraphLimit
	}
	return GraphLimit
}

// Vars returns the environment as NAME=value pairs.
func (e Env) Vars() []string {
	out := []string{
		EnvIntegration + "=" + e.Integration,
		EnvGraphURL + "=" + e.GraphURL,
		EnvLoginURL + "=" + e.LoginURL,
		EnvTenantID + "=" + e.TenantID,
		EnvClientID + "=" + e.ClientID,
		EnvClientSecret + "=" + e.ClientSecret,
		EnvPBXURL + "=" + e.PBXURL,
		EnvTimeScale + "=" + strconv.FormatFloat(e.TimeScale, 'g', -1, 64),
		EnvUsername + "=" + e.Username,
		EnvPassword + "=" + e.Password,
		EnvReportURL + "=" + e.ReportURL,
		EnvCAFile + "=" + e.CAFile,
		EnvAuthorityHost + "=" + e.LoginURL,
		EnvSIPAddr + "=" + e.SIPAddr,
		EnvSIPUser + "=" + e.SIPUser,
		EnvSIPPassword + "=" + e.SIPPassword,
		EnvXPhoneURL + "=" + e.XPhoneURL,
		EnvGraphLimit + "=" + strconv.Itoa(e.limit()),
	}
	if e.CAFile != "" {
		for _, v := range TrustVars {
			out = append(out, v+"="+e.CAFile)
		}
	}
	return out
}

// HTTPClient is a client that trusts the CA file when one is given. Its
// transport keeps a kept-alive HTTP/1.1 connection for each request the
// connector has in flight (up to MaxConnsKept): Go's default keeps two, so
// sixteen writers would shake hands anew for most requests, and HTTP/2
// would put them all on one connection, whose frames pass one goroutine
// on each side, so that on a busy machine every answer waits its turn
// there (C-12).
func (e Env) HTTPClient(timeout time.Duration) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ForceAttemptHTTP2 = false
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // HTTP/1.1 only
	tr.MaxIdleConns = MaxConnsKept
	tr.MaxIdleConnsPerHost = MaxConnsKept
	c := &http.Client{Timeout: timeout, Transport: tr}
	if e.CAFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(e.CAFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvCAFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s=%s holds no PEM certificate", EnvCAFile, e.CAFile)
	}
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return c, nil
}

// MaxConnsKept is how many idle connections a connector's client keeps:
// more than its writers have in flight at once.
const MaxConnsKept = 4 * writers

// ReadEnv reads the variables through get (os.Getenv) and says which are
// missing or malformed.
func ReadEnv(get func(string) string) (Env, error) {
	e := Env{
		Integration: get(EnvIntegration), GraphURL: strings.TrimRight(get(EnvGraphURL), "/"),
		LoginURL: strings.TrimRight(get(EnvLoginURL), "/"), TenantID: get(EnvTenantID),
		ClientID: get(EnvClientID), ClientSecret: get(EnvClientSecret), PBXURL: strings.TrimRight(get(EnvPBXURL), "/"),
		TimeScale: 1, Username: get(EnvUsername), Password: get(EnvPassword), ReportURL: get(EnvReportURL),
		CAFile: get(EnvCAFile), SIPAddr: get(EnvSIPAddr), SIPUser: get(EnvSIPUser), SIPPassword: get(EnvSIPPassword),
		XPhoneURL: strings.TrimRight(get(EnvXPhoneURL), "/"),
	}
	var missing []string
	for _, kv := range [][2]string{{EnvGraphURL, e.GraphURL}, {EnvLoginURL, e.LoginURL}, {EnvTenantID, e.TenantID},
		{EnvClientID, e.ClientID}, {EnvClientSecret, e.ClientSecret}, {EnvPBXURL, e.PBXURL}} {
		if kv[1] == "" {
			missing = append(missing, kv[0])
		}
	}
	if len(missing) > 0 {
		return e, fmt.Errorf("missing environment: %s (presencesim run --connector sets them; see the vendor guide)", strings.Join(missing, ", "))
	}
	if s := get(EnvTimeScale); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f > 100000 {
			return e, fmt.Errorf("%s=%q: want a positive number of virtual seconds per real second, e.g. 1 or 120", EnvTimeScale, s)
		}
		e.TimeScale = f
	}
	if s := get(EnvGraphLimit); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return e, fmt.Errorf("%s=%q: want Graph's limit as a positive number of requests per 30 s, e.g. 1500", EnvGraphLimit, s)
		}
		e.GraphLimit = n
	}
	return e, nil
}

// Real converts a virtual duration into the real wait at the time scale.
func (e Env) Real(d time.Duration) time.Duration {
	if e.TimeScale <= 0 {
		return d
	}
	return time.Duration(float64(d) / e.TimeScale)
}
