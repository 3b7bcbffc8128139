package xphone

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
)

func newHandler(t testing.TB, o Options) (*Handler, *live.World) {
	t.Helper()
	w := sim.MustNew(1)
	for _, n := range []string{"alice", "bob", "presenceaccount"} {
		if _, err := w.AddUser(n, ""); err != nil {
			t.Fatal(err)
		}
	}
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	o.Exclude = append(o.Exclude, "presenceaccount")
	return New(lw, o), lw
}

func do(t *testing.T, h http.Handler, method, path, body string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "http://xphone.test"+path, strings.NewReader(body)))
	return rec.Code, rec.Body.String()
}

// TestAPI walks the connector's and the harness's requests in order: each
// answers its status, and errors say what was wrong.
func TestAPI(t *testing.T) {
	var changes []Change
	h, _ := newHandler(t, Options{OnChange: func(c Change) { changes = append(changes, c) }})
	steps := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/xphone/users", "", 200, `"name":"alice"`},
		{"GET", "/xphone/users/presenceaccount", "", 404, "no such XPhone user"},
		{"GET", "/xphone/users/alice", "", 200, `"selected":"Verfügbar"`},
		{"POST", "/xphone/users/alice/calls", "", 200, `"calls":1`},
		{"DELETE", "/xphone/users/alice/calls", "", 200, `"calls":0`},
		{"DELETE", "/xphone/users/alice/calls", "", 400, "none to end"},
		{"POST", "/xphone/users/alice/meetings", "", 200, `"meetings":1`},
		{"PUT", "/xphone/users/alice/profile", `{"name":"nicht stören"}`, 200, `"selected":"Nicht stören"`},
		{"PUT", "/xphone/users/alice/profile", `{"name":"Urlaub"}`, 404, `no profile \"Urlaub\"`},
		{"PUT", "/xphone/users/alice/profile", `{"name":"x","extra":1}`, 400, "unknown field"},
		{"POST", "/xphone/users/alice/appointments", `{"text":"Am Telefon (MS Teams)","profile":"Termin","source":"teams-call"}`, 201, `"id":1`},
		{"POST", "/xphone/users/alice/appointments", `{"text":"x","profile":"Termin","source":"pbx"}`, 400, "want one of teams-call, teams-meeting"},
		{"GET", "/xphone/users/alice", "", 200, `"appointments":[{"id":1`},
		{"DELETE", "/xphone/users/alice/appointments/1", "", 204, ""},
		{"DELETE", "/xphone/users/alice/appointments/1", "", 404, "no appointment 1"},
		{"DELETE", "/xphone/users/alice/appointments/x", "", 400, "positive number"},
		{"PUT", "/xphone/users/bob/profiles", `[{"name":"Frei","availability":"Available","activity":"Available"},{"name":"Ruhe","availability":"DoNotDisturb","activity":"DoNotDisturb"}]`, 200, `"selected":"Frei"`},
		{"PUT", "/xphone/users/bob/profiles", `[{"name":"A","availability":"Busy","activity":"InACall"}]`, 400, "profile"},
		{"POST", "/xphone/users/bob/microphone", `{"process":"Zoom","on":true}`, 200, `"microphone":["Zoom"]`},
		{"GET", "/xphone/users?after=x", "", 400, "want the version"},
		{"GET", "/xphone/users?wait=-1s", "", 400, "want a duration"},
		{"GET", "/xphone/nothing", "", 404, "see GET /xphone/users"},
		{"PUT", "/xphone/users/alice/profile", `{"name":"` + strings.Repeat("x", MaxBody) + `"}`, 413, "larger than"},
	}
	for _, s := range steps {
		code, body := do(t, h, s.method, s.path, s.body)
		if code != s.status || !strings.Contains(body, s.want) {
			t.Errorf("%s %s: %d %s; want %d with %q", s.method, s.path, code, body, s.status, s.want)
		}
	}
	var by []string
	for _, c := range changes {
		by = append(by, c.Kind.String()+"/"+c.By)
	}
	want := "XPhone call started/harness,XPhone call ended/harness,XPhone meeting joined/harness,profile selected/connector," +
		"appointment created/connector,appointment deleted/connector,profiles set/harness,microphone/harness"
	if got := strings.Join(by, ","); got != want {
		t.Errorf("journal:\n got %s\nwant %s", got, want)
	}
}

// TestLimits: every list a client can grow stops at its cap with 409.
func TestLimits(t *testing.T) {
	h, _ := newHandler(t, Options{})
	for i := 0; i < MaxAppointments; i++ {
		if code, body := do(t, h, "POST", "/xphone/users/alice/appointments", `{"text":"t","profile":"Termin","source":"teams-call"}`); code != 201 {
			t.Fatalf("appointment %d: %d %s", i+1, code, body)
		}
	}
	if code, body := do(t, h, "POST", "/xphone/users/alice/appointments", `{"text":"t","profile":"Termin","source":"teams-call"}`); code != 409 || !strings.Contains(body, "at most") {
		t.Errorf("one appointment too many: %d %s", code, body)
	}
	for i := 0; i < MaxCalls; i++ {
		do(t, h, "POST", "/xphone/users/alice/calls", "")
	}
	if code, _ := do(t, h, "POST", "/xphone/users/alice/calls", ""); code != 409 {
		t.Errorf("one call too many: %d", code)
	}
	var many []string
	for i := 0; i <= MaxProfiles; i++ {
		many = append(many, `{"name":"p`+strings.Repeat("x", i)+`","availability":"Available","activity":"Available"}`)
	}
	if code, _ := do(t, h, "PUT", "/xphone/users/alice/profiles", "["+strings.Join(many, ",")+"]"); code != 409 {
		t.Errorf("one profile too many: %d", code)
	}
	for i := 0; i < MaxJournal+10; i++ {
		if err := h.SelectProfile("bob", "Abwesend"); err != nil {
			t.Fatal(err)
		}
	}
	_ = h.lw.Do(func(*sim.World) error {
		j, dropped := h.Journal()
		if len(j) != MaxJournal || dropped < 10 {
			t.Errorf("journal holds %d, dropped %d; want %d and at least 10", len(j), dropped, MaxJournal)
		}
		return nil
	})
}

// TestLongPollWakesOnChange: a poll after the current version returns as
// soon as something changes, with the new version.
func TestLongPollWakesOnChange(t *testing.T) {
	h, _ := newHandler(t, Options{})
	_, body := do(t, h, "GET", "/xphone/users", "")
	var first struct{ Version uint64 }
	if err := json.Unmarshal([]byte(body), &first); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "http://xphone.test/xphone/users?after="+jsonNum(first.Version)+"&wait=20s", nil))
		done <- rec.Body.String()
	}()
	if err := h.Call("alice", true); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-done:
		var got struct{ Version uint64 }
		_ = json.Unmarshal([]byte(b), &got)
		if got.Version <= first.Version || !strings.Contains(b, `"calls":1`) {
			t.Errorf("the poll answered version %d (after %d): %s", got.Version, first.Version, b)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the long poll did not wake on the change")
	}
}

func jsonNum(v uint64) string { b, _ := json.Marshal(v); return string(b) }
