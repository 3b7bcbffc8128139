package teams

import (
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/trace"
)

func newModel(t testing.TB, s Settings) (*Model, *clock.Clock) {
	t.Helper()
	clk := clock.New()
	m, err := New(clk, &trace.Trace{}, s)
	if err != nil {
		t.Fatal(err)
	}
	return m, clk
}

func addUser(t testing.TB, m *Model, name string) UserID {
	t.Helper()
	id, err := m.AddUser(Directory{Name: name, Org: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAggregate(t *testing.T) {
	type act func(m *Model, u, v UserID) error
	signIn := func(k ClientKind) act { return func(m *Model, u, _ UserID) error { return m.SignIn(u, k) } }
	app := func(name string, pr p.Presence) act {
		return func(m *Model, u, _ UserID) error { return m.SetAppPresence(u, m.App(name), pr, time.Hour) }
	}
	manual := func(pr p.Presence) act {
		return func(m *Model, u, _ UserID) error { return m.SetPreferred(u, pr, 0, ViaClient) }
	}
	call := func(m *Model, u, v UserID) error { _, err := m.StartCall(u, v); return err }
	tests := []struct {
		name string
		acts []act
		want p.Presence
		rule string
	}{
		{"nothing", nil, p.Of(p.Offline, p.ActOffline), "T-AGG-4"},
		{"one client", []act{signIn(Desktop)}, p.Of(p.Available, p.ActAvailable), "T-ACT-1"},
		{"DND beats Busy", []act{app("a", p.Of(p.Busy, p.InACall)), app("b", p.Of(p.DoNotDisturb, p.Presenting))}, p.Of(p.DoNotDisturb, p.Presenting), "T-AGG-2"},
		{"Busy beats Available", []act{signIn(Mobile), app("a", p.Of(p.Busy, p.InACall))}, p.Of(p.Busy, p.InACall), "T-AGG-2"},
		{"Available beats Away", []act{app("a", p.Of(p.Away, p.ActAway)), signIn(Mobile)}, p.Of(p.Available, p.ActAvailable), "T-AGG-2"},
		{"conference beats call", []act{signIn(Mobile), app("a", p.Of(p.Busy, p.InACall)), app("b", p.Of(p.Busy, p.InAConferenceCall))}, p.Of(p.Busy, p.InAConferenceCall), "T-AGG-5"},
		{"manual beats all", []act{signIn(Mobile), call, manual(p.Of(p.Away, p.ActAway))}, p.Of(p.Away, p.ActAway), "T-AGG-1"},
		{"manual without session", []act{manual(p.Of(p.Busy, p.ActBusy))}, p.Of(p.Offline, p.ActOffline), "T-AGG-3"},
		{"call without session", []act{call}, p.Of(p.Offline, p.ActOffline), "T-AGG-4"},
		{"call with session", []act{signIn(Web), call}, p.Of(p.Busy, p.InACall), "T-AGG-2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newModel(t, DefaultSettings())
			u, v := addUser(t, m, "alice"), addUser(t, m, "bob")
			_ = m.SignIn(v, Mobile)
			for _, a := range tc.acts {
				if err := a(m, u, v); err != nil {
					t.Fatal(err)
				}
			}
			if got := m.Presence(u); got != tc.want || m.Rule(u) != tc.rule {
				t.Fatalf("got %s by %s, want %s by %s\n%s", got, m.Rule(u), tc.want, tc.rule, m.Explain(u))
			}
		})
	}
}

func TestPrecedenceIsChecked(t *testing.T) {
	s := DefaultSettings()
	s.Precedence.Availability = s.Precedence.Availability[1:]
	if _, err := New(clock.New(), nil, s); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("a precedence table missing a value must be refused, got %v", err)
	}
	s = DefaultSettings()
	s.Precedence.Activity = append(s.Precedence.Activity, p.InACall)
	if _, err := New(clock.New(), nil, s); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a precedence table naming a value twice must be refused, got %v", err)
	}
}

func TestSwappedPrecedenceChangesTheWinner(t *testing.T) {
	s := DefaultSettings()
	s.Precedence.SwapAvailability(p.DoNotDisturb, p.Busy)
	m, _ := newModel(t, s)
	u := addUser(t, m, "alice")
	_ = m.SetAppPresence(u, m.App("a"), p.Of(p.Busy, p.InACall), time.Hour)
	_ = m.SetAppPresence(u, m.App("b"), p.Of(p.DoNotDisturb, p.Presenting), time.Hour)
	if got := m.Presence(u); got != p.Of(p.Busy, p.InACall) {
		t.Fatalf("with Busy above DoNotDisturb the model shows %s", got)
	}
}

func TestBadInputIsRefused(t *testing.T) {
	m, _ := newModel(t, DefaultSettings())
	u := addUser(t, m, "alice")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown user id", m.SignIn(UserID(99), Desktop), "unknown user"},
		{"expiry too short", m.SetAppPresence(u, m.App("a"), p.Of(p.Available, p.ActAvailable), time.Minute), "outside"},
		{"expiry too long", m.SetAppPresence(u, m.App("a"), p.Of(p.Available, p.ActAvailable), 5*time.Hour), "outside"},
		{"unknown session", m.ClearAppPresence(u, m.App("nobody")), "no presence session"},
		{"system state by hand", m.SetPreferred(u, p.Of(p.Busy, p.InAMeeting), 0, ViaClient), "cannot be set by hand"},
		{"idle without sign-in", m.GoIdle(u, Web), "not signed in"},
		{"call with oneself", func() error { _, err := m.StartCall(u, u); return err }(), "named twice"},
		{"appointment ending before it starts", func() error {
			_, err := m.AddAppointment(u, "x", clock.At(1, 10, 0), clock.At(1, 9, 0), ShowBusy)
			return err
		}(), "must end after"},
	}
	for _, tc := range tests {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", tc.name, tc.err, tc.want)
		}
	}
	if _, err := m.User("zed"); err == nil || !strings.Contains(err.Error(), "alice") {
		t.Errorf("unknown name: %v, want the known users listed", err)
	}
}

func TestAggregateAllocatesNothing(t *testing.T) {
	m, _ := newModel(t, DefaultSettings())
	u, v := addUser(t, m, "alice"), addUser(t, m, "bob")
	_ = m.SignIn(u, Desktop)
	_ = m.SignIn(u, Mobile)
	_ = m.SetAppPresence(u, m.App("pbx"), p.Of(p.Busy, p.InACall), time.Hour)
	_, _ = m.StartCall(u, v)
	_ = m.SetAutoReplies(u, true)
	usr := m.users[u]
	if n := testing.AllocsPerRun(1000, func() { _ = m.aggregate(usr) }); n != 0 {
		t.Fatalf("aggregate allocates %.1f times per call", n)
	}
}

// BenchmarkAggregate measures one user's aggregation with three clients, an
// app session, a call, a calendar entry and automatic replies live.
func BenchmarkAggregate(b *testing.B) {
	m, clk := newModel(b, DefaultSettings())
	u, v := addUser(b, m, "alice"), addUser(b, m, "bob")
	for _, k := range ClientKinds() {
		_ = m.SignIn(u, k)
	}
	_ = m.SetAppPresence(u, m.App("pbx"), p.Of(p.Busy, p.InACall), time.Hour)
	_, _ = m.StartCall(u, v)
	_, _ = m.AddAppointment(u, "x", 0, clock.At(1, 23, 0), ShowBusy)
	_ = clk.RunUntil(clock.At(1, 0, 1))
	_ = m.SetAutoReplies(u, true)
	usr := m.users[u]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.aggregate(usr)
	}
}
