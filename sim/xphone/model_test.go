package xphone

import (
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// world builds a world with alice and bob signed in on mobile, alice using
// XPhone with the given settings.
func world(t testing.TB, seed uint64, tune func(*Settings)) (*sim.World, *Model, teams.UserID, teams.UserID) {
	t.Helper()
	w := sim.MustNew(seed)
	alice, err := w.AddUser("alice", "")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := w.AddUser("bob", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []teams.UserID{alice, bob} {
		if err := w.Teams.SignIn(u, teams.Mobile); err != nil {
			t.Fatal(err)
		}
	}
	m := Attach(w)
	if tune != nil {
		s := m.Settings()
		tune(&s)
		if err := m.SetSettings(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.AddUser(alice); err != nil {
		t.Fatal(err)
	}
	settle(t, w)
	return w, m, alice, bob
}

func settle(t testing.TB, w *sim.World) {
	t.Helper()
	if err := w.Clock.RunUntil(w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestCheckEcho(t *testing.T) {
	in := func(n int, o Origin) JournalEntry {
		return JournalEntry{Kind: Input, User: "alice", Input: n, Origin: o, What: "change"}
	}
	wr := func(n int, o Origin) JournalEntry {
		return JournalEntry{Kind: Write, User: "alice", Input: n, Origin: o, Target: TargetPreferred, What: "setUserPreferredPresence"}
	}
	cases := []struct {
		name string
		j    []JournalEntry
		bad  bool
	}{
		{"nothing", nil, false},
		{"one write per XPhone change", []JournalEntry{in(1, FromXPhone), wr(1, FromXPhone), in(2, FromXPhone), wr(2, FromXPhone)}, false},
		{"Teams change read without writing", []JournalEntry{in(1, FromTeams)}, false},
		{"two writes to one state for one XPhone change", []JournalEntry{in(1, FromXPhone), wr(1, FromXPhone), wr(1, FromXPhone)}, true},
		{"one write to each state for one XPhone change", []JournalEntry{in(1, FromXPhone), wr(1, FromXPhone), {Kind: Write, User: "alice", Input: 1, Origin: FromXPhone, Target: TargetSession}}, false},
		{"a Teams change written back", []JournalEntry{in(1, FromXPhone), wr(1, FromXPhone), in(2, FromTeams), wr(2, FromTeams)}, true},
		{"refresh once per timer", []JournalEntry{in(1, FromTimer), wr(1, FromTimer)}, false},
	}
	for _, c := range cases {
		err := CheckEcho(c.j, DefaultBounds())
		if (err != nil) != c.bad {
			t.Errorf("%s: CheckEcho = %v, want a violation: %v", c.name, err, c.bad)
		}
		if err != nil && !strings.Contains(err.Error(), "XP-13") {
			t.Errorf("%s: the violation does not cite XP-13: %v", c.name, err)
		}
	}
}

// The no-echo invariant holds for the reference model and fails for a model
// with a planted echo, in the same run of inputs.
func TestPlantedEchoIsCaught(t *testing.T) {
	for _, echo := range []bool{false, true} {
		w, m, alice, _ := world(t, 7, func(s *Settings) { s.Faults.EchoDND = echo })
		if err := w.Teams.SetPreferred(alice, p.Of(p.DoNotDisturb, p.ActDoNotDisturb), 0, teams.ViaClient); err != nil {
			t.Fatal(err)
		}
		settle(t, w)
		if st, _ := m.Status(alice); st.Text != "Nicht stören" {
			t.Fatalf("echo %v: Teams DND shows %q in XPhone, want the first DND profile", echo, st.Text)
		}
		err := m.CheckNoEcho()
		if echo && err == nil {
			t.Fatalf("a model that writes Teams' Do-not-disturb back passes the XP-13 check; journal:\n%v", m.Journal())
		}
		if !echo && err != nil {
			t.Fatalf("the reference model violates XP-13: %v", err)
		}
	}
}

// An XPhone call is written once, refreshed before it expires, read back
// without an appointment, and cleared when it ends.
func TestCallSessionLifecycle(t *testing.T) {
	w, m, alice, _ := world(t, 1, nil)
	if err := m.StartCall(alice); err != nil {
		t.Fatal(err)
	}
	settle(t, w)
	if got := w.Teams.Presence(alice); got != p.Of(p.Busy, p.InACall) {
		t.Fatalf("Teams shows %s during an XPhone call, want Busy/InACall (XP-3)", got)
	}
	if n := len(m.Appointments(alice)); n != 0 {
		t.Fatalf("XPhone made %d appointments of its own call (XP-13)", n)
	}
	if err := w.Clock.Advance(3 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := w.Teams.AppSession(alice, w.Teams.App(m.Settings().App)); !ok {
		t.Fatal("the XPhone session expired during a 3 h call (C-2)")
	}
	if err := m.EndCall(alice); err != nil {
		t.Fatal(err)
	}
	settle(t, w)
	if got := w.Teams.Presence(alice); got != p.Of(p.Available, p.ActAvailable) {
		t.Fatalf("Teams shows %s after the call, want Available", got)
	}
	if err := m.EndCall(alice); err == nil {
		t.Fatal("ending a call that is not there was accepted")
	}
	if err := m.CheckNoEcho(); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownUserAndProfile(t *testing.T) {
	_, m, alice, bob := world(t, 1, nil)
	if err := m.StartCall(bob); err == nil || !strings.Contains(err.Error(), "does not use XPhone") {
		t.Fatalf("a call for a user without XPhone: %v", err)
	}
	if err := m.SelectProfile(alice, "Mittagspause"); err == nil || !strings.Contains(err.Error(), `"Verfügbar"`) {
		t.Fatalf("selecting an unknown profile: %v", err)
	}
	bad := []Profile{{Name: "Am Telefon", Presence: p.Of(p.Busy, p.InACall)}}
	if err := m.SetProfiles(alice, bad); err == nil {
		t.Fatal("a profile with a presence no user can pick was accepted")
	}
	if err := m.SetProfiles(alice, []Profile{{Name: "A", Presence: p.Of(p.Available, p.ActAvailable)}, {Name: "a", Presence: p.Of(p.Busy, p.ActBusy)}}); err == nil {
		t.Fatal("two profiles of the same name were accepted")
	}
}

// Same seed, same inputs: the same trace and journal.
func TestDeterministic(t *testing.T) {
	run := func() string {
		w, m, alice, bob := world(t, 42, nil)
		day(t, w, m, alice, bob)
		var b strings.Builder
		b.WriteString(w.Trace.Text())
		for _, e := range m.Journal() {
			b.WriteString(e.String() + "\n")
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b {
		t.Fatal("two runs with the same seed differ")
	}
	if !strings.Contains(a, "xphone") {
		t.Fatal("the trace records nothing of XPhone")
	}
}

// day is a working day of alice: Teams calls, XPhone calls, DND both ways,
// a lost server connection, microphone use.
func day(t testing.TB, w *sim.World, m *Model, alice, bob teams.UserID) {
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	at := func(h, mm int) { must(w.Clock.RunUntil(clock.At(w.Clock.Now().Day(), h, mm))) }
	at(9, 0)
	c, err := w.Teams.StartCall(alice, bob)
	must(err)
	at(9, 30)
	must(w.Teams.EndCall(c))
	at(10, 0)
	must(m.StartCall(alice))
	at(10, 20)
	must(m.EndCall(alice))
	must(m.SelectProfile(alice, "Nicht stören"))
	at(11, 0)
	must(m.SelectProfile(alice, "Verfügbar"))
	must(w.Teams.SetPreferred(alice, p.Of(p.DoNotDisturb, p.ActDoNotDisturb), 0, teams.ViaClient))
	at(12, 0)
	must(w.Teams.ClearPreferred(alice))
	c, err = w.Teams.StartCall(alice, bob)
	must(err)
	must(m.LoseConnection(alice))
	at(12, 30)
	must(w.Teams.EndCall(c))
	at(13, 0)
	must(m.RestoreConnection(alice))
	must(m.Quit(alice))
	must(m.Start(alice))
	_, err = m.Microphone(alice, "Zoom", true)
	must(err)
	at(14, 0)
	_, err = m.Microphone(alice, "Zoom", false)
	must(err)
	at(18, 0)
}

func TestSetSettingsRefuses(t *testing.T) {
	_, m, _, _ := world(t, 1, nil)
	cases := []struct {
		name string
		tune func(*Settings)
	}{
		{"refresh margin not below the expiry", func(s *Settings) { s.RefreshBefore = s.SessionExpiry }},
		{"expiry beyond Graph's 4 h", func(s *Settings) { s.SessionExpiry = 5 * time.Hour }},
		{"no poll interval", func(s *Settings) { s.PollInterval = 0 }},
		{"a source twice", func(s *Settings) {
			s.Order = []Source{SrcProfile, SrcProfile, SrcXPhoneCall, SrcXPhoneMeeting, SrcTeamsCall, SrcTeamsDND}
		}},
		{"a source missing", func(s *Settings) { s.Order = s.Order[1:] }},
	}
	for _, c := range cases {
		s := m.Settings()
		c.tune(&s)
		if err := m.SetSettings(s); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

// A person without a Teams account gets an XPhone client that syncs
// nothing and is reported; a name with a Teams account or none is refused
// (XP-11).
func TestUserWithoutTeamsAccount(t *testing.T) {
	w, m, alice, _ := world(t, 1, nil)
	erin, err := m.AddUserWithoutTeams("erin")
	if err != nil {
		t.Fatal(err)
	}
	if erin >= 0 {
		t.Fatalf("erin got the Teams id %d", erin)
	}
	if err := m.StartCall(erin); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Status(erin); st.Text != m.Settings().CallText {
		t.Errorf("erin's client shows %q during a call", st.Text)
	}
	if n := m.Writes(erin); n != 0 {
		t.Errorf("XPhone wrote %d times for a user without a Teams account", n)
	}
	if got := w.Teams.Presence(alice); got.Availability != p.Available {
		t.Errorf("erin's call changed alice's presence: %s", got.Short())
	}
	rep := strings.Join(m.Report(), "\n")
	if !strings.Contains(rep, "erin: not synced: erin has no Teams account") {
		t.Errorf("report %q does not name erin", rep)
	}
	if again, err := m.AddUserWithoutTeams("Erin"); err != nil || again != erin {
		t.Errorf("adding erin again: %v, %v", again, err)
	}
	for _, bad := range []string{"", "  ", "alice"} {
		if _, err := m.AddUserWithoutTeams(bad); err == nil {
			t.Errorf("AddUserWithoutTeams(%q) accepted", bad)
		}
	}
	if err := m.SetNotifications(erin, false); err != nil {
		t.Fatal(err)
	}
	if err := w.Clock.Advance(10 * time.Minute); err != nil { // polls would read Teams
		t.Fatal(err)
	}
}

// Microphone sync needs its central profile template; without it the
// client stays, and the report says why (XP-12).
func TestMicSyncNeedsItsTemplate(t *testing.T) {
	_, m, alice, _ := world(t, 1, nil)
	if err := m.SetSite("MicrophoneUsageSync.Enable", "1"); err != nil {
		t.Fatal(err)
	}
	counts, err := m.Microphone(alice, "Zoom", true)
	if err != nil || counts {
		t.Fatalf("Zoom counts %v (%v) without the template", counts, err)
	}
	if st, _ := m.Status(alice); st.Source == SrcMicSync {
		t.Errorf("the client switched to %q without the template", st.Text)
	}
	if rep := strings.Join(m.Report(), "\n"); !strings.Contains(rep, `alice: microphone use by Zoom ignored: the central profile template "MicSync" is not active`) {
		t.Errorf("report %q", rep)
	}
	if err := m.SetSite("Zentrale Profilvorlage MicSync", "ja"); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Status(alice); st.Text != "MicSync (Zoom)" {
		t.Errorf("with the template the client shows %q", st.Text)
	}
	if rep := m.Report(); len(rep) != 0 {
		t.Errorf("report %q once set up", rep)
	}
}
