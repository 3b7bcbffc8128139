package xphone

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// mockRig is XPhone for alice (user 0) on a graph.Mock: Teams shows
// Available at sequence 1, the mock remembers the subscriber, and every
// setPresence is timed.
type mockRig struct {
	clk      *clock.Clock
	g        *graph.Mock
	m        *Model
	sub      graph.Subscriber
	subID    graph.SubscriptionID
	setErrs  []error
	setTimes []clock.Time
}

func newMockRig(t *testing.T) *mockRig {
	t.Helper()
	r := &mockRig{clk: clock.New(), g: &graph.Mock{}}
	r.g.ReadFunc = func(u teams.UserID) (graph.Presence, error) {
		return graph.Presence{User: u, Presence: p.Of(p.Available, p.ActAvailable), Sequence: 1}, nil
	}
	r.g.SubscribeFunc = func(_ []teams.UserID, s graph.Subscriber) (graph.SubscriptionID, error) {
		r.subID++
		r.sub = s
		return r.subID, nil
	}
	r.g.UnsubscribeFunc = func(graph.SubscriptionID) error { return nil }
	r.g.SetPresenceFunc = func(teams.UserID, p.Presence, time.Duration) error {
		r.setTimes = append(r.setTimes, r.clk.Now())
		if len(r.setErrs) > 0 {
			err := r.setErrs[0]
			r.setErrs = r.setErrs[1:]
			return err
		}
		return nil
	}
	r.g.ClearPresenceFunc = func(teams.UserID) error { return nil }
	ten := Tenant{
		Name: func(u teams.UserID) (string, bool) {
			if u == 0 {
				return "alice", true
			}
			return "", false
		},
		Lookup:      func(name string) (teams.UserID, bool) { return 0, name == "alice" },
		CheckExpiry: func(time.Duration) error { return nil },
	}
	r.m = NewOn(func(string) graph.Seam { return r.g }, r.clk, &trace.Trace{}, ten, DefaultSettings())
	if err := r.m.AddUser(0); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *mockRig) notify(pr p.Presence, seq uint64) {
	r.sub.Notified(r.clk.Now(), graph.Notification{Subscription: r.subID, Changed: r.clk.Now(),
		Presence: graph.Presence{User: 0, Presence: pr, Sequence: seq}})
}

func (r *mockRig) shows(t *testing.T, want string) {
	t.Helper()
	st, err := r.m.Status(0)
	if err != nil || st.Text != want {
		t.Fatalf("XPhone shows %q (%v); want %q\n%s", st.Text, err, want, r.m.Explain(0))
	}
}

// C-8: Teams' Do not disturb at sequence 3, then a notification of
// Available at sequence 2 that Graph delivered late: XPhone keeps the newer.
func TestXPhoneIgnoresOlderNotification(t *testing.T) {
	r := newMockRig(t)
	r.notify(p.Of(p.DoNotDisturb, p.ActDoNotDisturb), 3)
	r.shows(t, "Nicht stören")
	r.notify(p.Of(p.Available, p.ActAvailable), 2)
	r.shows(t, "Nicht stören")
	r.notify(p.Of(p.Available, p.ActAvailable), 4)
	r.shows(t, "Verfügbar")
}

// C-5: the write of an XPhone call answered 429 with Retry-After 30 s is
// sent again no sooner than 30 s later, and then holds the session.
func TestXPhoneWriteWaitsRetryAfter(t *testing.T) {
	r := newMockRig(t)
	r.setErrs = []error{&graph.Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: 30 * time.Second}}
	if err := r.m.StartCall(0); err != nil {
		t.Fatal(err)
	}
	if err := r.clk.Advance(29 * time.Second); err != nil {
		t.Fatal(err)
	}
	if len(r.setTimes) != 1 {
		t.Fatalf("setPresence sent %d times within Retry-After (at %v); want once", len(r.setTimes), r.setTimes)
	}
	if err := r.clk.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if len(r.setTimes) != 2 || r.setTimes[1].Sub(r.setTimes[0]) < 30*time.Second {
		t.Fatalf("setPresence at %v; want a second one at least 30 s after the 429", r.setTimes)
	}
	if !r.m.lookup(0).ownSession {
		t.Fatalf("after the retry XPhone holds no session\n%s", r.m.Explain(0))
	}
	var failed, retried bool
	for _, e := range r.m.Journal() {
		failed = failed || e.Kind == Write && strings.Contains(e.What, "429")
		retried = retried || e.Kind == Input && e.Origin == FromTimer && strings.Contains(e.What, "back-off")
	}
	if !failed || !retried {
		t.Fatalf("journal shows the 429 %v, the retry %v; want both:\n%v", failed, retried, r.m.Journal())
	}
	if err := r.m.CheckNoEcho(); err != nil {
		t.Fatal(err)
	}
}

// C-5: a Teams change read while a write waits for the back-off does not
// send the write early (nor counts as an echo).
func TestXPhoneWriteWaitsThroughTeamsChange(t *testing.T) {
	r := newMockRig(t)
	r.setErrs = []error{&graph.Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", RetryAfter: 30 * time.Second}}
	if err := r.m.StartCall(0); err != nil {
		t.Fatal(err)
	}
	if err := r.clk.Advance(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	r.notify(p.Of(p.DoNotDisturb, p.ActDoNotDisturb), 2)
	if len(r.setTimes) != 1 {
		t.Fatalf("setPresence sent %d times before Retry-After ran out; want once", len(r.setTimes))
	}
	if err := r.clk.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if len(r.setTimes) != 2 {
		t.Fatalf("setPresence sent %d times; want the retry", len(r.setTimes))
	}
	if err := r.m.CheckNoEcho(); err != nil {
		t.Fatal(err)
	}
}

// dropping is a seam over the world's that loses every notification.
type dropping struct{ graph.Seam }

type deaf struct{}

func (deaf) Notified(clock.Time, graph.Notification) {}

func (d dropping) Subscribe(ids []teams.UserID, _ graph.Subscriber) (graph.SubscriptionID, error) {
	return d.Seam.Subscribe(ids, deaf{})
}

// C-7: when Graph loses every notification, XPhone still follows a Teams
// call, within ResyncAfter of its start and of its end.
func TestXPhoneRecoversLostNotifications(t *testing.T) {
	w := sim.MustNew(1)
	alice, _ := w.AddUser("alice", "")
	bob, _ := w.AddUser("bob", "")
	for _, u := range []teams.UserID{alice, bob} {
		if err := w.Teams.SignIn(u, teams.Mobile); err != nil {
			t.Fatal(err)
		}
	}
	m := NewOn(func(app string) graph.Seam { return dropping{w.Graph(app)} }, w.Clock, w.Trace, TenantOf(w), DefaultSettings())
	if err := m.AddUser(alice); err != nil {
		t.Fatal(err)
	}
	c, err := w.Teams.StartCall(alice, bob)
	if err != nil {
		t.Fatal(err)
	}
	settle(t, w)
	if n := len(m.Appointments(alice)); n != 0 {
		t.Fatalf("%d appointments without any notification; want none yet", n)
	}
	if err := w.Clock.Advance(m.Settings().ResyncAfter); err != nil {
		t.Fatal(err)
	}
	if n := len(m.Appointments(alice)); n != 1 {
		t.Fatalf("%d appointments %s after the call started; want the call read\n%s", n, m.Settings().ResyncAfter, m.Explain(alice))
	}
	if err := w.Teams.EndCall(c); err != nil {
		t.Fatal(err)
	}
	if err := w.Clock.Advance(m.Settings().ResyncAfter); err != nil {
		t.Fatal(err)
	}
	if n := len(m.Appointments(alice)); n != 0 {
		t.Fatalf("%d appointments %s after the call ended; want none\n%s", n, m.Settings().ResyncAfter, m.Explain(alice))
	}
}
