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
	b, _ := json.Marshal(oauthBody{Error: e.code, Description: describe(e, rc), ErrorCodes: []int{e.aadsts},
		Timestamp: rc.now.UTC().Format(timestampLayout), TraceID: rc.traceID, CorrelationID: rc.correlationID,
		ErrorURI: "https://" + LoginHost + "/error?code=" + strconv.Itoa(e.aadsts), SubError: e.suberror})
	return reply{status: e.status, body: b}
}

// describe is an error's description: Entra ID appends the request's ids
// and time to every one.
func describe(e *oauthErr, rc *reqCtx) string {
	return "AADSTS" + strconv.Itoa(e.aadsts) + ": " + e.desc + "\r\nTrace ID: " + rc.traceID + "\r\nCorrelation ID: " + rc.correlationID + "\r\nTimestamp: " + rc.now.UTC().Format(timestampLayout)
}

func (e *oauthErr) write(w http.ResponseWriter, rc *reqCtx) { e.reply(rc).write(w, rc) }
