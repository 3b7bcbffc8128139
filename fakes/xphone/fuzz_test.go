package xphone

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzRequests sends arbitrary requests to the XPhone fake: it never
// panics, never answers 5xx, and every error is the JSON error body.
func FuzzRequests(f *testing.F) {
	for _, s := range []struct{ method, path, body string }{
		{"GET", "/xphone/users?after=3&wait=1ms", ""},
		{"GET", "/xphone/users?after=0&changed=true", ""},
		{"GET", "/xphone/users?after=1&changed=maybe", ""},
		{"PUT", "/xphone/users/alice/profile", `{"name":"Nicht stören"}`},
		{"POST", "/xphone/users/alice/appointments", `{"text":"Am Telefon (MS Teams)","profile":"MS Teams","source":"teams-meeting"}`},
		{"DELETE", "/xphone/users/alice/appointments/1", ""},
		{"PUT", "/xphone/users/alice/profiles", `[{"name":"A","availability":"Away","activity":"Away"}]`},
		{"POST", "/xphone/users/alice/microphone", `{"process":"Zoom","on":true}`},
		{"POST", "/xphone/users/%ff/calls", ""},
	} {
		f.Add(s.method, s.path, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t") {
			return
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return
		}
		switch method {
		case "GET", "POST", "PUT", "DELETE":
		default:
			return
		}
		if strings.Contains(path, "wait=") {
			path = strings.ReplaceAll(path, "wait=", "w=") // a fuzzed wait would only slow the run
		}
		h, _ := newHandler(t, Options{})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "http://xphone.test"+path, strings.NewReader(body)))
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e struct {
				Error struct{ Code, Message string }
			}
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s: %d without an error body: %s", method, path, rec.Code, rec.Body)
			}
		}
	})
}
