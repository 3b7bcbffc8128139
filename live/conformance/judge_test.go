package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

// judged builds a session that never started, with the given calls on its
// wire, to judge them.
func judged(t testing.TB, calls []Call) (*Session, clock.Time) {
	w := sim.MustNew(3)
	if _, err := w.AddUser("alice", ""); err != nil {
		t.Fatal(err)
	}
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{w: w, lw: lw, target: Target{Integration: "cloudlink"}.withDefaults(), wire: newWire()}
	s.App = &graphApp
	s.wire.calls = calls
	var last clock.Time
	for _, c := range calls {
		last = c.At
	}
	return s, last
}

var graphApp = graph.App{AppID: "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", DisplayName: AppName}

func at(m, sec int) clock.Time { return clock.At(1, 9, m).Add(time.Duration(sec) * time.Second) }

func set(t clock.Time, pair string, status int) Call {
	a, act, _ := strings.Cut(pair, "/")
	c := Call{At: t, Method: "POST", Action: "setPresence", AppID: graphApp.AppID, Target: "u1", SessionID: graphApp.AppID, HasSession: true,
		Availability: a, Activity: act, Expiration: 5 * time.Minute, Status: status}
	c.pair, c.pairOK = parsePair(a, act)
	c.parsed = true
	return c
}

// TestJudgeTable feeds recorded requests to the judge and expects exactly
// the rules each breaks.
func TestJudgeTable(t *testing.T) {
	wrong := set(at(0, 0), "Busy/InACall", 400)
	wrong.SessionID = "someone-else"
	pref := Call{At: at(0, 0), Action: "setUserPreferredPresence", AppID: graphApp.AppID, Target: "u1", Availability: "DoNotDisturb", Activity: "DoNotDisturb", Status: 200}
	throttled := set(at(0, 0), "Busy/InACall", 429)
	throttled.RetryAfter = 30
	cases := []struct {
		name  string
		calls []Call
		want  string
	}{
		{"refreshed in time", []Call{set(at(0, 0), "Busy/InACall", 200), set(at(2, 0), "Busy/InACall", 200), set(at(4, 0), "Busy/InACall", 200)}, ""},
		{"wrong session id", []Call{wrong}, "C-1"},
		{"a pair setPresence refuses", []Call{set(at(0, 0), "DoNotDisturb/DoNotDisturb", 400)}, "C-1"},
		{"gap longer than the expiry", []Call{set(at(0, 0), "Busy/InACall", 200), set(at(6, 0), "Busy/InACall", 200)}, "C-2"},
		{"Available written", []Call{set(at(0, 0), "Available/Available", 200)}, "C-3"},
		{"preferred presence", []Call{pref}, "C-4"},
		{"retry before Retry-After", []Call{throttled, set(at(0, 5), "Busy/InACall", 200)}, "C-5"},
		{"retry after Retry-After", []Call{throttled, set(at(0, 31), "Busy/InACall", 200)}, ""},
		{"echo", []Call{set(at(0, 0), "Busy/InACall", 200), set(at(0, 1), "Busy/InACall", 200)}, "C-9"},
	}
	for _, c := range cases {
		s, now := judged(t, c.calls)
		got := strings.Join(RuleIDs(s.Judge(now, "C-1", "C-2", "C-3", "C-4", "C-5", "C-9")), ",")
		if got != c.want {
			t.Errorf("%s: broke %q, want %q\n%s", c.name, got, c.want, Report(s.Judge(now)))
		}
	}
}

// BenchmarkJudge judges a day of one user's refreshes and calls: 5,000
// requests.
func BenchmarkJudge(b *testing.B) {
	var calls []Call
	for i := 0; i < 5000; i++ {
		calls = append(calls, set(clock.Time(time.Duration(i)*90*time.Second), "Busy/InACall", 200))
	}
	s, now := judged(b, calls)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if vs := s.Judge(now, "C-1", "C-2", "C-3", "C-4", "C-5", "C-9"); len(vs) != 0 {
			b.Fatal(Report(vs))
		}
	}
}

// TestJudgeAuth feeds token and Graph requests with their wall times to
// the C-11 judge.
func TestJudgeAuth(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	// a call sent sec seconds in and answered half a second later, over TLS
	call := func(sec float64, action string, status int) Call {
		w := t0.Add(time.Duration(sec * float64(time.Second)))
		return Call{At: clock.At(1, 9, 0).Add(w.Sub(t0)), Method: "POST", Action: action, AppID: graphApp.AppID, Status: status,
			Wall: w, Answered: w.Add(500 * time.Millisecond), TLS: true}
	}
	token := func(sec float64, grant string) Call {
		c := call(sec, "token", 200)
		c.Grant, c.ExpiresIn = grant, 3599
		return c
	}
	write := func(sec float64, status int, revoked bool) Call {
		c := call(sec, "setPresence", status)
		c.Revoked = revoked
		return c
	}
	cc := "client_credentials"
	overlapping := token(1, cc)
	overlapping.Answered = t0.Add(3 * time.Second) // sent before the first was answered
	first := token(0, cc)
	first.Answered = t0.Add(2 * time.Second)
	discovery := call(0, "identity", 200)
	discovery.AppID, discovery.TLS = "", false
	cases := []struct {
		name  string
		calls []Call
		want  string // in the violation; "" for none
	}{
		{"one token for every request", []Call{token(0, cc), write(1, 200, false), write(2, 200, false)}, ""},
		{"a token before every request", []Call{token(0, cc), write(1, 200, false), token(2, cc), write(3, 200, false), token(4, cc)}, "still had 59m58s to live; a connector keeps its token until 5m0s before it expires (2 such token requests in all)"},
		{"renewed within the margin", []Call{token(0, cc), write(1, 200, false), token(3599-299, cc)}, ""},
		{"renewed after a 401", []Call{token(0, cc), write(1, 401, true), token(2, cc), write(3, 200, false)}, ""},
		{"the refused token again", []Call{token(0, cc), write(1, 401, true), write(2, 401, true), token(3, cc), write(4, 200, false)}, "without getting a new token first"},
		{"a 401 the harness did not provoke", []Call{token(0, cc), write(1, 401, false), token(2, cc), write(3, 200, false)}, "Graph refused its token 1 times"},
		{"an application and a delegated token", []Call{token(0, cc), token(1, "password")}, ""},
		{"two token requests at once", []Call{first, overlapping}, ""},
		{"plain HTTP", []Call{discovery, token(1, cc)}, "1 requests came over plain HTTP, the first POST"},
	}
	for _, c := range cases {
		s, now := judged(t, c.calls)
		vs := s.Judge(now, "C-11")
		got := Report(vs)
		if (c.want == "") != (len(vs) == 0) || !strings.Contains(got, c.want) {
			t.Errorf("%s: the judge found\n%s\nwant %q", c.name, got, c.want)
		}
		if c.want != "" && len(vs) != 1 {
			t.Errorf("%s: %d violations, want one:\n%s", c.name, len(vs), got)
		}
	}
}
