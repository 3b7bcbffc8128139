package pbx

import (
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
)

// Line is a line as the API shows it.
type Line struct {
	Device     string `json:"device"`
	Registered bool   `json:"registered"`
	State      string `json:"state"`               // idle, ringing, connected, held
	Direction  string `json:"direction,omitempty"` // made, received
}

// Presence is a user's MiVoice Office 400 presence and its Mitel One twin.
type Presence struct {
	State         string `json:"state"` // available, away, meeting, busy, unavailable
	Label         string `json:"label"` // the admin's name for the state
	Via           string `json:"via"`   // phone, portal, mitelone
	MitelOne      string `json:"mitelOne"`
	MitelOneLabel string `json:"mitelOneLabel"`
}

// User is a PBX user.
type User struct {
	Name      string `json:"name"`
	Extension string `json:"extension"`
	Email     string `json:"email"`
	Lines     []Line `json:"lines"`
	// Presence is absent on a PBX without user presence (not a MiVoice
	// Office 400); Mitel One then stands alone.
	Presence *Presence `json:"presence,omitempty"`
	MitelOne string    `json:"mitelOne"`
	// MiCollab is the presence set in MiCollab, which is not synced.
	MiCollab string `json:"miCollab,omitempty"`
}

// State is one MiVoice Office 400 presence state.
type State struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	MitelOne string `json:"mitelOne"`
}

// Event is one change. User is the user's snapshot after it; Line and
// Before are the line after and before a line change.
type Event struct {
	ID     uint64  `json:"id"`
	Type   string  `json:"type"` // user, line, presence, mitelone, micollab, email, states
	At     string  `json:"at"`   // virtual time, RFC 3339
	Time   string  `json:"time"` // virtual time as the features write it
	User   *User   `json:"user,omitempty"`
	Device string  `json:"device,omitempty"`
	Line   *Line   `json:"line,omitempty"`
	Before *Line   `json:"before,omitempty"`
	States []State `json:"states,omitempty"`
}

// Users is the answer of GET /pbx/users.
type Users struct {
	Value []User `json:"value"`
	// UserPresence is false on a PBX that is not a MiVoice Office 400.
	UserPresence bool `json:"userPresence"`
	// LastEventID is the id of the last event reflected in Value: stream
	// from here (Last-Event-ID) to miss nothing.
	LastEventID uint64 `json:"lastEventId"`
}

func lineJSON(l pbx.Line) Line {
	return Line{Device: l.Device.String(), Registered: l.Registered, State: l.State.String(), Direction: l.Dir.String()}
}

func userJSON(m *pbx.Model, i int) User {
	u := m.UserAt(i)
	out := User{Name: u.Name, Extension: u.Extension, Email: u.Email, MitelOne: u.MitelOne.ID(), Lines: []Line{}}
	for _, l := range u.Lines {
		if l.Present {
			out.Lines = append(out.Lines, lineJSON(l))
		}
	}
	if m.Settings().UserPresence {
		out.Presence = &Presence{State: u.State.ID(), Label: m.Label(u.State), Via: u.StateVia.String(), MitelOne: u.MitelOne.ID(), MitelOneLabel: u.MitelOne.Label()}
	}
	if u.MiCollab != presence.AvailabilityUnknown {
		out.MiCollab = u.MiCollab.String()
	}
	return out
}

func statesJSON(m *pbx.Model) []State {
	var out []State
	for _, s := range pbx.UserStates() {
		out = append(out, State{ID: s.ID(), Label: m.Label(s), MitelOne: pbx.MitelOneOf(s).ID()})
	}
	return out
}

func eventJSON(m *pbx.Model, now clock.Time, ev pbx.Event) Event {
	out := Event{Type: ev.Kind.String(), At: now.Wall().Format("2006-01-02T15:04:05Z"), Time: now.String()}
	if ev.User >= 0 && ev.User < m.Len() {
		u := userJSON(m, ev.User)
		out.User = &u
	}
	switch ev.Kind {
	case pbx.LineChanged:
		l, b := lineJSON(ev.Line), lineJSON(ev.Before)
		out.Device, out.Line, out.Before = ev.Device.String(), &l, &b
	case pbx.StatesRenamed:
		out.States = statesJSON(m)
	}
	return out
}
