package pbx

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
)

func serve(t testing.TB, o Options) (*live.World, *Handler, *httptest.Server) {
	t.Helper()
	lw := newLive(t, people(t))
	h := New(lw, o)
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	return lw, h, srv
}

// people is a world with alice, bob and carol, none of them on the PBX
// yet: the PBX API puts world users on the PBX and adds no one else.
func people(t testing.TB) *sim.World {
	t.Helper()
	w := sim.MustNew(3)
	for _, n := range []string{"alice", "bob", "carol"} {
		if _, err := w.AddUser(n, ""); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// newLive serves w on a manual clock.
func newLive(t testing.TB, w *sim.World) *live.World {
	t.Helper()
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	return lw
}

func call(t *testing.T, method, u string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func mustCall(t *testing.T, want int, method, u string, body any) []byte {
	t.Helper()
	st, out := call(t, method, u, body)
	if st != want {
		t.Fatalf("%s %s: %d %s, want %d", method, u, st, out, want)
	}
	return out
}

func TestControlAndList(t *testing.T) {
	_, _, srv := serve(t, Options{})
	base := srv.URL + "/pbx"
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "alice", "devices": []string{"softphone"}})
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "bob", "email": "robert@contoso.com"})
	mustCall(t, 200, "POST", base+"/users/alice/lines/desk%20phone", map[string]string{"event": "offhook"})
	out := mustCall(t, 200, "POST", base+"/users/201/lines/deskphone", map[string]string{"event": "answer"})
	var l Line
	_ = json.Unmarshal(out, &l)
	if l != (Line{Device: "desk phone", Registered: true, State: "connected", Direction: "made"}) {
		t.Errorf("line after answer: %+v", l)
	}
	mustCall(t, 200, "POST", base+"/users/robert@contoso.com/presence", map[string]string{"state": "Besprechung", "via": "portal"})
	mustCall(t, 200, "POST", base+"/users/alice/presence", map[string]string{"state": "Abwesend", "via": "mitelone"})

	var users Users
	if err := json.Unmarshal(mustCall(t, 200, "GET", base+"/users", nil), &users); err != nil {
		t.Fatal(err)
	}
	if len(users.Value) != 2 || !users.UserPresence || users.LastEventID == 0 {
		t.Fatalf("users: %+v", users)
	}
	a, b := users.Value[0], users.Value[1]
	if a.Name != "alice" || a.Extension != "201" || a.Email != "alice@contoso.com" || len(a.Lines) != 2 || a.Lines[0].State != "connected" || a.Presence.State != "away" || a.Presence.MitelOne != "away" || a.Presence.Via != "mitelone" {
		t.Errorf("alice: %+v %+v", a, a.Presence)
	}
	if b.Email != "robert@contoso.com" || b.Presence.State != "meeting" || b.Presence.Label != "Besprechung" || b.Presence.MitelOne != "busy" {
		t.Errorf("bob: %+v %+v", b, b.Presence)
	}

	mustCall(t, 200, "PUT", base+"/states/meeting", map[string]string{"label": "Kundentermin"})
	var one User
	_ = json.Unmarshal(mustCall(t, 200, "GET", base+"/users/bob", nil), &one)
	if one.Presence.Label != "Kundentermin" || one.Presence.State != "meeting" {
		t.Errorf("renamed state: %+v", one.Presence)
	}
	mustCall(t, 200, "POST", base+"/users/bob/presence", map[string]string{"state": "Kundentermin"})
}

func TestBadRequests(t *testing.T) {
	_, _, srv := serve(t, Options{})
	base := srv.URL + "/pbx"
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "alice"})
	tests := []struct {
		method, path string
		body         any
		status       int
		want         string
	}{
		{"POST", "/users/zed/lines/deskphone", map[string]string{"event": "offhook"}, 404, `no PBX user "zed"`},
		{"POST", "/users/alice/lines/fax", map[string]string{"event": "offhook"}, 404, "valid: desk phone, softphone"},
		{"POST", "/users/alice/lines/softphone", map[string]string{"event": "incoming"}, 404, "alice has no softphone"},
		{"POST", "/users/alice/lines/deskphone", map[string]string{"event": "explode"}, 400, "valid: offhook, incoming"},
		{"POST", "/users/alice/lines/deskphone", map[string]string{"event": "answer"}, 409, "possible now: offhook, incoming, unplug"},
		{"POST", "/users/alice/lines/deskphone", `{"event":`, 400, "malformed JSON"},
		{"POST", "/users/alice/lines/deskphone", map[string]string{"evnt": "offhook"}, 400, "unknown field"},
		{"POST", "/users/alice/presence", map[string]string{"state": "Urlaub"}, 400, "valid: Verfügbar, Abwesend, Besprechung, Besetzt, Nicht verfügbar"},
		{"POST", "/users/alice/presence", map[string]string{"state": "Abwesend", "via": "fax"}, 400, "valid: phone, portal, mitelone, micollab"},
		{"POST", "/users/alice/presence", map[string]string{"state": "Mittag", "via": "mitelone"}, 400, "unknown Mitel One presence"},
		{"PATCH", "/users/alice", map[string]string{"email": "nope"}, 400, "not an e-mail address"},
		{"PUT", "/states/holiday", map[string]string{"label": "Urlaub"}, 404, "unknown MiVoice Office 400 presence"},
		{"PUT", "/states/meeting", map[string]string{"label": "Besetzt"}, 400, "is the name of state busy already"},
		{"POST", "/users", map[string]any{"name": "alice"}, 409, "on the PBX already"},
		{"POST", "/users", map[string]any{"name": "bad name!"}, 404, "Declare the user in the world file"},
		{"POST", "/users", map[string]any{"name": "carol", "devices": []string{"pager"}}, 400, "unknown PBX device"},
		{"POST", "/webhooks", map[string]string{"url": "ftp://x"}, 400, "absolute http"},
		{"GET", "/webhooks/9", nil, 404, `no webhook "9"`},
		{"GET", "/events?after=x", nil, 400, "not a number"},
		{"GET", "/nothing", nil, 404, "see GET /pbx/users"},
		{"DELETE", "/users/alice", nil, 404, "no such PBX resource"},
	}
	for _, tc := range tests {
		st, out := call(t, tc.method, base+tc.path, tc.body)
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(out, &e); err != nil || e.Error.Code == "" {
			t.Errorf("%s %s: error body %s", tc.method, tc.path, out)
		}
		if st != tc.status || !strings.Contains(e.Error.Message, tc.want) {
			t.Errorf("%s %s: %d %s; want %d mentioning %q", tc.method, tc.path, st, out, tc.status, tc.want)
		}
	}
}

// sse reads Server-Sent Events from a real HTTP stream.
type sse struct {
	resp *http.Response
	rd   *bufio.Reader
}

func openSSE(t *testing.T, u, lastID string) *sse {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sse{resp: resp, rd: bufio.NewReader(resp.Body)}
}

// next reads one event (skipping comments), failing after a real-time bound.
func (s *sse) next(t *testing.T) (id, typ string, ev Event) {
	t.Helper()
	type res struct {
		id, typ string
		ev      Event
		err     error
	}
	ch := make(chan res, 1)
	go func() {
		var r res
		for {
			line, err := s.rd.ReadString('\n')
			if err != nil {
				r.err = err
				ch <- r
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "id: "):
				r.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				r.typ = line[7:]
			case strings.HasPrefix(line, "data: "):
				r.err = json.Unmarshal([]byte(line[6:]), &r.ev)
			case line == "" && r.id != "":
				ch <- r
				return
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("reading the stream: %v", r.err)
		}
		return r.id, r.typ, r.ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return
}

func TestEventStream(t *testing.T) {
	_, _, srv := serve(t, Options{})
	base := srv.URL + "/pbx"
	s := openSSE(t, base+"/events", "")
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "alice"})
	mustCall(t, 200, "POST", base+"/users/alice/lines/deskphone", map[string]string{"event": "incoming"})
	mustCall(t, 200, "POST", base+"/users/alice/lines/deskphone", map[string]string{"event": "answer"})
	mustCall(t, 200, "POST", base+"/users/alice/presence", map[string]string{"state": "Abwesend", "via": "MiCollab"})

	want := []struct{ typ, detail string }{{"user", ""}, {"line", "ringing"}, {"line", "connected"}, {"micollab", "Away"}}
	for i, w := range want {
		id, typ, ev := s.next(t)
		if typ != w.typ || ev.Type != w.typ || id != itoa(i+1) || ev.ID != uint64(i+1) {
			t.Fatalf("event %d: id %s type %s (%+v), want %s", i, id, typ, ev, w.typ)
		}
		if ev.User == nil || ev.User.Name != "alice" || ev.Time != "00:00" || !strings.HasPrefix(ev.At, "2026-01-05T00:00:00") {
			t.Errorf("event %d: %+v", i, ev)
		}
		switch w.typ {
		case "line":
			if ev.Line.State != w.detail || ev.Device != "desk phone" || ev.User.Lines[0].State != w.detail {
				t.Errorf("line event %d: %+v line %+v", i, ev, ev.Line)
			}
		case "micollab":
			if ev.User.MiCollab != w.detail || ev.User.Presence.State != "available" {
				t.Errorf("MiCollab event: %+v", ev.User)
			}
		}
	}
	// a reader resuming after event 2 gets 3 and 4 again
	r := openSSE(t, base+"/events", "2")
	if id, _, _ := r.next(t); id != "3" {
		t.Errorf("resumed at %s, want 3", id)
	}
	// polling readers get the same events as JSON
	var page struct {
		Value       []Event
		LastEventID uint64
	}
	_ = json.Unmarshal(mustCall(t, 200, "GET", base+"/events?after=3", nil), &page)
	if len(page.Value) != 1 || page.Value[0].Type != "micollab" || page.LastEventID != 4 {
		t.Errorf("poll after 3: %+v", page)
	}
}

func TestWebhooks(t *testing.T) {
	var mu sync.Mutex
	var got []Event
	fails := 1 // the receiver refuses the first delivery: the fake retries
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get(SignatureHeader) != Sign("s3cret", body) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev Event
		_ = json.Unmarshal(body, &ev)
		if r.Header.Get(EventIDHeader) != itoa(int(ev.ID)) || r.Header.Get(EventTypeHeader) != ev.Type {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got = append(got, ev)
	}))
	defer recv.Close()
	_, _, srv := serve(t, Options{Retry: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}})
	base := srv.URL + "/pbx"
	var k struct{ ID string }
	_ = json.Unmarshal(mustCall(t, 201, "POST", base+"/webhooks", map[string]string{"url": recv.URL, "secret": "s3cret"}), &k)
	mustCall(t, 201, "POST", base+"/users", map[string]any{"name": "alice"})
	mustCall(t, 200, "POST", base+"/users/alice/lines/deskphone", map[string]string{"event": "offhook"})
	mustCall(t, 200, "POST", base+"/users/alice/presence", map[string]string{"state": "Nicht verfügbar"})
	waitFor(t, func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 3, fmt.Sprintf("%d of 3 events delivered", len(got))
	})
	mu.Lock()
	for i, typ := range []string{"user", "line", "presence"} {
		if got[i].Type != typ || got[i].ID != uint64(i+1) {
			t.Errorf("delivery %d: %s #%d, want %s #%d", i, got[i].Type, got[i].ID, typ, i+1)
		}
	}
	if p := got[2].User.Presence; p.State != "unavailable" || p.MitelOne != "dnd" {
		t.Errorf("presence delivered: %+v", p)
	}
	mu.Unlock()
	// the worker counts a delivery only after the receiver has answered, so
	// the counters may lag the receiver: wait until the last one is counted
	var st struct {
		Delivered, Failed uint64
		NextEventID       uint64
	}
	waitFor(t, func() (bool, string) {
		st.Delivered, st.Failed, st.NextEventID = 0, 0, 0
		_ = json.Unmarshal(mustCall(t, 200, "GET", base+"/webhooks/"+k.ID, nil), &st)
		return st.NextEventID == 4, fmt.Sprintf("webhook stats: %+v, want next event 4", st)
	})
	if st.Delivered != 3 || st.Failed != 0 {
		t.Errorf("webhook stats: %+v", st)
	}
	mustCall(t, 204, "DELETE", base+"/webhooks/"+k.ID, nil)
	mustCall(t, 404, "GET", base+"/webhooks/"+k.ID, nil)
}

// TestConnectorBuildsCloudLinkPresence plays a connector that reads only
// the event stream and computes the CloudLink presence with CloudLink's
// tables; after random PBX activity it agrees with the CloudLink model.
func TestConnectorBuildsCloudLinkPresence(t *testing.T) {
	w, _, srv := serve(t, Options{})
	base := srv.URL + "/pbx"
	var cl *cloudlink.Model
	_ = w.Do(func(sw *sim.World) error { cl = cloudlink.Of(sw); return nil })
	s := openSSE(t, base+"/events", "")
	names := []string{"alice", "bob", "carol"}
	for _, n := range names {
		mustCall(t, 201, "POST", base+"/users", map[string]any{"name": n, "devices": []string{"softphone"}})
	}
	seen := map[string]User{}
	read := func(n int) {
		for i := 0; i < n; i++ {
			_, _, ev := s.next(t)
			if ev.User != nil {
				seen[ev.User.Name] = *ev.User
			}
		}
	}
	read(len(names) * 2)
	rnd := rand.New(rand.NewPCG(1, 2))
	events := []string{"offhook", "incoming", "answer", "hold", "retrieve", "hangup", "unplug", "plugin"}
	states := []string{"Verfügbar", "Abwesend", "Besprechung", "Besetzt", "Nicht verfügbar"}
	for step := 0; step < 300; step++ {
		n := names[rnd.IntN(len(names))]
		var st int
		switch rnd.IntN(3) {
		case 0:
			st, _ = call(t, "POST", base+"/users/"+n+"/presence", map[string]string{"state": states[rnd.IntN(len(states))]})
		case 1:
			st, _ = call(t, "POST", base+"/users/"+n+"/presence", map[string]string{"state": states[rnd.IntN(4)], "via": "mitelone"})
		default:
			dev := []string{"deskphone", "softphone"}[rnd.IntN(2)]
			st, _ = call(t, "POST", base+"/users/"+n+"/lines/"+url.PathEscape(dev), map[string]string{"event": events[rnd.IntN(len(events))]})
		}
		if st == 200 {
			read(1)
		}
		for i, n := range names {
			var want presence.Availability
			_ = w.Do(func(*sim.World) error { want = cl.Presence(i); return nil })
			if got := connectorPresence(seen[n]); got != want {
				t.Fatalf("step %d: the connector computes %s for %s from the stream, CloudLink %s\n%+v", step, got, n, want, seen[n])
			}
		}
	}
}

// connectorPresence is CloudLink's combination (CL-2..CL-4) computed from a
// user snapshot of the stream alone.
func connectorPresence(u User) presence.Availability {
	rank := func(a presence.Availability) int {
		for i, s := range cloudlink.States {
			if s == a {
				return len(cloudlink.States) - i
			}
		}
		return 0
	}
	best, found := presence.AvailabilityUnknown, false
	consider := func(a presence.Availability) {
		if !found || rank(a) > rank(best) {
			best, found = a, true
		}
	}
	for _, l := range u.Lines {
		if !l.Registered {
			consider(cloudlink.UnregisteredLine.Presence)
			continue
		}
		for _, r := range cloudlink.DefaultLineTable {
			if r.State.String() == l.State && r.Dir.String() == l.Direction {
				consider(r.Presence)
			}
		}
	}
	if u.Presence != nil {
		for _, r := range cloudlink.DefaultUserTable {
			if r.State.ID() == u.Presence.State {
				consider(r.Presence)
			}
		}
	}
	return best
}

func itoa(i int) string { return strconv.Itoa(i) }

// waitFor polls cond until it holds. The bound is generous: it only ends a
// test that would otherwise hang, so a loaded machine does not fail it.
func waitFor(t *testing.T, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still not so after 10 s: %s", state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkLineEventHTTP measures one line event posted over loopback HTTP,
// journaled, with an SSE reader attached; b.N/s is the request rate.
func BenchmarkLineEventHTTP(b *testing.B) {
	h := New(newLive(b, people(b)), Options{})
	srv := httptest.NewServer(h)
	defer func() { srv.Close(); h.Close() }()
	client := srv.Client()
	post := func(path, body string) {
		resp, err := client.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			b.Fatalf("%s: %s", path, resp.Status)
		}
	}
	post("/pbx/users", `{"name":"alice"}`)
	req, _ := http.NewRequest("GET", srv.URL+"/pbx/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, resp.Body) }()
	defer resp.Body.Close()
	evs := [2]string{`{"event":"offhook"}`, `{"event":"hangup"}`}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		post("/pbx/users/alice/lines/deskphone", evs[i&1])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// The fake serves the PBX the world has and adds no one to it; the event
// journal starts with the fake.
func TestServesThePBXAsTheWorldHasIt(t *testing.T) {
	w := sim.MustNew(3)
	for _, u := range []struct{ name, org string }{{"alice", ""}, {"dave", "fabrikam"}, {"bob", ""}} {
		if _, err := w.AddUser(u.name, u.org); err != nil {
			t.Fatal(err)
		}
	}
	if err := pbx.Of(w).EnsureOrg(sim.DefaultOrg); err != nil {
		t.Fatal(err)
	}
	h := New(newLive(t, w), Options{})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	var users Users
	_ = json.Unmarshal(mustCall(t, 200, "GET", srv.URL+"/pbx/users", nil), &users)
	if len(users.Value) != 2 || users.Value[0].Name != "alice" || users.Value[1].Name != "bob" || users.Value[1].Extension != "202" {
		t.Errorf("users on the PBX: %+v", users.Value)
	}
	if users.LastEventID != 0 {
		t.Errorf("last event id %d, want 0: the users were added before the fake served", users.LastEventID)
	}
}
