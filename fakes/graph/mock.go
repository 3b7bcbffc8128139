package graph

import (
	"net/http"
	"net/http/httptest"
	"regexp"

	"github.com/jarcoal/httpmock"
)

// Hosts a client talks to for Graph and for tokens.
const (
	GraphHost = "graph.microsoft.com"
	LoginHost = "login.microsoftonline.com"
)

var mockMethods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut}

// Register routes Graph and token requests made through the transport to
// the handler, in process: a connector given
// &http.Client{Transport: mt} talks to the fake without sockets.
func Register(mt *httpmock.MockTransport, h http.Handler) {
	responder := func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}
	hosts := regexp.MustCompile(`^https://(` + regexp.QuoteMeta(GraphHost) + `|` + regexp.QuoteMeta(LoginHost) + `)/`)
	for _, m := range mockMethods {
		mt.RegisterRegexpResponder(m, hosts, responder)
	}
}

// NewClient returns an http.Client whose requests to Graph and the login
// host reach h in process, and the transport behind it.
func NewClient(h http.Handler) (*http.Client, *httpmock.MockTransport) {
	mt := httpmock.NewMockTransport()
	Register(mt, h)
	return &http.Client{Transport: mt}, mt
}
