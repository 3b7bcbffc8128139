package entra

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// oauthErr is an error of the identity platform: an OAuth error code, the
// AADSTS number and its description (G-ID-2).
type oauthErr struct {
	status   int
	code     string
	aadsts   int
	desc     string // without the "AADSTSnnnn: " prefix
	suberror string
}

func fail(status int, code string, aadsts int, desc string) *oauthErr {
	return &oauthErr{status: status, code: code, aadsts: aadsts, desc: desc}
}

// oauthBody is the error body Entra ID sends, field for field.
type oauthBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	ErrorCodes    []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
	SubError      string `json:"suberror,omitempty"`
}

// OAuthError is the decoded shape of an identity platform error, for
// clients and tests that read one.
type OAuthError = oauthBody

const timestampLayout = "2006-01-02 15:04:05Z"

func (e *oauthErr) reply(rc *reqCtx) reply {
	ts := rc.now.UTC().Format(timestampLayout)
	n := strconv.Itoa(e.aadsts)
	b, _ := json.Marshal(oauthBody{
		Error: e.code,
		// Entra ID appends the request's ids to every description.
		Description: "AADSTS" + n + ": " + e.desc + "\r\nTrace ID: " + rc.traceID + "\r\nCorrelation ID: " + rc.correlationID + "\r\nTimestamp: " + ts,
		ErrorCodes:  []int{e.aadsts}, Timestamp: ts, TraceID: rc.traceID, CorrelationID: rc.correlationID,
		ErrorURI: "https://" + LoginHost + "/error?code=" + n, SubError: e.suberror,
	})
	return reply{status: e.status, body: b}
}

func (e *oauthErr) write(w http.ResponseWriter, rc *reqCtx) { e.reply(rc).write(w, rc) }
