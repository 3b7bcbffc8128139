package graphtest

import (
	"fmt"
	"io"
	"net/http"
)

// MaxBody bounds the answer a Response keeps: far above any page or batch
// the fake writes.
const MaxBody = 64 << 20

// Response is an answer read in full.
type Response struct {
	What   string // "GET /v1.0/me/presence", for failure messages
	Status int
	Body   []byte
	Header http.Header
}

// ReadResponse reads and closes resp.
func ReadResponse(what string, resp *http.Response) (*Response, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBody {
		return nil, fmt.Errorf("%s: the answer is longer than %d bytes", what, MaxBody)
	}
	return &Response{What: what, Status: resp.StatusCode, Body: b, Header: resp.Header}, nil
}

// Why says what was asked and answered, for failure messages.
func (r *Response) Why() string { return fmt.Sprintf("%s answered %d:\n%s", r.What, r.Status, r.Body) }
