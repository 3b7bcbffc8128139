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

var mockMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut}

// Register routes requests made through the transport to Graph's host and
// to the login host to the handler, in process: a connector given
// &http.Client{Transport: mt} talks to the fake without sockets. When h is
// a *Handler, the login host is its identity platform (Entra) for every
// path — discovery, keys, user realm, instance discovery, sign-in, device
// code — so an in-process MSAL client finds what it looks up first; its
// token path still goes through Graph's handler, which journals it. Any
// other handler gets both hosts whole.
func Register(mt *httpmock.MockTransport, h http.Handler) {
	login := h
	if g, ok := h.(*Handler); ok {
		login = loginHandler{g}
	}
	for host, hh := range map[string]http.Handler{GraphHost: h, LoginHost: login} {
		re := regexp.MustCompile(`^https://` + regexp.QuoteMeta(host) + `/`)
		for _, m := range mockMethods {
			mt.RegisterRegexpResponder(m, re, responder(hh))
		}
	}
}

func responder(h http.Handler) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}
}

// loginHandler is the login host in process: the token endpoint through
// Graph's handler (journalled, as on Graph's host), the rest straight to
// the identity platform.
type loginHandler struct{ g *Handler }

func (l loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := tokenTenant(r.URL.Path); ok {
		l.g.ServeHTTP(w, r)
		return
	}
	l.g.Entra().ServeHTTP(w, r)
}

// NewClient returns an http.Client whose requests to Graph and the login
// host reach h in process, and the transport behind it.
func NewClient(h http.Handler) (*http.Client, *httpmock.MockTransport) {
	mt := httpmock.NewMockTransport()
	Register(mt, h)
	return &http.Client{Transport: mt}, mt
}
