package teams

import (
	"strings"
	"testing"
	"time"

	p "github.com/presencesim/presencesim/sim/presence"
)

// TestComputer: the computer's lock and sleep touch desktop and web, all or
// none, and a vanished client stands Away until it times out (T-ACT-2,
// T-ACT-4).
func TestComputer(t *testing.T) {
	away, avail, off := p.Of(p.Away, p.ActAway), p.Of(p.Available, p.ActAvailable), p.Of(p.Offline, p.ActOffline)
	tests := []struct {
		name    string
		clients []ClientKind
		do      func(m *Model, u UserID) error
		after   time.Duration
		want    p.Presence
		session int
		err     string
	}{
		{"lock with web alone", []ClientKind{Web}, (*Model).LockComputer, 0, away, 1, ""},
		{"lock desktop and web", []ClientKind{Desktop, Web}, (*Model).LockComputer, 0, away, 2, ""},
		{"lock leaves mobile", []ClientKind{Web, Mobile}, (*Model).LockComputer, 0, avail, 2, ""},
		{"lock without a computer client", []ClientKind{Mobile}, (*Model).LockComputer, 0, avail, 1,
			"alice's computer holds no Teams client (desktop or web) to lock; alice is signed in on mobile"},
		{"sleep stands until the timeout", []ClientKind{Desktop, Web}, (*Model).SleepComputer, 4 * time.Minute, away, 2, ""},
		{"sleep times out", []ClientKind{Desktop, Web}, (*Model).SleepComputer, 5 * time.Minute, off, 0, ""},
		{"unlock what is not locked", []ClientKind{Desktop}, (*Model).UnlockComputer, 0, avail, 1, "alice's desktop client: is not locked (the computer holds the desktop client)"},
		{"crash", []ClientKind{Desktop}, func(m *Model, u UserID) error { return m.Crash(u, Desktop) }, 0, away, 1, ""},
		{"crash times out", []ClientKind{Desktop}, func(m *Model, u UserID) error { return m.Crash(u, Desktop) }, 5 * time.Minute, off, 0, ""},
		{"network loss is Away at once", []ClientKind{Desktop}, func(m *Model, u UserID) error { return m.LoseNetwork(u, Desktop) }, time.Minute, away, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			s.IdleTimeout = time.Hour
			m, clk := newModel(t, s)
			u := addUser(t, m, "alice")
			for _, k := range tc.clients {
				if err := m.SignIn(u, k); err != nil {
					t.Fatal(err)
				}
			}
			err := tc.do(m, u)
			switch {
			case tc.err == "" && err != nil:
				t.Fatal(err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want %q", err, tc.err)
			}
			if err := clk.Advance(tc.after); err != nil {
				t.Fatal(err)
			}
			if got := m.Presence(u); got != tc.want {
				t.Errorf("presence %s, want %s", got, tc.want)
			}
			if got := m.Sessions(u); got != tc.session {
				t.Errorf("%d sessions, want %d", got, tc.session)
			}
		})
	}
}

// TestComputerAllOrNone: a lock refused by one client changes none.
func TestComputerAllOrNone(t *testing.T) {
	m, _ := newModel(t, DefaultSettings())
	u := addUser(t, m, "alice")
	_ = m.SignIn(u, Desktop)
	_ = m.Sleep(u, Desktop)
	_ = m.SignIn(u, Web)
	if err := m.LockComputer(u); err == nil || !strings.Contains(err.Error(), "desktop client: is asleep") {
		t.Fatalf("lock of a half-asleep computer: %v", err)
	}
	if _, st := m.ClientSession(u, Web); st != Active {
		t.Errorf("the web client is %s after a refused lock", st)
	}
}

// TestFocusSetting: focus time shows DoNotDisturb/Focusing, or
// Busy/InAMeeting with the setting (T-CAL-2).
func TestFocusSetting(t *testing.T) {
	for _, asMeeting := range []bool{false, true} {
		s := DefaultSettings()
		s.FocusAsMeeting = asMeeting
		m, clk := newModel(t, s)
		u := addUser(t, m, "alice")
		_ = m.SignIn(u, Mobile)
		if _, err := m.AddAppointment(u, "focus", clk.Now(), clk.Now().Add(time.Hour), ShowFocus); err != nil {
			t.Fatal(err)
		}
		_ = clk.RunUntil(clk.Now())
		want := p.Of(p.DoNotDisturb, p.Focusing)
		if asMeeting {
			want = p.Of(p.Busy, p.InAMeeting)
		}
		if got := m.Presence(u); got != want {
			t.Errorf("FocusAsMeeting %v: %s, want %s", asMeeting, got, want)
		}
	}
}
