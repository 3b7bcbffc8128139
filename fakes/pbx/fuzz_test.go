package pbx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
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

// fuzzHandler is a handler over a world where alice is on the PBX and bob
// is not; five events were made and the journal keeps three.
func fuzzHandler(t *testing.T, o Options) (*Handler, *live.World) {
	t.Helper()
	w := sim.MustNew(1)
	for _, n := range []string{"alice", "bob"} {
		if _, err := w.AddUser(n, ""); err != nil {
			t.Fatal(err)
		}
	}
	if o.JournalSize == 0 {
		o.JournalSize = 3
	}
	o.Retry = []time.Duration{}
	lw := newLive(t, w)
	h := New(lw, o)
	err := lw.Do(func(w *sim.World) error {
		m := pbx.Of(w)
		id, _ := w.Teams.User("alice")
		i, err := m.Ensure(id) // event 1
		for _, ev := range []pbx.LineEvent{pbx.OffHook, pbx.HangUp, pbx.Incoming, pbx.Answer} {
			if err == nil {
				err = m.LineEvent(i, pbx.DeskPhone, ev) // events 2..5
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, lw
}

// checkError fails unless a refusal is the JSON error body.
func checkError(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: %d %s", what, rec.Code, rec.Body)
	}
	if rec.Code >= 400 && rec.Code != http.StatusMethodNotAllowed {
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%s: %d with body %q", what, rec.Code, rec.Body)
		}
	}
}

// FuzzEventsReplay reads the journal with arbitrary ids and limits, as
// JSON and as a stream: the answer is 400 or events in order after the id,
// never more than asked or kept.
func FuzzEventsReplay(f *testing.F) {
	for _, s := range []struct {
		after, lastID, limit string
		stream               bool
	}{
		{"", "", "", false}, {"2", "", "", true}, {"", "4", "1", false}, {"18446744073709551615", "", "", false},
		{"", "18446744073709551615", "", true}, {"5", "", "1000", false}, {"6", "", "", true}, {"-1", "x", "0", false},
		{"0", "", "2", false}, {"", "", "1001", false}, {"00003", "", "+1", false},
	} {
		f.Add(s.after, s.lastID, s.limit, s.stream)
	}
	f.Fuzz(func(t *testing.T, after, lastID, limit string, stream bool) {
		h, _ := fuzzHandler(t, Options{})
		defer h.Close()
		q := url.Values{}
		if after != "" {
			q.Set("after", after)
		}
		if limit != "" {
			q.Set("limit", limit)
		}
		req := httptest.NewRequest("GET", "http://pbx.test/pbx/events?"+q.Encode(), nil)
		if strings.ContainsAny(lastID, "\r\n\x00") {
			return // no client sends such a header
		}
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		if stream {
			req.Header.Set("Accept", "text/event-stream")
			ctx, cancel := context.WithCancel(req.Context())
			cancel() // the stream answers what it has and ends
			req = req.WithContext(ctx)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		what := fmt.Sprintf("after %q, Last-Event-ID %q, limit %q, stream %v", after, lastID, limit, stream)
		checkError(t, what, rec)
		id := after
		if id == "" {
			id = lastID
		}
		n, perr := strconv.ParseUint(id, 10, 64)
		if id == "" {
			n, perr = 0, nil
		}
		if rec.Code == http.StatusBadRequest {
			if perr == nil && n <= 5 && (stream || limit == "" || validLimit(limit)) {
				t.Fatalf("%s: refused a good id: %s", what, rec.Body)
			}
			return
		}
		if rec.Code != http.StatusOK || perr != nil || n > 5 {
			t.Fatalf("%s: %d %s", what, rec.Code, rec.Body)
		}
		var ids []uint64
		if stream {
			for _, line := range strings.Split(rec.Body.String(), "\n") {
				if v, ok := strings.CutPrefix(line, "id: "); ok {
					i, _ := strconv.ParseUint(v, 10, 64)
					ids = append(ids, i)
				}
			}
		} else {
			var p Replay
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.LastEventID != 5 || p.Value == nil {
				t.Fatalf("%s: %s", what, rec.Body)
			}
			for _, e := range p.Value {
				ids = append(ids, e.ID)
			}
			if max, _ := strconv.Atoi(limit); limit != "" && len(ids) > max {
				t.Fatalf("%s: %d events, limit %d", what, len(ids), max)
			}
		}
		first := max(n+1, 3) // the journal keeps 3..5
		if len(ids) > 0 && ids[0] != first {
			t.Fatalf("%s: first event %d, want %d", what, ids[0], first)
		}
		for i, e := range ids {
			if e != first+uint64(i) || e > 5 {
				t.Fatalf("%s: events %v", what, ids)
			}
		}
		if limit == "" && uint64(len(ids)) != 5-first+1 && n < 5 {
			t.Fatalf("%s: events %v, want %d..5", what, ids, first)
		}
	})
}

func validLimit(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= MaxReplay
}

// FuzzWebhooks registers arbitrary webhook URLs and secrets from arbitrary
// callers: an accepted URL is https, or http to a loopback host unless
// http is allowed, has no user name, and makes a request.
func FuzzWebhooks(f *testing.F) {
	for _, s := range []struct {
		url, secret, remote string
		allowHTTP           bool
	}{
		{"https://example.com/hook", "s3cret", "127.0.0.1:5000", false},
		{"http://127.0.0.1:9/", "", "[::1]:1", false},
		{"http://example.com/", "", "10.0.0.1:1", true},
		{"http://example.com/", "", "10.0.0.1:1", false},
		{"https://user:pw@example.com/", "", "", false},
		{"http://[::ffff:127.0.0.1]:80/x", "", "pipe", false},
		{"https://example.com:99999/", "", "1.2.3.4", false},
		{"http://localhost%2F@evil/", "", "", false},
		{"http://[fe80::1%25lo]/", "", "", false},
		{"HTTPS://EXAMPLE.COM", "", "", false},
	} {
		f.Add(s.url, s.secret, s.remote, s.allowHTTP)
	}
	f.Fuzz(func(t *testing.T, raw, secret, remote string, allowHTTP bool) {
		h, _ := fuzzHandler(t, Options{AllowHTTPWebhooks: allowHTTP, MaxWebhooksPerCaller: 1})
		defer h.Close()
		body, _ := json.Marshal(map[string]string{"url": raw, "secret": secret})
		var sent struct{ URL string }
		_ = json.Unmarshal(body, &sent) // JSON carries invalid UTF-8 as U+FFFD
		raw = sent.URL
		what := fmt.Sprintf("url %q secret %q from %q (http %v)", raw, secret, remote, allowHTTP)
		for i := range 2 { // the second is one too many for the caller
			req := httptest.NewRequest("POST", "http://pbx.test/pbx/webhooks", bytes.NewReader(body))
			req.RemoteAddr = remote
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			checkError(t, what, rec)
			switch {
			case rec.Code == http.StatusCreated && i == 0:
			case rec.Code == http.StatusForbidden && i == 1:
				return
			case rec.Code == http.StatusBadRequest && i == 0:
				return
			default:
				t.Fatalf("%s, try %d: %d %s", what, i, rec.Code, rec.Body)
			}
			var k Webhook
			if err := json.Unmarshal(rec.Body.Bytes(), &k); err != nil || k.URL != raw || k.NextEventID != 6 {
				t.Fatalf("%s: %s", what, rec.Body)
			}
			u, err := url.Parse(raw)
			if err != nil || u.User != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
				t.Fatalf("%s: accepted", what)
			}
			if u.Scheme == "http" && !allowHTTP {
				if a, err := netip.ParseAddr(u.Hostname()); !strings.EqualFold(u.Hostname(), "localhost") && (err != nil || !a.Unmap().IsLoopback()) {
					t.Fatalf("%s: accepted http to a host that is not loopback", what)
				}
			}
			if _, err := http.NewRequest("POST", raw, nil); err != nil {
				t.Fatalf("%s: accepted a URL no request is made to: %v", what, err)
			}
			if got, ok := h.Webhook(k.ID); !ok || got.URL != raw {
				t.Fatalf("%s: registered %+v", what, got)
			}
		}
	})
}

// FuzzUserPaths drives the user, device and line paths with arbitrary
// names and values: never 5xx, errors are JSON, and the world gains no
// user and no organisation unless the options allow it.
func FuzzUserPaths(f *testing.F) {
	for _, s := range []struct {
		op                  uint8
		user, device, value string
		allowNew            bool
	}{
		{0, "alice", "", "", false}, {0, "201", "", "", false}, {0, "ALICE@contoso.com", "", "", false},
		{1, "alice", "", "a@b.c", false}, {1, "alice", "", "nope", false},
		{2, "alice", "softphone", "", false}, {2, "bob", "desk phone", "", false},
		{3, "alice", "desk phone", "offhook", false}, {3, "alice", "deskphone", "answer", false}, {3, "alice", "fax", "incoming", false},
		{4, "alice", "portal", "Besprechung", false}, {4, "alice", "mitelone", "dnd", false}, {4, "alice", "micollab", "Away", false},
		{5, "bob", "", "", false}, {5, "zed", "", "", false}, {5, "zed", "fabrikam", "", true}, {5, "zed", "contoso", "z@contoso.com", true},
		{5, "a/b", "", "", true}, {0, "a/b", "", "", false}, {3, "..", "..", "", false}, {0, "%", "", "", false},
	} {
		f.Add(s.op, s.user, s.device, s.value, s.allowNew)
	}
	f.Fuzz(func(t *testing.T, op uint8, user, device, value string, allowNew bool) {
		h, lw := fuzzHandler(t, Options{AllowNewUsers: allowNew})
		defer h.Close()
		u := "/pbx/users/" + url.PathEscape(user)
		var method, path string
		var body any
		switch op % 6 {
		case 0:
			method, path = "GET", u
		case 1:
			method, path, body = "PATCH", u, map[string]string{"email": value}
		case 2:
			method, path, body = "POST", u+"/devices", map[string]string{"device": device}
		case 3:
			method, path, body = "POST", u+"/lines/"+url.PathEscape(device), map[string]string{"event": value}
		case 4:
			method, path, body = "POST", u+"/presence", map[string]string{"state": value, "via": device}
		default:
			method, path, body = "POST", "/pbx/users", map[string]string{"name": user, "org": device, "email": value}
		}
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(method, "http://pbx.test"+path, bytes.NewReader(b))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		what := fmt.Sprintf("%s %s %s", method, path, b)
		checkError(t, what, rec)
		switch rec.Code {
		case 200, 201, 400, 403, 404, 409:
		case 301, 307: // the mux cleans paths such as /pbx/users/..
		default:
			t.Fatalf("%s: %d %s", what, rec.Code, rec.Body)
		}
		var n int
		_ = lw.Do(func(w *sim.World) error {
			n = len(w.Teams.Users())
			for _, id := range w.Teams.Users() {
				if org := w.Teams.Dir(id).Org; org != sim.DefaultOrg {
					t.Errorf("%s: the world has a user of %q", what, org)
				}
			}
			return nil
		})
		if want := 2; n != want && !(allowNew && op%6 == 5 && rec.Code == 201 && n == want+1) {
			t.Fatalf("%s: %d world users after %d", what, n, rec.Code)
		}
	})
}
