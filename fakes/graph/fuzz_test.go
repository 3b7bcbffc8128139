package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzHandler feeds random methods, paths, headers and bodies to the
// handler: every answer is a success or a 4xx with Graph's error body (the
// token endpoint's OAuth body), never a 5xx, never a panic.
func FuzzHandler(f *testing.F) {
	fx := newFixture(&testing.T{}, Options{Throttle: Throttle{Off: true}})
	appTok := fx.appToken()
	userTok := fx.userToken("alice")
	alice, bob := fx.ids["alice"], fx.ids["bob"]
	seeds := []struct {
		method, path string
		auth         byte
		body         string
	}{
		{"GET", "/v1.0/users/{alice}/presence", 1, ""},
		{"GET", "/v1.0/me/presence", 2, ""},
		{"GET", "/v1.0/communications/presences/{bob}", 1, ""},
		{"POST", "/v1.0/communications/getPresencesByUserId", 1, `{"ids":["{alice}","{bob}"]}`},
		{"POST", "/v1.0/users/{alice}/presence/setPresence", 1, `{"sessionId":"{app}","availability":"Busy","activity":"InACall","expirationDuration":"PT1H"}`},
		{"POST", "/v1.0/users/{alice}/presence/clearPresence", 1, `{"sessionId":"{app}"}`},
		{"POST", "/v1.0/me/presence/setUserPreferredPresence", 2, `{"availability":"DoNotDisturb","activity":"DoNotDisturb","expirationDuration":"P1DT2H"}`},
		{"POST", "/v1.0/me/presence/clearUserPreferredPresence", 2, `{}`},
		{"POST", "/v1.0/me/presence/setStatusMessage", 2, `{"statusMessage":{"message":{"content":"hi","contentType":"text"},"expiryDateTime":{"dateTime":"2026-01-06T10:00:00","timeZone":"Pacific Standard Time"}}}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"https://h.example/n","resource":"/communications/presences?$filter=id in ('{alice}')","expirationDateTime":"2026-01-05T00:30:00Z"}`},
		{"PATCH", "/v1.0/subscriptions/x", 2, `{"expirationDateTime":"2026-01-05T00:40:00Z"}`},
		{"DELETE", "/v1.0/subscriptions/x", 2, ""},
		{"GET", "/v1.0/subscriptions", 1, ""},
		{"POST", "/contoso/oauth2/v2.0/token", 0, "grant_type=client_credentials&client_id={app}&client_secret=x&scope=https://graph.microsoft.com/.default"},
		{"POST", "/contoso/oauth2/v2.0/token", 0, "grant_type=password&client_id={app}&username=alice@contoso.com&password=alice-pw&scope=Presence.Read"},
		{"GET", "/v1.0/users/%zz/presence", 3, ""},
		{"PUT", "/beta/me", 3, "\x00\xff"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.auth, "client-request-id", s.body)
	}
	f.Fuzz(func(t *testing.T, method, path string, auth byte, header, body string) {
		expand := strings.NewReplacer("{alice}", alice, "{bob}", bob, "{app}", fx.app.AppID)
		path, body = expand.Replace(path), expand.Replace(body)
		req, err := http.NewRequest(method, "https://graph.microsoft.com/", bytes.NewReader([]byte(body)))
		if err != nil {
			return // not a request a client can send
		}
		req.URL.Path = path
		if u, err := url.Parse("https://graph.microsoft.com" + path); err == nil {
			req.URL = u
		}
		switch auth % 4 {
		case 1:
			req.Header.Set("Authorization", "Bearer "+appTok)
		case 2:
			req.Header.Set("Authorization", "Bearer "+userTok)
		case 3:
			req.Header.Set("Authorization", header)
		}
		if len(header) < 200 {
			req.Header.Set("client-request-id", header)
		}
		if strings.HasSuffix(path, "/token") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("%s %q answered %d: %s", method, path, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 400 {
			var e struct {
				Error json.RawMessage `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || len(e.Error) == 0 {
				t.Fatalf("%s %q answered %d without an error body: %s", method, path, rec.Code, rec.Body.Bytes())
			}
		}
		// Keep the world's clock moving a little so expiries are exercised.
		_ = fx.lw.Advance(time.Second)
	})
}

// FuzzISODuration checks the duration parser never panics and that what
// it accepts is non-negative.
func FuzzISODuration(f *testing.F) {
	for _, s := range []string{"PT5M", "PT1H30M", "P1D", "P1DT2H", "PT0.5S", "P1W", "PT", "P", "-PT5M", "PT1,5H", "P1Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODuration(s)
		if err == nil && d < 0 {
			t.Fatalf("%q parsed to a negative duration %s", s, d)
		}
	})
}
