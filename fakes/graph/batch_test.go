package graph

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type batchAnswer struct {
	Responses []struct {
		ID      string            `json:"id"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"responses"`
}

func (f *fixture) batch(tok, body string) (int, batchAnswer, []byte) {
	f.t.Helper()
	st, b, _ := f.do("POST", "/v1.0/$batch", tok, body)
	var a batchAnswer
	if st == 200 {
		if err := json.Unmarshal(b, &a); err != nil {
			f.t.Fatalf("batch answer is not JSON: %v: %s", err, b)
		}
	}
	return st, a, b
}

func (a batchAnswer) byID() map[string]int {
	m := map[string]int{}
	for _, r := range a.Responses {
		m[r.ID] = r.Status
	}
	return m
}

func TestBatchEnvelope(t *testing.T) {
	f := newFixture(t, Options{Throttle: Throttle{Off: true}})
	tok := f.appToken()
	get := func(id string) string {
		return `{"id":"` + id + `","method":"GET","url":"/users/` + f.ids["alice"] + `/presence"}`
	}
	many := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = get(fmt.Sprint(i + 1))
		}
		return `{"requests":[` + strings.Join(parts, ",") + `]}`
	}
	cases := []struct {
		name, body string
		status     int
	}{
		{"twenty", many(20), 200},
		{"twenty-one", many(21), 400},
		{"none", `{"requests":[]}`, 400},
		{"no requests member", `{}`, 400},
		{"not an object", `[` + get("1") + `]`, 400},
		{"malformed", `{"requests":[{"id":"1",`, 400},
		{"number id", `{"requests":[{"id":1,"method":"GET","url":"/me"}]}`, 400},
		{"duplicate id", `{"requests":[` + get("1") + `,` + get("1") + `]}`, 400},
		{"absolute url", `{"requests":[{"id":"1","method":"GET","url":"https://graph.microsoft.com/v1.0/me"}]}`, 400},
		{"nested batch", `{"requests":[{"id":"1","method":"POST","url":"/$batch","headers":{"Content-Type":"application/json"},"body":{"requests":[]}}]}`, 400},
		{"unknown method", `{"requests":[{"id":"1","method":"TRACE","url":"/me"}]}`, 400},
		{"body without content type", `{"requests":[{"id":"1","method":"POST","url":"/communications/getPresencesByUserId","body":{"ids":[]}}]}`, 400},
		{"unknown dependency", `{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":["9"]}]}`, 400},
		{"cycle", `{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":["2"]},{"id":"2","method":"GET","url":"/me","dependsOn":["1"]}]}`, 400},
		{"too many dependencies", `{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":[` + strings.TrimSuffix(strings.Repeat(`"2",`, 20), ",") + `]},{"id":"2","method":"GET","url":"/me"}]}`, 400},
		{"too many headers", `{"requests":[{"id":"1","method":"GET","url":"/me","headers":{` + func() string {
			h := make([]string, 65)
			for i := range h {
				h[i] = fmt.Sprintf(`"x-h%d":"v"`, i)
			}
			return strings.Join(h, ",")
		}() + `}}]}`, 400},
		{"deeply nested body", `{"requests":[{"id":"1","method":"POST","url":"/communications/getPresencesByUserId","headers":{"Content-Type":"application/json"},"body":` + strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000) + `}]}`, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, a, b := f.batch(tok, c.body)
			if st != c.status {
				t.Fatalf("want %d, got %d %s", c.status, st, truncate(string(b), 300))
			}
			if st == 200 && len(a.Responses) != 20 {
				t.Fatalf("twenty answers expected: %s", b)
			}
		})
	}
	if st, _, _ := f.batch("", many(1)); st != 401 {
		t.Errorf("a batch without a token is 401, got %d", st)
	}
}

func TestBatchInnerRequestsAsIfAlone(t *testing.T) {
	f := newFixture(t, Options{})
	f.h.SetThrottle(Throttle{Limit: 3})
	tok := f.appToken()
	alice := f.ids["alice"]
	body := `{"requests":[
	 {"id":"get","method":"GET","url":"/users/` + alice + `/presence"},
	 {"id":"set","method":"POST","url":"/users/` + alice + `/presence/setPresence","headers":{"Content-Type":"application/json"},
	  "body":{"sessionId":"` + f.app.AppID + `","availability":"Busy","activity":"InACall","expirationDuration":"PT1H"}},
	 {"id":"after","method":"GET","url":"users/` + alice + `/presence","dependsOn":["set"]},
	 {"id":"over","method":"GET","url":"/communications/presences/` + alice + `"},
	 {"id":"dep","method":"GET","url":"/me/presence","dependsOn":["over"]},
	 {"id":"me","method":"GET","url":"/me/presence"}]}`
	before := len(f.h.Journal.Entries())
	st, a, b := f.batch(tok, body)
	if st != 200 {
		t.Fatalf("batch: %d %s", st, b)
	}
	got := a.byID()
	// get, set, after use the limit of three; over and me are throttled;
	// dep depends on over, which failed
	want := map[string]int{"get": 200, "set": 200, "after": 200, "over": 429, "dep": 424, "me": 429}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("request %s: want %d, got %d (%s)", id, s, got[id], b)
		}
	}
	for _, r := range a.Responses {
		switch r.ID {
		case "after":
			if !strings.Contains(string(r.Body), `"activity":"InACall"`) {
				t.Errorf("the request depending on setPresence runs after it: %s", r.Body)
			}
		case "over":
			if r.Headers["Retry-After"] == "" || !strings.Contains(string(r.Body), "TooManyRequests") {
				t.Errorf("a throttled request carries its own Retry-After and error: %v %s", r.Headers, r.Body)
			}
		}
	}
	es := f.h.Journal.Entries()[before:]
	var paths []string
	for _, e := range es {
		paths = append(paths, fmt.Sprintf("%s %d", e.Method, e.Status))
	}
	// five requests were sent (dep was not) and the batch itself
	if len(es) != 6 || es[len(es)-1].Path != "/v1.0/$batch" || es[len(es)-1].Status != 200 {
		t.Errorf("journal: each sent request and the batch; got %v", paths)
	}
	// the batch itself does not count against the limit: a new window lets
	// three requests through again
	f.h.SetThrottle(Throttle{Limit: 3})
	_, a, b = f.batch(tok, `{"requests":[{"id":"1","method":"GET","url":"/users/`+alice+`/presence"},{"id":"2","method":"GET","url":"/users/`+alice+`/presence"},{"id":"3","method":"GET","url":"/users/`+alice+`/presence"}]}`)
	for id, s := range a.byID() {
		if s != 200 {
			t.Errorf("request %s of three within the limit: %d (%s)", id, s, b)
		}
	}
}

func TestBatchFaultsAndAuthorisationPerRequest(t *testing.T) {
	f := newFixture(t, Options{Throttle: Throttle{Off: true}})
	tok := f.appToken()
	alice := f.ids["alice"]
	parts := make([]string, 20)
	for i := range parts {
		parts[i] = `{"id":"` + fmt.Sprint(i) + `","method":"GET","url":"/users/` + alice + `/presence"}`
	}
	body := `{"requests":[` + strings.Join(parts, ",") + `]}`
	f.h.SetFaults(Faults{ErrorRate: 0.5, Statuses: []int{503}, RetryAfter: 7})
	st, a, b := f.batch(tok, body)
	if st != 200 {
		t.Fatalf("a batch is answered 200 whatever its requests answer: %d %s", st, b)
	}
	n503 := 0
	for _, r := range a.Responses {
		if r.Status == 503 {
			n503++
			if r.Headers["Retry-After"] != "7" {
				t.Errorf("an injected 503 carries Retry-After 7: %v", r.Headers)
			}
		}
	}
	if n503 == 0 || n503 == 20 {
		t.Errorf("half the requests draw a fault on their own; %d of 20 did", n503)
	}
	f.h.SetFaults(Faults{})
	// a delegated token inside a batch is held to the delegated matrix
	_, a, b = f.batch(f.userToken("alice"), `{"requests":[{"id":"self","method":"GET","url":"/me/presence"},
	  {"id":"write-other","method":"POST","url":"/users/`+f.ids["bob"]+`/presence/setPresence","headers":{"content-type":"application/json"},"body":{"sessionId":"`+f.app.AppID+`","availability":"Away","activity":"Away"}}]}`)
	if got := a.byID(); got["self"] != 200 || got["write-other"] != 403 {
		t.Errorf("each request is authorised as if sent alone: %v %s", got, b)
	}
}
