package teams

import (
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// ClientState is what a signed-in client is doing.
type ClientState uint8

// Client states (T-ACT-1, T-ACT-2).
const (
	Active ClientState = iota
	Idle
	Locked
	Background
	numClientStates
)

var clientStateNames = [numClientStates]string{"active", "idle", "locked", "in the background"}

func (s ClientState) String() string { return clientStateNames[s] }

// Indicator is a client-local status shown only on that client (T-LOCAL-1).
type Indicator string

// The client-local indicators of seed 000.
const (
	NoIndicator          Indicator = ""
	NoNetwork            Indicator = "noNetwork"
	ConnectionError      Indicator = "connectionError"
	AuthenticationFailed Indicator = "authenticationFailed"
	NewActivity          Indicator = "newActivity"
)

// ParseIndicator reads an indicator name in any case, so seed 000's
// "connectionerror" is connectionError.
func ParseIndicator(s string) Indicator {
	for _, i := range []Indicator{NoNetwork, ConnectionError, AuthenticationFailed, NewActivity} {
		if strings.EqualFold(strings.TrimSpace(s), string(i)) {
			return i
		}
	}
	return Indicator(s)
}

type client struct {
	signedIn  bool
	asleep    bool
	online    bool
	expired   bool // session ended while signed in (no network, mobile 24 h, vanished)
	crashed   bool // the app quit without signing out (T-ACT-4)
	state     ClientState
	indicator Indicator
	timer     clock.Timer // idle, mobile offline or network timeout
	timerOp   op          // which of them timer is
	idleAt    clock.Time  // when the client goes idle without further input
}

// live reports whether the client holds a presence session. A client that
// vanished without signing out (asleep, crashed, no network) keeps its
// session until it times out (T-ACT-4).
func (c *client) live() bool { return c.signedIn && !c.expired }

// vanished reports whether the client is gone without signing out: its
// session stands, shown Away, until it times out (T-ACT-4).
func (c *client) vanished() bool { return c.asleep || c.crashed || !c.online }

// shows is the presence of a live client's session: Away while it has
// vanished (T-ACT-4), else by its state (T-ACT-1, T-ACT-2).
func (c *client) shows() presence.Presence {
	if c.vanished() {
		return clientPresence[Idle]
	}
	return clientPresence[c.state]
}

// rule is the rule by which a live client yields its presence.
func (c *client) rule() string {
	switch {
	case c.vanished():
		return ruleClientVanished
	case c.state != Active:
		return ruleClientIdle
	}
	return sourceRule[SrcDesktop]
}

type appSession struct {
	app       AppID
	set       presence.Presence // what the app wrote
	cur       presence.Presence // after fading
	stage     uint8
	expiresAt clock.Time
	fade      clock.Timer
	expire    clock.Timer
}

type preferred struct {
	on    bool
	p     presence.Presence
	until clock.Time // valid when timed
	timed bool
	via   string
	timer clock.Timer
}

// StatusMessage is a user's note (G-MSG-1).
type StatusMessage struct {
	Message     string
	ContentType string
	Published   clock.Time
	Expiry      clock.Time
	HasExpiry   bool
	timer       clock.Timer
}

type histEntry struct {
	at clock.Time
	p  presence.Presence
}

type user struct {
	dir     Directory
	id      UserID
	clients [numClientKinds]client
	apps    []appSession

	pref preferred

	// system sources, counted so overlaps nest
	calls, confCalls, meetings, presenting int
	calBusy, calFocus, calOOF              int
	autoReplies                            bool
	appointments                           []Appointment

	status StatusMessage
	wl     workLocation // the three layers of G-LOC-1

	privacy   bool
	blocked   []UserID
	priority  []UserID
	fedFails  bool       // federated lookups of this user fail (T-UNK-1)
	lastInput clock.Time // the user's last activity on a client (T-STATE-2)
	hasInput  bool

	cur    presence.Presence
	rule   string
	winner string
	seq    uint64

	history []histEntry // at most MaxHistory changes, oldest first
	forgot  bool        // older changes were dropped from history

	notifyPending bool
	notifyBefore  presence.Presence
	notifyDetail  objectDetail // status message and work location when queued
}

// sessions counts the live presence sessions: clients and app sessions.
func (u *user) sessions() int {
	n := len(u.apps)
	for i := range u.clients {
		if u.clients[i].live() {
			n++
		}
	}
	return n
}

func (u *user) oof() bool { return u.autoReplies || u.calOOF > 0 }

func (u *user) app(a AppID) int {
	for i := range u.apps {
		if u.apps[i].app == a {
			return i
		}
	}
	return -1
}
