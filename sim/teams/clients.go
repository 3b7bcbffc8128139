package teams

import (
	"fmt"

	"github.com/presencesim/presencesim/sim/clock"

	"github.com/presencesim/presencesim/sim/presence"
)

// clientPresenceOf is the session presence of a client for the trace;
// Offline when it holds no session.
func clientPresenceOf(c *client) presence.Presence {
	if !c.live() {
		return presence.Of(presence.Offline, presence.ActOffline)
	}
	return clientPresence[c.state]
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

// Lock locks the computer: Away at once (T-ACT-2).
func (m *Model) Lock(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-2", "", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if k == Mobile {
			return fmt.Errorf("a mobile client is not locked; send it to the background")
		}
		m.clk.Cancel(c.timer)
		c.state = Locked
		return nil
	})
}

// Unlock unlocks the computer; the client is active again.
func (m *Model) Unlock(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-1", "", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		if c.state != Locked {
			return fmt.Errorf("is not locked")
		}
		c.state = Active
		m.armIdle(id, k, c)
		return nil
	})
}

// Sleep puts the computer to sleep: the session ends (T-ACT-2).
func (m *Model) Sleep(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-2", "", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		m.clk.Cancel(c.timer)
		c.asleep = true
		return nil
	})
}

// Wake wakes the computer; the client is active again.
func (m *Model) Wake(id UserID, k ClientKind) error {
	return m.changeClient(id, k, "T-ACT-1", "", func(c *client) error {
		if err := needSignedIn(c); err != nil {
			return err
		}
		c.asleep, c.state = false, Active
		m.armIdle(id, k, c)
		return nil
	})
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
		m.clk.Cancel(c.timer)
		c.online, c.expired, c.indicator = true, false, NoIndicator
		if c.state != Locked && c.state != Background {
			c.state = Active
		}
		m.armIdle(id, k, c)
		return nil
	})
}

func (m *Model) clientExpired(id UserID, k ClientKind) {
	_ = m.changeClient(id, k, "T-ACT-2", "", func(c *client) error {
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
