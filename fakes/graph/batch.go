package graph

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/presencesim/presencesim/sim"
)

// MaxBatchRequests is JSON batching's limit (G-BATCH-1).
const MaxBatchRequests = 20

// Bounds of one request in a batch: its id is echoed and compared, its
// headers copied, its dependencies sorted; an answer longer than
// maxBatchAnswer is replaced by an error (no answer of the fake comes
// near it).
const (
	maxBatchID      = 64
	maxBatchHeaders = 64
	maxBatchAnswer  = 4 << 20
)

// batchMethods are the methods a batched request may use.
var batchMethods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete}

// batchRequest is one request of a $batch body.
type batchRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`

	u *url.URL // the URL under /v1.0, parsed when checked
}

// batch serves POST /v1.0/$batch (G-BATCH-1). The envelope is checked as
// a whole (400 for a malformed or nested one); each request then runs
// through ServeHTTP as if it had been sent alone with the batch's token:
// authorised, throttled, faulted and journalled on its own. The batch
// itself is journalled but neither throttled nor faulted, as Graph counts
// the requests inside it.
func (h *Handler) batch(w http.ResponseWriter, r *http.Request, rc *reqCtx, body []byte) int {
	var refused *Error
	_ = h.lw.Do(func(*sim.World) error {
		h.stamp(rc)
		if a := h.appByID(rc.claims.AppID); a != nil {
			rc.app = a.DisplayName
		}
		if rc.claims.Delegated() {
			if u, ok := h.lookup(rc.claims.Tid, rc.claims.Oid); ok {
				rc.user = h.w.Teams.Dir(u).Name
			}
		}
		refused = h.checkLifetime(rc.claims, rc)
		return nil
	})
	if refused != nil {
		return h.fail(w, rc, refused)
	}
	reqs, order, e := parseBatch(body)
	if e != nil {
		return h.fail(w, rc, e)
	}
	statuses := make(map[string]int, len(reqs))
	out := make([]byte, 0, 512*len(reqs))
	out = append(out, `{"responses":[`...)
	rec := &batchRecorder{h: make(http.Header, 4)}
	in := &innerState{req: r.WithContext(r.Context()), hd: make(http.Header, 4), body: &bodyReader{}}
	for n, i := range order {
		br := &reqs[i]
		if n > 0 {
			out = append(out, ',')
		}
		if dep := failedDependency(br, statuses); dep != "" {
			statuses[br.ID] = http.StatusFailedDependency
			out = appendBatchError(out, br.ID, http.StatusFailedDependency, "FailedDependency", "The request '"+dep+"' this request depends on failed. (G-BATCH-1)")
			continue
		}
		inner := in.request(r, br)
		rec.reset()
		h.ServeHTTP(rec, inner)
		out = rec.appendResponse(out, br.ID)
		statuses[br.ID] = rec.status
	}
	out = append(out, "]}"...)
	hd := w.Header()
	hd["Content-Type"] = []string{"application/json"}
	hd["Request-Id"] = []string{rc.requestID}
	hd["Client-Request-Id"] = []string{rc.clientRequestID}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
	return http.StatusOK
}

func batchError(msg string) *Error { return badRequest(msg + " (G-BATCH-1)") }

// parseBatch checks the envelope: 1 to 20 requests, each with a unique id,
// a method, a relative URL and a Content-Type for its body, dependencies
// on requests of the same batch without a cycle. order runs every request
// after those it depends on, otherwise in the order given.
func parseBatch(body []byte) ([]batchRequest, []int, *Error) {
	var env struct {
		Requests *[]batchRequest `json:"requests"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, nil, batchError("The batch body must be a JSON object {\"requests\": [...]}.")
	}
	if e := decode(trimmed, &env); e != nil {
		return nil, nil, e
	}
	if env.Requests == nil || len(*env.Requests) == 0 {
		return nil, nil, batchError("The batch body must carry \"requests\": 1 to 20 requests.")
	}
	reqs := *env.Requests
	if len(reqs) > MaxBatchRequests {
		return nil, nil, batchError("Number of batch requests " + strconv.Itoa(len(reqs)) + " exceeds the limit of 20.")
	}
	index := make(map[string]int, len(reqs))
	for i := range reqs {
		br := &reqs[i]
		if br.ID == "" || len(br.ID) > maxBatchID {
			return nil, nil, batchError("Request " + strconv.Itoa(i+1) + ": \"id\" must be a string of 1 to 64 characters.")
		}
		if _, dup := index[br.ID]; dup {
			return nil, nil, batchError("Request id '" + clip(br.ID) + "' is used more than once; ids must be unique within a batch.")
		}
		index[br.ID] = i
		if e := checkBatchRequest(br); e != nil {
			return nil, nil, e
		}
	}
	order, e := batchOrder(reqs, index)
	return reqs, order, e
}

func checkBatchRequest(br *batchRequest) *Error {
	at := "Request '" + clip(br.ID) + "': "
	m := strings.ToUpper(br.Method)
	ok := false
	for _, bm := range batchMethods {
		ok = ok || bm == m
	}
	if !ok {
		return batchError(at + "\"method\" must be one of GET, POST, PATCH, PUT, DELETE; got '" + clip(br.Method) + "'.")
	}
	br.Method = m
	u := br.URL
	switch {
	case u == "":
		return batchError(at + "\"url\" is required.")
	case strings.Contains(u, "://") || strings.HasPrefix(u, "//"):
		return batchError(at + "\"url\" must be relative to the version, e.g. \"/users/{id}/presence\"; got '" + clip(u) + "'.")
	case len(u) > 8<<10:
		return batchError(at + "\"url\" is longer than 8 KiB.")
	}
	p := strings.TrimPrefix(u, "/")
	if q := strings.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	if seg, _, _ := strings.Cut(p, "/"); seg == "$batch" {
		return batchError(at + "a batch cannot hold another $batch request.")
	}
	pu, err := url.ParseRequestURI("/v1.0/" + strings.TrimPrefix(u, "/"))
	if err != nil {
		return batchError(at + "\"url\" is not a valid URL: " + clip(err.Error()))
	}
	br.u = pu
	hasBody := len(br.Body) > 0 && string(br.Body) != "null"
	if !hasBody {
		br.Body = nil
	}
	if hasBody && contentType(br.Headers) == "" {
		return batchError(at + "a request with a body must name its Content-Type in \"headers\".")
	}
	if len(br.Headers) > maxBatchHeaders {
		return batchError(at + "more than " + strconv.Itoa(maxBatchHeaders) + " headers.")
	}
	if len(br.DependsOn) >= MaxBatchRequests {
		return batchError(at + "\"dependsOn\" names more requests than a batch holds besides it.")
	}
	for _, d := range br.DependsOn {
		if d == br.ID {
			return batchError(at + "a request cannot depend on itself.")
		}
	}
	return nil
}

func contentType(hs map[string]string) string {
	for k, v := range hs {
		if strings.EqualFold(k, "Content-Type") {
			return v
		}
	}
	return ""
}

// batchOrder sorts the requests so that each runs after those it depends
// on (Kahn's algorithm, stable on the given order); a cycle or an unknown
// id is a 400.
func batchOrder(reqs []batchRequest, index map[string]int) ([]int, *Error) {
	done := make([]bool, len(reqs))
	order := make([]int, 0, len(reqs))
	for i := range reqs {
		for _, d := range reqs[i].DependsOn {
			if _, ok := index[d]; !ok {
				return nil, batchError("Request '" + clip(reqs[i].ID) + "' depends on '" + clip(d) + "', which is not in the batch.")
			}
		}
	}
	for len(order) < len(reqs) {
		progressed := false
		for i := range reqs {
			if done[i] {
				continue
			}
			ready := true
			for _, d := range reqs[i].DependsOn {
				ready = ready && done[index[d]]
			}
			if ready {
				done[i], progressed = true, true
				order = append(order, i)
			}
		}
		if !progressed {
			return nil, batchError("The requests' dependsOn form a cycle.")
		}
	}
	return order, nil
}

// failedDependency names the first dependency that did not succeed.
func failedDependency(br *batchRequest, statuses map[string]int) string {
	for _, d := range br.DependsOn {
		if st := statuses[d]; st < 200 || st > 299 {
			return d
		}
	}
	return ""
}

// innerRequest is the batched request as if sent alone: the batch's
// host, TLS state, token and context, the request's own headers, URL and
// body. A JSON body is passed as it is; a string body of another content
// type is base64, as Graph's batch format writes it.
//
// The handler keeps nothing of a request after ServeHTTP returns, so one
// request value, header map and body reader serve every request of a
// batch in turn.
func (in *innerState) request(outer *http.Request, br *batchRequest) *http.Request {
	req, hd := in.req, in.hd
	clear(hd)
	for k, v := range br.Headers {
		hd[http.CanonicalHeaderKey(k)] = []string{v}
	}
	hd["Authorization"] = outer.Header["Authorization"]
	body := []byte(br.Body)
	if len(body) > 0 && body[0] == '"' && !strings.Contains(strings.ToLower(contentType(br.Headers)), "json") {
		var s string
		if json.Unmarshal(body, &s) == nil {
			if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
				body = dec
			}
		}
	}
	in.body.Reset(body)
	req.Method, req.URL, req.Header, req.RequestURI = br.Method, br.u, hd, ""
	req.Body, req.ContentLength, req.GetBody = in.body, int64(len(body)), nil
	req.Form, req.PostForm, req.MultipartForm, req.Trailer, req.TransferEncoding = nil, nil, nil, nil, nil
	return req
}

// innerState is what the requests of a batch are written into.
type innerState struct {
	req  *http.Request
	hd   http.Header
	body *bodyReader
}

// bodyReader is a request body over bytes, closed by doing nothing.
type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

// batchRecorder takes one inner answer: status, the headers a batch
// response carries, and the body.
type batchRecorder struct {
	h        http.Header
	status   int
	body     bytes.Buffer
	overflow bool
}

func (b *batchRecorder) reset() {
	clear(b.h)
	b.status, b.overflow = 0, false
	b.body.Reset()
}

func (b *batchRecorder) Header() http.Header { return b.h }

func (b *batchRecorder) WriteHeader(st int) {
	if b.status == 0 {
		b.status = st
	}
}

func (b *batchRecorder) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.body.Len()+len(p) > maxBatchAnswer {
		b.overflow = true
		return 0, io.ErrShortWrite
	}
	return b.body.Write(p)
}

// batchHeaders are the headers of an inner answer a batch response keeps.
var batchHeaders = []string{"Content-Type", "Retry-After", "Location", "Request-Id", "Client-Request-Id"}

func (b *batchRecorder) appendResponse(out []byte, id string) []byte {
	if b.overflow {
		b.status = http.StatusBadRequest
		return appendBatchError(out, id, http.StatusBadRequest, "ResponseTooLarge", "The answer to this request is longer than 4 MiB, more than a batch carries; ask for less ($top, $select) or send it alone. (G-BATCH-1)")
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	out = append(out, `{"id":`...)
	out = appendJSONText(out, id)
	out = append(out, `,"status":`...)
	out = strconv.AppendInt(out, int64(b.status), 10)
	out = append(out, `,"headers":{`...)
	first := true
	for _, k := range batchHeaders {
		v := b.h[k]
		if len(v) == 0 {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = appendJSONText(out, k)
		out = append(out, ':')
		out = appendJSONText(out, v[0])
	}
	out = append(out, '}')
	if body := b.body.Bytes(); len(body) > 0 {
		out = append(out, `,"body":`...)
		if ct := b.h["Content-Type"]; len(ct) > 0 && strings.HasPrefix(ct[0], "application/json") || json.Valid(body) {
			out = append(out, body...)
		} else {
			out = appendJSONText(out, base64.StdEncoding.EncodeToString(body))
		}
	}
	return append(out, '}')
}

func appendBatchError(out []byte, id string, status int, code, msg string) []byte {
	out = append(out, `{"id":`...)
	out = appendJSONText(out, id)
	out = append(out, `,"status":`...)
	out = strconv.AppendInt(out, int64(status), 10)
	out = append(out, `,"headers":{"Content-Type":"application/json"},"body":{"error":{"code":`...)
	out = appendJSONText(out, code)
	out = append(out, `,"message":`...)
	out = appendJSONText(out, msg)
	return append(out, `}}}`...)
}

// appendJSONText writes a JSON string, plainly for the ids, header values
// and messages that need no escaping, through encoding/json otherwise.
func appendJSONText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			return appendJSONString(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
