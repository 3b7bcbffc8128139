package event

import (
	"errors"
	"fmt"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Op is a kind of input: a row of the table.
type Op uint8

// The inputs, in the order of the table. The explorer draws them by this
// order, so a new input goes at the end to keep a seed's runs.
const (
	Wait Op = iota // no input: time passes until the next one
	SignIn
	SignOut
	Use
	GoIdle
	Lock
	Unlock
	Sleep
	Wake
	Background
	LoseNetwork
	RestoreNetwork
	StartCall
	PlaceCall
	JoinCall
	LeaveCall
	EndCall
	JoinMeeting
	LeaveMeeting
	StartPresenting
	StopPresenting
	Appointment
	AutoRepliesOn
	AutoRepliesOff
	SetManual
	ResetManual
	GraphPreferred
	AppSet
	AppClear
	Priority
	Privacy
	Block
	SetLocation
	DetectLocation
	ClearLocation
	ClearDetectedLocation
	WorkingHours
	PBXMakeCall
	PBXTakeCall
	PBXHangUp
	PBXPresence
	CloudLinkStop
	CloudLinkStart
	XPhoneUse
	XPhoneCall
	XPhoneCallEnds
	XPhoneProfile
	XPhoneLoseServer
	XPhoneReconnect
	XPhoneQuit
	XPhoneStart
	XPhoneNotificationsStop
	XPhoneNotificationsResume
	NimbusService
	NimbusBusyDistributed
	NimbusAccount
	NimbusArrive
	NimbusAccept
	NimbusDecline
	NimbusHangUp
	Crash
	SignOutAll
	Indicator
	GraphOutage
	GraphRecovers
	GraphDelayNotes
	GraphReverseNotes
	GraphDropNote
	GraphDuplicateNotes
	NumOps
)

// Event is one input to a world. Users names the people it concerns, the
// one who acts first; the other fields are used by the inputs that need
// them (the table says which).
type Event struct {
	Op       Op
	Users    []string
	Client   teams.ClientKind
	Presence presence.Presence
	For      time.Duration // how long a status or an app's presence lasts; 0: the default
	// Name is what the input names besides people: the app that writes
	// presence or detects a location, the XPhone profile, the Nimbus
	// service or presence account.
	Name      string
	From, To  clock.Time // a calendar entry, on the day it is made
	Show      teams.ShowAs
	Location  teams.WorkLocationType
	Place     string
	Days      teams.Weekdays
	Start     time.Duration // working hours, as times of day
	End       time.Duration
	State     pbx.UserState
	Indicator teams.Indicator
	// Share (percent), Status and RetryAfter are a Graph outage: the share
	// of requests answered with Status, and the Retry-After sent with it.
	Share      int
	Status     int
	RetryAfter time.Duration
}

// User returns the person who acts, "" for an input of nobody.
func (ev Event) User() string {
	if len(ev.Users) == 0 {
		return ""
	}
	return ev.Users[0]
}

func (ev Event) String() string {
	if s := ev.Phrase(); s != "" {
		return s
	}
	return rows[ev.Op].name
}

// ApplyTo lets the event act on w (sim.World.Apply calls it). A caller
// that applies many may pass &ev, which spares boxing a copy.
func (ev Event) ApplyTo(w *sim.World) error {
	if ev.Op >= NumOps {
		return fmt.Errorf("no input %d", ev.Op)
	}
	r := &rows[ev.Op]
	in := &input{w: w, ev: ev}
	in.ids = in.buf[:0]
	for _, n := range ev.Users {
		id, err := w.Teams.User(n)
		if err != nil {
			return err
		}
		in.ids = append(in.ids, id)
	}
	if len(in.ids) < r.users {
		return fmt.Errorf("%s: names %d people, needs %d", r.json, len(in.ids), r.users)
	}
	return r.apply(in)
}

// input is what a row's apply sees.
type input struct {
	w   *sim.World
	ev  Event
	ids []teams.UserID
	buf [3]teams.UserID
}

func (in *input) u() teams.UserID { return in.ids[0] }
func (in *input) v() teams.UserID { return in.ids[1] }
func (in *input) m() *teams.Model { return in.w.Teams }

// calls remembers the last call started by an input, the call that
// "joins the call", "leaves the call" and "the call ends" mean.
type calls struct {
	last teams.CallID
	has  bool
}

func (*calls) ComponentName() string { return "calls" }

func callsOf(w *sim.World) *calls { return sim.Attach(w, func(*sim.World) *calls { return &calls{} }) }

// LastCall returns the last call started by an input, if any.
func LastCall(w *sim.World) (teams.CallID, bool) {
	c, ok := sim.Find[*calls](w)
	if !ok {
		return 0, false
	}
	return c.last, c.has
}

// RememberCall makes c the call that "joins the call", "leaves the call"
// and "the call ends" mean, for a call started other than by an input (an
// XPhone action, a Nimbus agent's outbound call).
func RememberCall(w *sim.World, c teams.CallID) {
	l := callsOf(w)
	l.last, l.has = c, true
}

var (
	// ErrNoCall refuses a call's input before any call was started.
	ErrNoCall = errors.New("there is no call yet")
	// ErrNextDay refuses a calendar entry that is not on the current day:
	// its phrase names times of the current day only.
	ErrNextDay = errors.New("a calendar entry within the day only")
	// ErrRefused refuses an input that is not possible in the state the
	// world is in, before it changes anything.
	ErrRefused = errors.New("not possible in this state")
)
