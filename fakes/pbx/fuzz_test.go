package pbx

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
)

// FuzzRequests sends arbitrary requests to the PBX fake: it never panics,
// never answers 5xx, and every error is the JSON error body.
func FuzzRequests(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/pbx/users/alice/lines/desk%20phone", `{"event":"offhook"}`},
		{"POST", "/pbx/users/201/presence", `{"state":"Nicht verfügbar","via":"portal"}`},
		{"POST", "/pbx/users", `{"name":"carol","devices":["softphone"],"email":"c@contoso.com"}`},
		{"PUT", "/pbx/states/meeting", `{"label":"Kundentermin"}`},
		{"PATCH", "/pbx/users/alice", `{"email":"x@y"}`},
		{"GET", "/pbx/events?after=1", ``},
		{"POST", "/pbx/webhooks", `{"url":"http://127.0.0.1:1/"}`},
		{"POST", "/pbx/users/alice/lines/softphone", `{"event":1}`},
		{"GET", "/pbx/users/%ff", ``},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t") {
			return
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return // no server hands such a request to a handler
		}
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			return
		}
		w := sim.MustNew(1)
		if _, err := w.AddUser("alice", ""); err != nil {
			t.Fatal(err)
		}
		h := New(newLive(t, w), Options{Retry: []time.Duration{}})
		defer h.Close()
		req := httptest.NewRequest(method, "http://pbx.test"+path, strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Code != http.StatusMethodNotAllowed {
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Message == "" {
				t.Fatalf("%s %s: %d with body %q", method, path, rec.Code, rec.Body)
			}
		}
	})
}
