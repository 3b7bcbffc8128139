package pbx

import (
	"encoding/json"
	"fmt"
	wait "github.com/presencesim/presencesim/internal/eventually"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
)

// apiErr is the error body of a refused request.
type apiErr struct {
	Error struct{ Code, Message string }
}

// get sends a GET with the given headers and answers its status and body.
func get(t *testing.T, u string, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// lineEvents makes n line events for the world's first PBX user, straight
// through the model.
func lineEvents(t *testing.T, lw *live.World, n int) {
	t.Helper()
	err := lw.Do(func(w *sim.World) error {
		m := pbx.Of(w)
		for i := range n {
			ev := pbx.OffHook
			if i%2 == 1 {
				ev = pbx.HangUp
			}
			if err := m.LineEvent(0, pbx.DeskPhone, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Reader ids that are not ids of this journal are refused before anything
// is read: the largest id once made the replay index negative and panicked.
func TestEventIDsAreChecked(t *testing.T) {
	_, _, srv := serve(t, Options{})
	base := srv.URL + "/pbx"
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "alice"}) // event 1
	const max = "18446744073709551615"
	sse := map[string]string{"Accept": "text/event-stream"}
	tests := []struct {
		query  string
		hdr    map[string]string
		status int
		code   string
		want   string
	}{
		{"?after=" + max, nil, 400, "UnknownEventId", "beyond the last event 1"},
		{"", map[string]string{"Last-Event-ID": max}, 400, "UnknownEventId", "Last-Event-ID " + max},
		{"?after=" + max, sse, 400, "UnknownEventId", "beyond the last event 1"},
		{"", map[string]string{"Last-Event-ID": max, "Accept": "text/event-stream"}, 400, "UnknownEventId", "read GET /pbx/users"},
		{"?after=2", nil, 400, "UnknownEventId", "after 2 is beyond"},
		{"?after=18446744073709551616", nil, 400, "BadRequest", "not a number"},
		{"?after=-1", nil, 400, "BadRequest", "not a number"},
		{"?after=0x1", nil, 400, "BadRequest", "not a number"},
		{"?after=%20", nil, 400, "BadRequest", "not a number"},
		{"", map[string]string{"Last-Event-ID": "abc"}, 400, "BadRequest", "Last-Event-ID \"abc\" is not a number"},
		{"?limit=0", nil, 400, "BadRequest", "from 1 to 1000"},
		{"?limit=1001", nil, 400, "BadRequest", "from 1 to 1000"},
		{"?limit=x", nil, 400, "BadRequest", "from 1 to 1000"},
		{"?after=1", nil, 200, "", ""},
		{"?after=0&limit=1000", nil, 200, "", ""},
		{"", map[string]string{"Last-Event-ID": "1"}, 200, "", ""},
	}
	for _, tc := range tests {
		st, out := get(t, base+"/events"+tc.query, tc.hdr)
		if st != tc.status {
			t.Errorf("GET /events%s %v: %d %s, want %d", tc.query, tc.hdr, st, out, tc.status)
			continue
		}
		if st == 200 {
			if !strings.Contains(string(out), `"value":[`) {
				t.Errorf("GET /events%s %v: %s, want a value list", tc.query, tc.hdr, out)
			}
			continue
		}
		var e apiErr
		if err := json.Unmarshal(out, &e); err != nil || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.want) {
			t.Errorf("GET /events%s %v: %s, want code %s mentioning %q", tc.query, tc.hdr, out, tc.code, tc.want)
		}
	}
}

// A replay answers at most MaxReplay events, says how to go on, and counts
// the events the journal let go.
func TestReplayIsPaged(t *testing.T) {
	lw, h, srv := serve(t, Options{JournalSize: 1100})
	base := srv.URL + "/pbx"
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "alice"}) // event 1
	lineEvents(t, lw, 1299)                                                  // events 2..1300; 201..1300 kept
	tests := []struct {
		path     string
		first, n int
		missed   uint64
		next     string
	}{
		{"/events", 201, 1000, 200, "/pbx/events?after=1200&limit=1000"},
		{"/events?after=1200", 1201, 100, 0, ""},
		{"/events?after=199&limit=10", 201, 10, 1, "/pbx/events?after=210&limit=10"},
		{"/events?after=200&limit=10", 201, 10, 0, "/pbx/events?after=210&limit=10"},
		{"/events?after=1290&limit=10", 1291, 10, 0, ""},
		{"/events?after=1300", 0, 0, 0, ""},
	}
	for _, tc := range tests {
		var p Replay
		if err := json.Unmarshal(mustCall(t, 200, "GET", base+tc.path, nil), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Value) != tc.n || p.LastEventID != 1300 || p.Missed != tc.missed || p.Next != tc.next {
			t.Errorf("GET %s: %d events, last %d, missed %d, next %q; want %d, 1300, %d, %q", tc.path, len(p.Value), p.LastEventID, p.Missed, p.Next, tc.n, tc.missed, tc.next)
		}
		for i, e := range p.Value {
			if e.ID != uint64(tc.first+i) {
				t.Fatalf("GET %s: event %d has id %d, want %d", tc.path, i, e.ID, tc.first+i)
			}
		}
	}
	if s := h.Stats(); s.JournalDropped != 200 || s.LastEventID != 1300 || s.Limits.JournalSize != 1100 {
		t.Errorf("stats: %+v", s)
	}
	// following next reaches the end in a bounded number of pages
	after, pages := uint64(0), 0
	for path := "/pbx/events"; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("replay does not end")
		}
		var p Replay
		_ = json.Unmarshal(mustCall(t, 200, "GET", srv.URL+path, nil), &p)
		for _, e := range p.Value {
			if after != 0 && e.ID != after+1 {
				t.Fatalf("page %d: event %d after %d", pages, e.ID, after)
			}
			after = e.ID
		}
		path = p.Next
	}
	if after != 1300 || pages != 2 {
		t.Errorf("paged to %d in %d pages, want 1300 in 2", after, pages)
	}
	// a stream resumes from the oldest kept event, in batches, without a gap
	s := openSSE(t, base+"/events", "150")
	for want := 201; want <= 1300; want++ {
		if id, _, _ := s.next(t); id != fmt.Sprint(want) {
			t.Fatalf("stream: event %s, want %d", id, want)
		}
	}
}

// Every request body is read through one size limit, so no handler decodes
// more than MaxBody bytes; one JSON value is read, and stored texts are
// short.
func TestRequestBodiesAreBounded(t *testing.T) {
	_, h, srv := serve(t, Options{})
	base := srv.URL + "/pbx"
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "alice"})
	huge := `{"x":"` + strings.Repeat("a", MaxBody) + `"}`
	bodies := []struct {
		method, path string
	}{
		{"POST", "/users"},
		{"PATCH", "/users/alice"},
		{"POST", "/users/alice/devices"},
		{"POST", "/users/alice/lines/deskphone"},
		{"POST", "/users/alice/presence"},
		{"PUT", "/states/meeting"},
		{"POST", "/webhooks"},
	}
	for _, b := range bodies {
		for _, tc := range []struct {
			body   string
			status int
			code   string
			want   string
		}{
			{huge, 413, "RequestTooLarge", "larger than 65536 bytes"},
			{`{} {}`, 400, "BadRequest", "data after the JSON value"},
			{`{}]`, 400, "BadRequest", "data after the JSON value"},
			{`{} ` + strings.Repeat(" ", MaxBody), 413, "RequestTooLarge", "larger than"},
		} {
			st, out := call(t, b.method, base+b.path, tc.body)
			var e apiErr
			_ = json.Unmarshal(out, &e)
			if st != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.want) {
				t.Errorf("%s %s with %.20q…: %d %s; want %d %s", b.method, b.path, tc.body, st, out, tc.status, tc.code)
			}
		}
	}
	if got, want := h.Stats().BodiesRefused, uint64(2*len(bodies)); got != want {
		t.Errorf("bodies refused: %d, want %d", got, want)
	}
	long := []struct {
		method, path string
		body         any
		want         string
	}{
		{"PATCH", "/users/alice", map[string]string{"email": strings.Repeat("a", 250) + "@b.de"}, "email is 255 characters long; at most 254"},
		{"POST", "/users", map[string]string{"name": "bob", "email": strings.Repeat("a", 255)}, "at most 254"},
		{"PUT", "/states/meeting", map[string]string{"label": strings.Repeat("ä", 65)}, "label is 65 characters long; at most 64"},
		{"POST", "/webhooks", map[string]string{"url": "https://example.com/" + strings.Repeat("a", 2048)}, "url is 2068 characters long"},
		{"POST", "/webhooks", map[string]string{"url": "https://example.com/", "secret": strings.Repeat("s", 257)}, "secret is 257 characters long"},
	}
	for _, tc := range long {
		st, out := call(t, tc.method, base+tc.path, tc.body)
		if st != 400 || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s %s: %d %s, want 400 mentioning %q", tc.method, tc.path, st, out, tc.want)
		}
	}
	// at the limits the texts are taken
	mustCall(t, 200, "PATCH", base+"/users/alice", map[string]string{"email": strings.Repeat("a", 249) + "@b.de"})
	mustCall(t, 200, "PUT", base+"/states/meeting", map[string]string{"label": strings.Repeat("ä", 64)})
	var st Stats
	if err := json.Unmarshal(mustCall(t, 200, "GET", base+"/stats", nil), &st); err != nil || st.Limits.MaxBody != MaxBody || st.BodiesRefused != uint64(2*len(bodies)) {
		t.Errorf("GET /pbx/stats: %+v %v", st, err)
	}
}

// eventually waits until cond holds (see internal/eventually).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	wait.True(t, func() (bool, string) { return cond(), what })
}

// Event streams are capped: one more is refused with a JSON 503 and
// counted, polling still works, and a closed stream frees its place.
func TestStreamsAreCapped(t *testing.T) {
	_, h, srv := serve(t, Options{MaxStreams: 2})
	base := srv.URL + "/pbx"
	a := openSSE(t, base+"/events", "")
	openSSE(t, base+"/events", "")
	sse := map[string]string{"Accept": "text/event-stream"}
	for i := range 3 {
		st, out := get(t, base+"/events", sse)
		var e apiErr
		if err := json.Unmarshal(out, &e); st != 503 || err != nil || e.Error.Code != "TooManyStreams" || !strings.Contains(e.Error.Message, "2 event streams are open") {
			t.Fatalf("stream %d beyond the cap: %d %s", i+3, st, out)
		}
	}
	mustCall(t, 200, "GET", base+"/events", nil)
	if s := h.Stats(); s.Streams != 2 || s.StreamsRefused != 3 || s.Limits.MaxStreams != 2 {
		t.Errorf("stats with the streams full: %+v", s)
	}
	a.resp.Body.Close()
	eventually(t, "a closed stream frees its place", func() bool { return h.Stats().Streams == 1 })
	openSSE(t, base+"/events", "")
}

// A reader that stops reading loses its stream once a round of writes
// takes longer than StreamWriteTimeout, so it holds no place for ever.
func TestStalledStreamIsDropped(t *testing.T) {
	lw, h, srv := serve(t, Options{StreamWriteTimeout: 100 * time.Millisecond})
	mustCall(t, 201, "POST", srv.URL+"/pbx/users", map[string]any{"name": "alice"})
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := io.WriteString(c, "GET /pbx/events HTTP/1.1\r\nHost: pbx\r\nAccept: text/event-stream\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the stream opens", func() bool { return h.Stats().Streams == 1 })
	for batch := 0; h.Stats().Streams == 1; batch++ {
		if batch == 100 {
			t.Fatal("the stalled stream is still open after 100,000 events")
		}
		lineEvents(t, lw, 1000)
		for range 20 {
			if h.Stats().Streams == 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// from sends a request in process as a caller at remote (host:port).
func from(h http.Handler, remote, method, path, body string) (int, []byte) {
	req := httptest.NewRequest(method, "http://pbx.test"+path, strings.NewReader(body))
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// Webhooks are capped per caller (the remote address, whatever port) and
// in total; what is refused is counted, and a deleted webhook frees its
// place.
func TestWebhooksAreCapped(t *testing.T) {
	h := New(newLive(t, sim.MustNew(1)), Options{MaxWebhooks: 3, MaxWebhooksPerCaller: 2})
	defer h.Close()
	const hook = `{"url":"https://example.com/hook"}`
	tests := []struct {
		remote, method, path string
		status               int
		want                 string
	}{
		{"10.0.0.1:1000", "POST", "/pbx/webhooks", 201, `"id":"1"`},
		{"10.0.0.1:1001", "POST", "/pbx/webhooks", 201, `"id":"2"`},
		{"10.0.0.1:1002", "POST", "/pbx/webhooks", 403, "10.0.0.1 has 2 webhooks registered, the most per caller"},
		{"[::ffff:10.0.0.1]:1003", "POST", "/pbx/webhooks", 403, "10.0.0.1 has 2"},
		{"[::1]:1000", "POST", "/pbx/webhooks", 201, `"id":"3"`},
		{"10.0.0.2:1000", "POST", "/pbx/webhooks", 403, "3 webhooks are registered, the most this PBX keeps"},
		{"10.0.0.2:1000", "DELETE", "/pbx/webhooks/1", 204, ""},
		{"10.0.0.2:1000", "DELETE", "/pbx/webhooks/1", 404, `no webhook \"1\"`},
		{"10.0.0.1:1004", "POST", "/pbx/webhooks", 201, `"id":"4"`},
		{"10.0.0.1:1005", "POST", "/pbx/webhooks", 403, "the most"},
	}
	for i, tc := range tests {
		st, out := from(h, tc.remote, tc.method, tc.path, hook)
		if st != tc.status || !strings.Contains(string(out), tc.want) {
			t.Errorf("%d: %s %s from %s: %d %s; want %d with %q", i, tc.method, tc.path, tc.remote, st, out, tc.status, tc.want)
		}
		if st == 403 && !strings.Contains(string(out), `"TooManyWebhooks"`) {
			t.Errorf("%d: refusal %s", i, out)
		}
	}
	if s := h.Stats(); s.Webhooks != 3 || s.WebhooksRefused != 4 {
		t.Errorf("stats: %d webhooks, %d refused; want 3, 4", s.Webhooks, s.WebhooksRefused)
	}
}

// The webhook list is paged.
func TestWebhookListIsPaged(t *testing.T) {
	h := New(newLive(t, sim.MustNew(1)), Options{})
	defer h.Close()
	for range 5 {
		if st, out := from(h, "10.0.0.1:1", "POST", "/pbx/webhooks", `{"url":"https://example.com/"}`); st != 201 {
			t.Fatalf("%d %s", st, out)
		}
	}
	if st, _ := from(h, "10.0.0.1:1", "DELETE", "/pbx/webhooks/2", ""); st != 204 {
		t.Fatal(st)
	}
	var ids []string
	pages := 0
	for path := "/pbx/webhooks?limit=2"; path != ""; pages++ {
		if pages == 5 {
			t.Fatal("the pages do not end")
		}
		st, out := from(h, "10.0.0.1:1", "GET", path, "")
		var p Webhooks
		if err := json.Unmarshal(out, &p); st != 200 || err != nil || len(p.Value) > 2 {
			t.Fatalf("GET %s: %d %s", path, st, out)
		}
		for _, k := range p.Value {
			ids = append(ids, k.ID)
		}
		path = p.Next
	}
	if got := strings.Join(ids, ","); got != "1,3,4,5" || pages != 2 {
		t.Errorf("paged ids %s in %d pages, want 1,3,4,5 in 2", got, pages)
	}
	for _, q := range []string{"limit=0", "limit=101", "after=x", "after=-1"} {
		if st, out := from(h, "10.0.0.1:1", "GET", "/pbx/webhooks?"+q, ""); st != 400 {
			t.Errorf("GET /pbx/webhooks?%s: %d %s", q, st, out)
		}
	}
	if st, out := from(h, "10.0.0.1:1", "GET", "/pbx/webhooks?after=3", ""); st != 200 || !strings.Contains(string(out), `"id":"4"`) || strings.Contains(string(out), `"id":"3"`) {
		t.Errorf("after=3: %s", out)
	}
}

// A receiver that falls behind by more than WebhookQueue events gets the
// newest ones; the oldest waiting are dropped and counted.
func TestWebhookQueueDropsOldest(t *testing.T) {
	first, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var got []uint64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseUint(r.Header.Get(EventIDHeader), 10, 64)
		mu.Lock()
		got = append(got, id)
		mu.Unlock()
		if id == 1 {
			close(first)
			<-release
		}
	}))
	defer recv.Close()
	released := false
	defer func() {
		if !released {
			close(release) // let the receiver return before it closes
		}
	}()
	lw, h, srv := serve(t, Options{WebhookQueue: 10})
	base := srv.URL + "/pbx"
	var k Webhook
	_ = json.Unmarshal(mustCall(t, 201, "POST", base+"/webhooks", map[string]string{"url": recv.URL}), &k)
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "alice"}) // event 1
	select {
	case <-first:
	case <-time.After(5 * time.Second):
		t.Fatal("event 1 not delivered within 5 s")
	}
	lineEvents(t, lw, 50) // events 2..51 wait while 1 is out
	close(release)
	released = true
	eventually(t, "every event delivered or dropped", func() bool {
		st, _ := h.Webhook(k.ID)
		return st.NextEventID == 52
	})
	st, _ := h.Webhook(k.ID)
	if st.Delivered != 11 || st.Dropped != 40 || st.Failed != 0 {
		t.Errorf("webhook: %+v; want 11 delivered, 40 dropped", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 11 || got[0] != 1 || got[1] != 42 || got[10] != 51 {
		t.Errorf("delivered ids %v, want 1 and 42..51", got)
	}
	if s := h.Stats(); s.DeliveriesDropped != 40 {
		t.Errorf("stats: %d deliveries dropped, want 40", s.DeliveriesDropped)
	}
	if ks := h.Webhooks(); len(ks) != 1 || ks[0] != st {
		t.Errorf("Webhooks(): %+v", ks)
	}
}

// Webhook URLs follow G-URL-1: https, or http for a loopback host.
func TestWebhookURLs(t *testing.T) {
	tests := []struct {
		url       string
		allowHTTP bool
		status    int
		want      string
	}{
		{"https://example.com/hook", false, 201, ""},
		{"HTTPS://EXAMPLE.COM/hook", false, 201, ""},
		{"https://example.com:8443/hook?x=1", false, 201, ""},
		{"http://127.0.0.1:9/hook", false, 201, ""},
		{"http://127.8.9.10/", false, 201, ""},
		{"http://localhost:8080/", false, 201, ""},
		{"http://LocalHost/", false, 201, ""},
		{"http://[::1]:9/", false, 201, ""},
		{"http://[::ffff:127.0.0.1]:9/", false, 201, ""},
		{"http://example.com/hook", false, 400, "http:// is only for a loopback host"},
		{"http://10.0.0.1/", false, 400, "only for a loopback host"},
		{"http://0.0.0.0:9/", false, 400, "only for a loopback host"},
		{"http://127.0.0.1.nip.io/", false, 400, "only for a loopback host"},
		{"http://localhost.example.com/", false, 400, "only for a loopback host"},
		{"http://[fe80::1%25lo]/", false, 400, "only for a loopback host"},
		{"http://example.com/hook", true, 201, ""},
		{"ftp://example.com/", false, 400, "must be an absolute https:// URL"},
		{"ftp://example.com/", true, 400, "must be an absolute https:// URL"},
		{"//example.com/", false, 400, "absolute"},
		{"/pbx/webhooks", false, 400, "absolute"},
		{"https://", false, 400, "absolute"},
		{"https://:443/", false, 400, "absolute"},
		{"https:example.com", false, 400, "absolute"},
		{"mailto:a@example.com", false, 400, "absolute"},
		{"", false, 400, "absolute"},
		{"https://exa mple.com/", false, 400, "absolute"},
		{"https://user:pw@example.com/", false, 400, "must not carry a user name or password"},
		{"http://127.0.0.1@example.com/", false, 400, "must not carry a user name"},
		{"https://example.com:0/", false, 400, "no port from 1 to 65535"},
		{"https://example.com:65536/", false, 400, "no port from 1 to 65535"},
	}
	for _, tc := range tests {
		h := New(newLive(t, sim.MustNew(1)), Options{AllowHTTPWebhooks: tc.allowHTTP})
		body, _ := json.Marshal(map[string]string{"url": tc.url})
		st, out := from(h, "127.0.0.1:1", "POST", "/pbx/webhooks", string(body))
		h.Close()
		if st != tc.status || !strings.Contains(string(out), tc.want) {
			t.Errorf("url %q (allow http %v): %d %s; want %d with %q", tc.url, tc.allowHTTP, st, out, tc.status, tc.want)
		}
	}
}

// Deliveries never follow a redirect, each attempt has its timeout, the
// receiver's headers are bounded, and every failure without an answer
// reads the same, so a webhook does not tell which ports are open.
func TestWebhookDeliveryIsHardened(t *testing.T) {
	var followed sync.Mutex
	hits := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Lock()
		hits++
		followed.Unlock()
	}))
	defer target.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String() + "/hook"
	closed.Close()
	own := &http.Client{}
	tests := []struct {
		name    string
		recv    http.HandlerFunc // nil: the closed port
		client  *http.Client
		timeout time.Duration
		want    string
	}{
		{"redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target.URL, http.StatusFound) }, nil, 0, "event 1: the receiver answered 302 Found (attempts: 1)"},
		{"redirect, own client", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
		}, own, 0, "answered 307 Temporary Redirect"},
		{"status", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }, nil, 0, "answered 418 I'm a teapot"},
		{"odd status", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(599) }, nil, 0, "answered 599 (attempts"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leave
			<-r.Context().Done()
		}, &http.Client{}, 50 * time.Millisecond, "event 1: the receiver did not answer (attempts: 1)"},
		{"huge headers", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Big", strings.Repeat("x", 1<<20))
		}, nil, 0, "event 1: the receiver did not answer (attempts: 1)"},
		{"closed port", nil, nil, 0, "event 1: the receiver did not answer (attempts: 1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := closedURL
			if tc.recv != nil {
				recv := httptest.NewServer(tc.recv)
				defer recv.Close()
				u = recv.URL
			}
			_, h, srv := serve(t, Options{Retry: []time.Duration{}, Client: tc.client, DeliveryTimeout: tc.timeout})
			var k Webhook
			_ = json.Unmarshal(mustCall(t, 201, "POST", srv.URL+"/pbx/webhooks", map[string]string{"url": u}), &k)
			mustCall(t, 201, "POST", srv.URL+"/pbx/users", map[string]any{"name": "alice"})
			eventually(t, "event 1 attempted", func() bool { st, _ := h.Webhook(k.ID); return st.NextEventID == 2 })
			st, _ := h.Webhook(k.ID)
			if st.Failed != 1 || !strings.Contains(st.LastError, tc.want) {
				t.Errorf("webhook %+v; want one failure with %q", st, tc.want)
			}
			for _, leak := range []string{"dial", "refused", "tcp", "127.0.0.1", "deadline", "timeout", "EOF", "header"} {
				if strings.Contains(st.LastError, leak) {
					t.Errorf("last error %q tells %q", st.LastError, leak)
				}
			}
		})
	}
	followed.Lock()
	if hits != 0 {
		t.Errorf("the redirect target got %d requests", hits)
	}
	followed.Unlock()
	if own.CheckRedirect != nil {
		t.Error("the caller's client was changed")
	}
}

// Close may run while webhooks are being created: each create is answered
// 201 or 503, and no worker is added while Close waits for them.
func TestCloseWhileWebhooksAreCreated(t *testing.T) {
	for round := range 20 {
		h := New(newLive(t, sim.MustNew(1)), Options{})
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], _ = from(h, fmt.Sprintf("10.0.0.%d:1", i), "POST", "/pbx/webhooks", `{"url":"https://example.com/"}`)
			}()
		}
		h.Close()
		wg.Wait()
		for i, st := range statuses {
			if st != 201 && st != 503 {
				t.Fatalf("round %d: create %d answered %d", round, i, st)
			}
		}
	}
}

// Close waits for the worker of a create that held the lock when the
// handler closed.
func TestCloseWaitsForACreateInProgress(t *testing.T) {
	h := New(newLive(t, sim.MustNew(1)), Options{})
	hs := h.hooks
	hs.mu.Lock() // a create saw the handler open and is about to add its worker
	var done atomic.Bool
	closed := make(chan bool)
	go func() { h.Close(); closed <- done.Load() }()
	<-h.ctx.Done()
	hs.wg.Add(1)
	hs.mu.Unlock()
	done.Store(true) // the worker ends
	hs.wg.Done()
	if !<-closed {
		t.Error("Close returned before the worker of a create it raced with ended")
	}
}
