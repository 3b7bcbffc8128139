package teams

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"

	"github.com/presencesim/presencesim/sim/presence"
)

// clientPresenceOf is the session presence of a client for the trace;
// Offline when it holds no session.
func clientPresenceOf(c *client) presence.Presence {
	if !c.live() {
		return presence.Of(presence.Offline, presence.ActOffline)
	}
	return c.shows()
}

// changeClient applies fn to a client, records the source change and
// recomputes the user.
func (m *Model) changeClient(id UserID, k ClientKind, rule, note string, fn func(c *client) error) error {
	if err := m.valid(id); err != nil {
		return err
	}
	if k >= numClientKinds {
		return fmt.Errorf("unknown client kind %d", k)
	}
	u := m.users[id]
	c := &u.clients[k]
	before := clientPresenceOf(c)
	if err := fn(c); err != nil {
		return fmt.Errorf("%s's %s client: %w", u.dir.Name, k, err)
	}
	after := clientPresenceOf(c)
	if before != after || note != "" {
		m.source(id, clientNames[k], before, after, rule, note)
	}
	m.update(id, clientNames[k])
	return nil
}

// armIdle moves the idle deadline of an active desktop or web client. The
// pending timer is kept when it falls due no later than the new deadline: it
// re-arms itself when it fires early, so input costs no queue operation.
func (m *Model) armIdle(id UserID, k ClientKind, c *client) {
	if c.signedIn && !c.asleep && !c.crashed && c.online && c.state == Active {
		u := m.users[id]
		u.lastInput, u.hasInput = m.clk.Now(), true
	}
	if c.asleep || c.crashed {
		return // the vanished client's timeout stays armed (T-ACT-4)
	}
	if k == Mobile || c.state != Active || !c.online {
		m.clk.Cancel(c.timer)
		c.timer = clock.Timer{}
		return
	}
	c.idleAt = m.clk.Now().Add(m.set.IdleTimeout)
	if c.timerOp == opIdle {
		if at, ok := m.clk.When(c.timer); ok && at <= c.idleAt {
			return
		}
	}
	m.setTimer(id, k, c, opIdle, c.idleAt)
}

func (m *Model) setTimer(id UserID, k ClientKind, c *client, o op, at clock.Time) {
	m.clk.Cancel(c.timer)
	c.timer, c.timerOp = m.after(at, o, id, int32(k)), o
}

// SignIn signs the user in on a client, which starts active (T-ACT-1).
func (m *Model) SignIn(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-1", "", func(c *client) error {
		m.clk.Cancel(c.timer)
		*c = client{signedIn: true, online: true, state: Active}
		m.armIdle(id, k, c)
		return nil
	})
}

// SignOut ends the client's session (T-ACT-1: not signed in → no session).
func (m *Model) SignOut(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-1", "", func(c *client) error {
		m.clk.Cancel(c.timer)
		*c = client{}
		return nil
	})
}

func needSignedIn(c *client) error {
	if !c.signedIn {
		return fmt.Errorf("is not signed in")
	}
	return nil
}

// Use records input on a client: it becomes active and its idle timer
// restarts (T-ACT-1, T-ACT-2). A mobile client comes to the foreground.
func (m *Model) Use(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-1", "", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if c.asleep {
			return fmt.Errorf("is asleep; wake it first")
		}
		if c.crashed {
			return fmt.Errorf("has quit without signing out; sign in again")
		}
		if c.state == Locked {
			return fmt.Errorf("is locked; unlock it first")
		}
		c.state = Active
		if c.online {
			c.expired = false
		}
		m.armIdle(id, k, c)
		return nil
	})
}

// GoIdle makes the client idle now, as if the idle timeout had passed.
func (m *Model) GoIdle(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-2", "", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		m.clk.Cancel(c.timer)
		if c.state == Active {
			c.state = Idle
		}
		return nil
	})
}

func (m *Model) clientTimer(id UserID, k ClientKind, s ClientState) {
	if c := &m.users[id].clients[k]; c.idleAt > m.clk.Now() {
		c.timer = m.after(c.idleAt, opIdle, id, int32(k)) // input came since: re-arm
		return
	}
	_ = m.changeClient(id, k, "T-ACT-2", "", func(c *client) error {
		if c.signedIn && c.state == Active {
			c.state = s
		}
		return nil
	})
}

// Lock locks the computer one client runs on: Away at once (T-ACT-2).
func (m *Model) Lock(id UserID, k ClientKind) error { return m.lock(id, k, "") }

func (m *Model) lock(id UserID, k ClientKind, note string) error {
	return m.changeClient(id, k, "T-ACT-2", note, func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if k == Mobile {
			return fmt.Errorf("a mobile client is not locked; send it to the background")
		}
		if c.asleep {
			return fmt.Errorf("is asleep; wake the computer first")
		}
		m.clk.Cancel(c.timer)
		c.state = Locked
		return nil
	})
}

// Unlock unlocks the computer one client runs on; the client is active again.
func (m *Model) Unlock(id UserID, k ClientKind) error { return m.unlock(id, k, "") }

func (m *Model) unlock(id UserID, k ClientKind, note string) error {
	return m.changeClient(id, k, "T-ACT-1", note, func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if c.state != Locked {
			return fmt.Errorf("is not locked")
		}
		if c.asleep {
			return fmt.Errorf("is asleep; wake the computer first")
		}
		c.state = Active
		m.armIdle(id, k, c)
		return nil
	})
}

// Sleep puts the computer one client runs on to sleep: the client vanishes
// without signing out, its session stands, shown Away, and ends after
// Settings.VanishedTimeout (T-ACT-2, T-ACT-4).
func (m *Model) Sleep(id UserID, k ClientKind) error { return m.sleep(id, k, "") }

func (m *Model) sleep(id UserID, k ClientKind, note string) error {
	return m.changeClient(id, k, "T-ACT-4", note, func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if k == Mobile {
			return fmt.Errorf("a mobile client does not sleep with a computer; send it to the background")
		}
		if c.asleep {
			return fmt.Errorf("is asleep already")
		}
		c.asleep = true
		if !c.expired {
			m.setTimer(id, k, c, opVanished, m.clk.Now().Add(m.set.VanishedTimeout))
		}
		return nil
	})
}

// Wake wakes the computer one client runs on; the client is active again and
// holds a session again if its session had timed out.
func (m *Model) Wake(id UserID, k ClientKind) error { return m.wake(id, k, "") }

func (m *Model) wake(id UserID, k ClientKind, note string) error {
	return m.changeClient(id, k, "T-ACT-1", note, func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if !c.asleep {
			return fmt.Errorf("is not asleep")
		}
		m.clk.Cancel(c.timer)
		c.asleep, c.state = false, Active
		if c.online && !c.crashed {
			c.expired = false
		}
		m.armIdle(id, k, c)
		return nil
	})
}

// Crash makes a client quit without signing out: its session stands, shown
// Away, and ends after Settings.VanishedTimeout (T-ACT-4). Signing in again
// starts it anew.
func (m *Model) Crash(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-4", "quit without signing out", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if c.crashed {
			return fmt.Errorf("has quit already; sign in again")
		}
		c.crashed = true
		if !c.expired {
			m.setTimer(id, k, c, opVanished, m.clk.Now().Add(m.set.VanishedTimeout))
		}
		return nil
	})
}

// computerKinds are the clients that run on a user's computer and share its
// lock and sleep (T-ACT-2): the desktop app and a web client in its browser.
var computerKinds = [...]ClientKind{Desktop, Web}

// ComputerClients lists the user's signed-in clients on the computer.
func (m *Model) ComputerClients(id UserID) []ClientKind {
	var out []ClientKind
	for _, k := range computerKinds {
		if m.users[id].clients[k].signedIn {
			out = append(out, k)
		}
	}
	return out
}

// onComputer applies fn to the signed-in clients on the user's computer
// that the operation concerns (relevant), all or none: a client that
// refuses is found before any changes. The note names the clients, and an
// error says which clients the computer holds.
func (m *Model) onComputer(id UserID, what string, relevant func(c *client) error, fn func(UserID, ClientKind, string) error) error {
	if err := m.valid(id); err != nil {
		return err
	}
	u := m.users[id]
	ks := m.ComputerClients(id)
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.String()
	}
	held := strings.Join(names, " and ")
	if len(ks) == 0 {
		var other []string
		for _, k := range ClientKinds() {
			if u.clients[k].signedIn {
				other = append(other, k.String())
			}
		}
		signed := "no Teams client at all"
		if len(other) > 0 {
			signed = strings.Join(other, " and ")
		}
		return fmt.Errorf("%s's computer holds no Teams client (desktop or web) to %s; %s is signed in on %s", u.dir.Name, what, u.dir.Name, signed)
	}
	for _, k := range ks {
		if err := relevant(&u.clients[k]); err != nil {
			return fmt.Errorf("%s's %s client: %w (the computer holds the %s client)", u.dir.Name, k, err, held)
		}
	}
	note := fmt.Sprintf("computer %s: %s", what, held)
	for _, k := range ks {
		if err := fn(id, k, note); err != nil {
			return err
		}
	}
	return nil
}

func notAsleep(c *client) error {
	if c.asleep {
		return fmt.Errorf("is asleep; wake the computer first")
	}
	return nil
}

func lockedAwake(c *client) error {
	if c.state != Locked {
		return fmt.Errorf("is not locked")
	}
	return notAsleep(c)
}

func asleep(c *client) error {
	if !c.asleep {
		return fmt.Errorf("is not asleep")
	}
	return nil
}

// LockComputer locks the user's computer: every Teams client on it shows
// Away at once (T-ACT-2).
func (m *Model) LockComputer(id UserID) error {
	return m.onComputer(id, "lock", notAsleep, m.lock)
}

// UnlockComputer unlocks the user's computer and its Teams clients.
func (m *Model) UnlockComputer(id UserID) error {
	return m.onComputer(id, "unlock", lockedAwake, m.unlock)
}

// SleepComputer puts the user's computer to sleep with every Teams client
// on it (T-ACT-2, T-ACT-4).
func (m *Model) SleepComputer(id UserID) error {
	return m.onComputer(id, "sleep", notAsleep, m.sleep)
}

// WakeComputer wakes the user's computer and its Teams clients.
func (m *Model) WakeComputer(id UserID) error {
	return m.onComputer(id, "wake", asleep, m.wake)
}

// Background sends the mobile app to the background: Away, and the session
// ends after Settings.MobileOfflineAfter (T-ACT-2).
func (m *Model) Background(id UserID) error {
	return m.changeClient(id, Mobile, "T-ACT-2", "", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		m.clk.Cancel(c.timer)
		c.state = Background
		m.setTimer(id, Mobile, c, opMobileOffline, m.clk.Now().Add(m.set.MobileOfflineAfter))
		return nil
	})
}

// LoseNetwork cuts a client's network: the user sees noNetwork on that
// client only; the client stops refreshing its session, which ends after
// Settings.NetworkSessionTimeout (T-LOCAL-1).
func (m *Model) LoseNetwork(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-LOCAL-1", "network lost", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		m.clk.Cancel(c.timer)
		c.online, c.indicator = false, NoNetwork
		m.setTimer(id, k, c, opNetworkTimeout, m.clk.Now().Add(m.set.NetworkSessionTimeout))
		return nil
	})
}

// RestoreNetwork gives the client its network back; it refreshes its session
// as active.
func (m *Model) RestoreNetwork(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-LOCAL-1", "network restored", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if c.asleep || c.crashed {
			c.online, c.indicator = true, NoIndicator
			return nil // still vanished: its timeout stays armed (T-ACT-4)
		}
		m.clk.Cancel(c.timer)
		c.online, c.expired, c.indicator = true, false, NoIndicator
		if c.state != Locked && c.state != Background {
			c.state = Active
		}
		m.armIdle(id, k, c)
		return nil
	})
}

func (m *Model) clientExpired(id UserID, k ClientKind, rule string) {
	_ = m.changeClient(id, k, rule, "", func(c *client) error {
		c.expired = true
		return nil
	})
}

// SetIndicator shows a client-local indicator (T-LOCAL-1).
func (m *Model) SetIndicator(id UserID, k ClientKind, ind Indicator) error {
	if err := m.valid(id); err != nil {
		return err
	}
	m.users[id].clients[k].indicator = ind
	return nil
}

// OwnView is what the user sees on one of their own clients: the presence
// everybody sees plus that client's local indicator (T-LOCAL-1).
func (m *Model) OwnView(id UserID, k ClientKind) (presence.Presence, Indicator) {
	u := m.users[id]
	return u.cur, u.clients[k].indicator
}

// ClientSession reports a client's state for explanations and steps.
func (m *Model) ClientSession(id UserID, k ClientKind) (live bool, state ClientState) {
	c := &m.users[id].clients[k]
	return c.live(), c.state
}
