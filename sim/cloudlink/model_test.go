package cloudlink

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

func newWorld(t testing.TB, names ...string) (*sim.World, *Model, []teams.UserID) {
	t.Helper()
	w := sim.MustNew(11)
	m := Of(w)
	var ids []teams.UserID
	for _, n := range names {
		id, err := w.AddUser(n, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.PBX().Ensure(id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return w, m, ids
}

func TestDefaultTablesCompile(t *testing.T) {
	s := DefaultSettings()
	if _, err := s.compile(); err != nil {
		t.Fatal(err)
	}
	s.SyncDND = true
	c, err := s.compile()
	if err != nil {
		t.Fatal(err)
	}
	if r := c.session[p.DoNotDisturb]; !r.Write || r.Presence != p.Of(p.DoNotDisturb, p.Presenting) {
		t.Errorf("DND sync row: %+v", r)
	}
}

func TestBadTablesAreRefused(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(*Settings)
		want   string
	}{
		{"precedence short", func(s *Settings) { s.Precedence = s.Precedence[:3] }, "CL-2"},
		{"precedence twice", func(s *Settings) { s.Precedence[1] = p.Away }, "listed twice"},
		{"precedence foreign", func(s *Settings) { s.Precedence[0] = p.BeRightBack }, "not a CloudLink presence"},
		{"line row missing", func(s *Settings) { s.LineTable = s.LineTable[1:] }, "CL-3"},
		{"user row missing", func(s *Settings) { s.UserTable = s.UserTable[:4] }, "CL-4"},
		{"session pair not accepted", func(s *Settings) { s.SessionTable[2].Presence = p.Of(p.Busy, p.ActBusy) }, "setPresence does not accept Busy/Busy"},
		{"session row missing", func(s *Settings) { s.SessionTable = s.SessionTable[:5] }, "no row for"},
		{"refresh too long", func(s *Settings) { s.Refresh = s.Expiration }, "shorter than the expiration"},
		{"expiry out of range", func(s *Settings) { s.Expiration = 5 * time.Hour }, "G-SET-1"},
		{"no app id", func(s *Settings) { s.AppID = " " }, "app id"},
		{"Mitel One row missing", func(s *Settings) { s.MitelOne = s.MitelOne[1:] }, "CL-15"},
		{"Mitel One row twice", func(s *Settings) { s.MitelOne[1] = s.MitelOne[0] }, "repeated row"},
		{"unknown duplicate policy", func(s *Settings) { s.Duplicates = 7 }, "duplicate e-mail policy"},
	}
	for _, tc := range tests {
		_, m, _ := newWorld(t)
		s := DefaultSettings()
		tc.break_(&s)
		err := m.SetSettings(s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

// TestSessionTable checks CL-7/CL-8 per CloudLink presence on a user with no
// Teams client: what the session holds and what Teams shows.
func TestSessionTable(t *testing.T) {
	tests := []struct {
		set     func(m *pbx.Model) error
		cl      p.Availability
		session p.Presence
		has     bool
	}{
		{func(m *pbx.Model) error { return nil }, p.Available, p.Presence{}, false},
		{func(m *pbx.Model) error { return m.SetUserPresence(0, pbx.StAway, pbx.ViaPhone) }, p.Away, p.Of(p.Away, p.ActAway), true},
		{func(m *pbx.Model) error { return m.SetUserPresence(0, pbx.StMeeting, pbx.ViaPortal) }, p.Busy, p.Of(p.Busy, p.InACall), true},
		{func(m *pbx.Model) error { return m.SetUserPresence(0, pbx.StUnavailable, pbx.ViaPhone) }, p.DoNotDisturb, p.Presence{}, false},
		{func(m *pbx.Model) error { return m.LineEvent(0, pbx.DeskPhone, pbx.OffHook) }, p.Busy, p.Of(p.Busy, p.InACall), true},
	}
	for i, tc := range tests {
		w, m, ids := newWorld(t, "alice")
		if err := tc.set(m.PBX()); err != nil {
			t.Fatal(err)
		}
		if got := m.Presence(0); got != tc.cl {
			t.Errorf("case %d: CloudLink presence %s, want %s", i, got, tc.cl)
		}
		got, _, ok := w.Teams.AppSession(ids[0], m.App())
		if ok != tc.has || (ok && got != tc.session) {
			t.Errorf("case %d: session %v (%v), want %v (%v)", i, got, ok, tc.session, tc.has)
		}
		want := p.Of(p.Offline, p.ActOffline)
		if tc.has {
			want = tc.session
		}
		if pr := w.Teams.Presence(ids[0]); pr != want {
			t.Errorf("case %d: Teams presence %s, want %s", i, pr, want)
		}
	}
}

// TestRefreshKeepsSessionAlive runs a 10-hour call: CloudLink's session never
// lapses, and it is written once per refresh interval.
func TestRefreshKeepsSessionAlive(t *testing.T) {
	w, m, ids := newWorld(t, "alice")
	if err := m.PBX().LineEvent(0, pbx.DeskPhone, pbx.OffHook); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 600; i++ {
		if err := w.Clock.Advance(time.Minute); err != nil {
			t.Fatal(err)
		}
		if got := w.Teams.Presence(ids[0]); got != p.Of(p.Busy, p.InACall) {
			t.Fatalf("after %d min Teams shows %s", i+1, got)
		}
	}
	if want := uint64(1 + 600/45); m.Writes() != want {
		t.Errorf("%d writes in 10 h, want %d", m.Writes(), want)
	}
	if errs := m.Errors(); len(errs) != 0 {
		t.Errorf("refused writes: %v", errs)
	}
}

func TestUnmatchedUserIsReported(t *testing.T) {
	w, m, ids := newWorld(t, "alice", "bob")
	if err := m.PBX().SetEmail(0, "a.smith@contoso.com"); err != nil {
		t.Fatal(err)
	}
	_ = m.PBX().LineEvent(0, pbx.DeskPhone, pbx.OffHook)
	_ = m.PBX().LineEvent(1, pbx.DeskPhone, pbx.OffHook)
	if _, _, ok := w.Teams.AppSession(ids[0], m.App()); ok {
		t.Error("an unmatched user was synced")
	}
	if _, _, ok := w.Teams.AppSession(ids[1], m.App()); !ok {
		t.Error("a matched user was not synced")
	}
	rep := m.Report()
	if len(rep) != 1 || !strings.HasPrefix(rep[0], "alice: ") || !strings.Contains(rep[0], "a.smith@contoso.com") {
		t.Errorf("report: %q", rep)
	}
}

// TestDuplicateEmails: of two PBX users leading to one Teams user, the
// policy decides who is linked; the other writes into no one's presence, and
// giving the address up hands the link over (CL-14).
func TestDuplicateEmails(t *testing.T) {
	tests := []struct {
		policy              DuplicatePolicy
		aliceLinked, bobDup bool
	}{
		{FirstStays, true, true},
		{NoneLinked, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.policy.String(), func(t *testing.T) {
			w, m, ids := newWorld(t, "alice", "bob")
			set := m.Settings()
			set.Duplicates = tc.policy
			must(t, m.SetSettings(set))
			must(t, m.PBX().SetEmail(1, "Alice@Contoso.com"))
			must(t, m.PBX().LineEvent(1, pbx.DeskPhone, pbx.OffHook))
			if _, _, ok := w.Teams.AppSession(ids[0], m.App()); ok {
				t.Error("bob's call reached alice's presence")
			}
			if _, ok := m.Link(0); ok != tc.aliceLinked {
				t.Errorf("alice linked %v, want %v", ok, tc.aliceLinked)
			}
			if why := m.Unsynced(1); !strings.Contains(why, "duplicate") || !strings.Contains(why, "alice") {
				t.Errorf("bob's reason %q names no duplicate of alice", why)
			}
			must(t, m.PBX().SetEmail(0, "alice.old@contoso.com"))
			if target, ok := m.Link(1); !ok || target != ids[0] {
				t.Errorf("bob not linked to alice once she gave the address up: %v %v (%s)", target, ok, m.Unsynced(1))
			}
			if _, _, ok := w.Teams.AppSession(ids[0], m.App()); !ok {
				t.Error("bob's call did not reach the Teams user his e-mail now links to")
			}
		})
	}
}

// TestMailMatches: the CloudLink e-mail may match the Azure AD mail.
func TestMailMatches(t *testing.T) {
	w, m, ids := newWorld(t, "alice")
	must(t, m.PBX().SetEmail(0, "alice.smith@contoso.com"))
	if _, ok := m.Link(0); ok {
		t.Fatal("linked before the mail was set")
	}
	d := w.Teams.Dir(ids[0])
	d.Mail = "Alice.Smith@contoso.com"
	w.Teams.SetDir(ids[0], d)
	if target, ok := m.Link(0); !ok || target != ids[0] {
		t.Fatalf("not linked by mail: %s", m.Unsynced(0))
	}
}

// TestDeterministic: the same seed and the same events give the same trace.
func TestDeterministic(t *testing.T) {
	run := func() string {
		w, m, _ := newWorld(t, "alice", "bob")
		day(t, w, m)
		return w.Trace.Text()
	}
	if a, b := run(), run(); a != b {
		t.Errorf("traces differ:\n%s\n---\n%s", a, b)
	}
}

// day is a working day of PBX events for every user of the world.
func day(t testing.TB, w *sim.World, m *Model) {
	px := m.PBX()
	for h := 8; h < 18; h++ {
		for i := 0; i < px.Len(); i++ {
			must(t, px.LineEvent(i, pbx.DeskPhone, pbx.OffHook))
			must(t, px.LineEvent(i, pbx.DeskPhone, pbx.Answer))
		}
		must(t, w.Clock.Advance(20*time.Minute))
		for i := 0; i < px.Len(); i++ {
			must(t, px.LineEvent(i, pbx.DeskPhone, pbx.HangUp))
			must(t, px.SetUserPresence(i, pbx.StAway, pbx.ViaPhone))
		}
		must(t, w.Clock.Advance(20*time.Minute))
		for i := 0; i < px.Len(); i++ {
			must(t, px.SetMitelOne(i, pbx.MOAvailable))
		}
		must(t, w.Clock.Advance(20*time.Minute))
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Verfügbar", "Nicht stören", "Unbekannt", "Offline", "Busy", "BeRightBack", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !strings.Contains(err.Error(), "valid:") {
				t.Errorf("error without the valid choices: %v", err)
			}
			return
		}
		if !isState(a) {
			t.Errorf("Parse(%q) = %s, not a CloudLink presence", s, a)
		}
		if back, err := Parse(Label(a)); err != nil || back != a {
			t.Errorf("Parse(%q) = %s does not read back from %q", s, a, Label(a))
		}
	})
}

// BenchmarkCall measures one PBX call (off-hook, answer, hang up) through
// CloudLink into Teams: two Graph writes and the Teams aggregation.
func BenchmarkCall(b *testing.B) {
	w, m, _ := newWorld(b, "alice")
	w.Trace.SetRecording(false)
	px := m.PBX()
	b.ReportAllocs()
	for b.Loop() {
		_ = px.LineEvent(0, pbx.DeskPhone, pbx.OffHook)
		_ = px.LineEvent(0, pbx.DeskPhone, pbx.Answer)
		_ = px.LineEvent(0, pbx.DeskPhone, pbx.HangUp)
	}
}

// BenchmarkDay runs a working day for 200 users (hourly call, away, back),
// trace on.
func BenchmarkDay(b *testing.B) {
	names := make([]string, 200)
	for i := range names {
		names[i] = "user" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		w, m, _ := newWorld(b, names...)
		day(b, w, m)
	}
}

// TestUnmatchedEventsAllocateNothing: an unmatched user's PBX events are
// reported without building the reason anew each time.
func TestUnmatchedEventsAllocateNothing(t *testing.T) {
	w, m, _ := newWorld(t, "alice")
	w.Trace.SetRecording(false)
	must(t, m.PBX().SetEmail(0, "nobody@contoso.com"))
	allocs := testing.AllocsPerRun(100, func() {
		_ = m.PBX().LineEvent(0, pbx.DeskPhone, pbx.OffHook)
		_ = m.PBX().LineEvent(0, pbx.DeskPhone, pbx.HangUp)
	})
	if allocs != 0 {
		t.Errorf("an unmatched user's call allocates %.1f times", allocs)
	}
}

// TestPassiveNeverWrites: a passive CloudLink computes but leaves Teams to
// an external connector.
func TestPassiveNeverWrites(t *testing.T) {
	w, m, ids := newWorld(t, "alice")
	s := m.Settings()
	s.Passive = true
	must(t, m.SetSettings(s))
	must(t, m.PBX().LineEvent(0, pbx.DeskPhone, pbx.OffHook))
	must(t, w.Clock.Advance(2*time.Hour))
	if got := m.Presence(0); got != p.Busy {
		t.Errorf("passive CloudLink presence %s, want Busy", got)
	}
	if _, _, ok := w.Teams.AppSession(ids[0], m.App()); ok || m.Writes() != 0 {
		t.Errorf("a passive CloudLink wrote %d times", m.Writes())
	}
	if !strings.Contains(m.Explain(0), "passive") {
		t.Errorf("explanation does not say CloudLink is passive:\n%s", m.Explain(0))
	}
}
