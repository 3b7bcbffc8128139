package graph

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Error is a Graph error body (G-ERR-1).
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// retryAfter, when set, is sent as the Retry-After header (seconds).
	retryAfter int
}

func (e *Error) Error() string { return strconv.Itoa(e.Status) + " " + e.Code + ": " + e.Message }

func errf(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

func badRequest(msg string) *Error { return errf(http.StatusBadRequest, "BadRequest", msg) }

type errorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			Date            string `json:"date"`
			RequestID       string `json:"request-id"`
			ClientRequestID string `json:"client-request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

// ErrorBody is the decoded shape of a Graph error response, for clients and
// tests that read one.
type ErrorBody = errorBody

// writeError writes the Graph error JSON (G-ERR-1).
func writeError(w http.ResponseWriter, rc *reqCtx, e *Error) {
	var b errorBody
	b.Error.Code, b.Error.Message = e.Code, e.Message
	b.Error.InnerError.Date = rc.wall.Format("2006-01-02T15:04:05")
	b.Error.InnerError.RequestID = rc.requestID
	b.Error.InnerError.ClientRequestID = rc.clientRequestID
	out, _ := json.Marshal(b)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("request-id", rc.requestID)
	h.Set("client-request-id", rc.clientRequestID)
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(out)
}
