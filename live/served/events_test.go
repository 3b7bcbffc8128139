package served

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/event"
)

// TestEveryEventOverTheControlAPI posts every input of the event table, by
// its JSON name, to one served world and applies the same event through
// World.Apply to its twin: each answer is the twin's (200, or 400 with the
// model's reason), and the two worlds record the same trace.
func TestEveryEventOverTheControlAPI(t *testing.T) {
	opt := Options{Clock: live.Clock{Manual: true}}
	served, twin := serveWith(t, opt), serveWith(t, opt)
	ok := 0
	for _, o := range event.Ops()[1:] {
		ev := o.Example()
		body, err := ev.EncodeJSON()
		if err != nil {
			t.Fatal(err)
		}
		st, answer := postEvent(t, served, string(body))
		var want error
		_ = twin.World().Do(func(w *sim.World) error { want = w.Apply(ev); return nil })
		switch {
		case want == nil && st != http.StatusOK:
			t.Errorf("%s: %d %s; World.Apply took it", body, st, answer)
		case want != nil && (st != http.StatusBadRequest || !strings.Contains(answer, jsonText(want.Error()))):
			t.Errorf("%s: %d %s; want 400 saying %q", body, st, answer, want)
		case want == nil:
			ok++
		}
	}
	t.Logf("%d of %d inputs taken", ok, event.NumOps-1)
	if ok < int(event.NumOps)/2 {
		t.Fatalf("only %d of %d inputs were taken; the examples do not reach the model", ok, event.NumOps-1)
	}
	var a, b string
	_ = served.World().Do(func(w *sim.World) error { a = w.Trace.Text(); return nil })
	_ = twin.World().Do(func(w *sim.World) error { b = w.Trace.Text(); return nil })
	if a != b || a == "" {
		t.Fatalf("the control API and World.Apply left different traces:\n--- control API\n%s\n--- World.Apply\n%s", a, b)
	}
}

// TestMalformedEventsAreRefused: a body that is no event gets 400 and a
// message that says what is wrong and what is valid.
func TestMalformedEventsAreRefused(t *testing.T) {
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}})
	for _, c := range []struct{ body, says string }{
		{``, "invalid JSON body"},
		{`{"event":"signIn","user":"alice","client":"web"`, "invalid JSON body"},
		{`{"event":"dance","user":"alice"}`, "valid: signIn, signOut"},
		{`{"user":"alice"}`, `\"event\" names the input`},
		{`{"event":"signIn","user":"alice","client":"fax"}`, "signIn: client"},
		{`{"event":"lock","user":"alice","client":"web"}`, `lock takes no \"client\"`},
		{`{"event":"startCall","users":"alice"}`, "is a list of names"},
		{`{"event":"setPreferred","user":"alice","presence":"Sleepy"}`, "setPreferred: presence"},
		{`{"event":"signIn","user":"nobody","client":"web"}`, "nobody"},
	} {
		st, answer := postEvent(t, srv, c.body)
		if st != http.StatusBadRequest || !strings.Contains(answer, c.says) {
			t.Errorf("%s: %d %s; want 400 saying %q", c.body, st, answer, c.says)
		}
	}
}

func postEvent(t *testing.T, srv *Server, body string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+"/_presencesim/events", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// jsonText is s as it stands inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
