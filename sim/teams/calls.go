package teams

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim/presence"
)

// CallID identifies a Teams call.
type CallID int

type call struct {
	id      CallID
	parties []UserID
	ended   bool
	held    [4]UserID // parties holds these while they fit: most calls need no slice of their own
}

// callSlab is how many calls are allocated at a time: a call costs no
// allocation of its own.
const callSlab = 64

// newCall adds a call to the model.
func (m *Model) newCall() *call {
	if len(m.callSlab) == cap(m.callSlab) {
		m.callSlab = make([]call, 0, callSlab)
	}
	m.callSlab = append(m.callSlab, call{id: CallID(len(m.calls))})
	c := &m.callSlab[len(m.callSlab)-1]
	m.calls = append(m.calls, c)
	return c
}

// StartCall starts a Teams call between the parties: with two parties each
// is Busy/InACall, with more Busy/InAConferenceCall (T-CALL-1).
func (m *Model) StartCall(parties ...UserID) (CallID, error) {
	if len(parties) < 2 {
		return 0, fmt.Errorf("%w: a call needs at least two parties", ErrInvalid)
	}
	for i, p := range parties {
		if err := m.valid(p); err != nil {
			return 0, err
		}
		for _, q := range parties[:i] {
			if q == p {
				return 0, fmt.Errorf("%w: %s is named twice in the call", ErrInvalid, m.Name(p))
			}
		}
	}
	c := m.newCall()
	m.reshape(c, parties, "call started")
	return c.id, nil
}

func (m *Model) getCall(id CallID) (*call, error) {
	if id < 0 || int(id) >= len(m.calls) || m.calls[id].ended {
		return nil, fmt.Errorf("no ongoing call #%d", id)
	}
	return m.calls[id], nil
}

// reshape gives a call a new set of parties (none: it ends), moves the
// parties' call counters from the old shape to the new one and recomputes
// everyone affected once, so no party flickers through Available. The
// parties are copied: callers may pass a buffer of their own.
func (m *Model) reshape(c *call, parties []UserID, note string) {
	var abuf [8]UserID
	var bbuf [8]presence.Presence
	affected := append(append(abuf[:0], c.parties...), parties...)
	before := bbuf[:0]
	for _, p := range affected {
		before = append(before, callPresence(m.users[p]))
	}
	tally(m, c.parties, -1)
	switch {
	case len(parties) < 2:
		c.ended, c.parties = true, nil
	case len(parties) <= len(c.held):
		c.parties = append(c.held[:0], parties...)
	default:
		c.parties = append([]UserID(nil), parties...)
	}
	tally(m, c.parties, +1)
	for i, p := range affected {
		if indexOf(affected[:i], p) >= 0 {
			continue
		}
		if after := callPresence(m.users[p]); after != before[i] {
			m.source(p, sourceNames[SrcCall], before[i], after, "T-CALL-1", note)
		}
		m.update(p, sourceNames[SrcCall])
	}
}

func tally(m *Model, parties []UserID, d int) {
	conf := len(parties) > 2
	for _, p := range parties {
		if conf {
			m.users[p].confCalls += d
		} else {
			m.users[p].calls += d
		}
	}
}

func indexOf(s []UserID, u UserID) int {
	for i, x := range s {
		if x == u {
			return i
		}
	}
	return -1
}

// callPresence is what the user's calls show: a conference call outranks a
// two-party call (T-AGG-5); Offline when in no call.
func callPresence(u *user) presence.Presence {
	switch {
	case u.confCalls > 0:
		return presence.Of(presence.Busy, presence.InAConferenceCall)
	case u.calls > 0:
		return sourcePresence[SrcCall]
	}
	return presence.Of(presence.Offline, presence.ActOffline)
}

// JoinCall adds a party; a third party makes it a conference call.
func (m *Model) JoinCall(id CallID, u UserID) error {
	c, err := m.getCall(id)
	if err != nil {
		return err
	}
	if err := m.valid(u); err != nil {
		return err
	}
	if indexOf(c.parties, u) >= 0 {
		return fmt.Errorf("%w: %s is in the call already", ErrInvalid, m.Name(u))
	}
	var buf [8]UserID
	m.reshape(c, append(append(buf[:0], c.parties...), u), m.Name(u)+" joined")
	return nil
}

// LeaveCall removes a party; a call with fewer than two parties ends.
func (m *Model) LeaveCall(id CallID, u UserID) error {
	c, err := m.getCall(id)
	if err != nil {
		return err
	}
	i := indexOf(c.parties, u)
	if i < 0 {
		return fmt.Errorf("%w: %s is not in call #%d", ErrInvalid, m.Name(u), id)
	}
	var buf [8]UserID
	rest := append(append(buf[:0], c.parties[:i]...), c.parties[i+1:]...)
	m.reshape(c, rest, m.Name(u)+" left")
	return nil
}

// EndCall hangs up the call for everyone.
func (m *Model) EndCall(id CallID) error {
	c, err := m.getCall(id)
	if err != nil {
		return err
	}
	m.reshape(c, nil, "call ended")
	return nil
}

// CallOf returns the ongoing call the user is in, if any.
func (m *Model) CallOf(u UserID) (CallID, bool) {
	for i := len(m.calls) - 1; i >= 0; i-- {
		c := m.calls[i]
		if c.ended {
			continue
		}
		for _, p := range c.parties {
			if p == u {
				return c.id, true
			}
		}
	}
	return 0, false
}

// CallParties names the parties of a call.
func (m *Model) CallParties(id CallID) string {
	c := m.calls[id]
	names := make([]string, len(c.parties))
	for i, p := range c.parties {
		names[i] = m.Name(p)
	}
	return strings.Join(names, ", ")
}

// JoinMeeting puts the user in a Teams meeting: Busy/InAMeeting (T-CALL-1).
func (m *Model) JoinMeeting(id UserID) error {
	return m.counter(id, SrcMeeting, +1)
}

// LeaveMeeting takes the user out of a Teams meeting.
func (m *Model) LeaveMeeting(id UserID) error { return m.counter(id, SrcMeeting, -1) }

// StartPresenting starts sharing the screen: DoNotDisturb/Presenting
// (T-PRES-1).
func (m *Model) StartPresenting(id UserID) error { return m.counter(id, SrcPresenting, +1) }

// StopPresenting stops sharing the screen.
func (m *Model) StopPresenting(id UserID) error { return m.counter(id, SrcPresenting, -1) }

func (m *Model) counter(id UserID, src SourceKind, d int) error {
	if err := m.valid(id); err != nil {
		return err
	}
	u := m.users[id]
	ctr := &u.meetings
	if src == SrcPresenting {
		ctr = &u.presenting
	}
	if *ctr+d < 0 {
		return fmt.Errorf("%s is not %s", u.dir.Name, map[SourceKind]string{SrcMeeting: "in a meeting", SrcPresenting: "presenting"}[src])
	}
	before := *ctr > 0
	*ctr += d
	if before != (*ctr > 0) {
		m.source(id, sourceNames[src], m.onOff(src, before), m.onOff(src, !before), sourceRule[src], "")
	}
	m.update(id, sourceNames[src])
	return nil
}
