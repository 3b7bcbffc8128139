package pbx

import (
	"fmt"
	"strings"
)

// Device is a PBX device of a user; each has one line.
type Device uint8

// The devices a user may have on the PBX.
const (
	DeskPhone Device = iota
	Softphone
	numDevices
)

var deviceNames = [numDevices]string{"desk phone", "softphone"}

// deviceSources are the trace source names, interned so recording a line
// change allocates nothing.
var deviceSources = [numDevices]string{"pbx:desk phone", "pbx:softphone"}

func (d Device) String() string {
	if d < numDevices {
		return deviceNames[d]
	}
	return fmt.Sprintf("Device(%d)", uint8(d))
}

// Devices lists the device kinds.
func Devices() []Device { return []Device{DeskPhone, Softphone} }

// ParseDevice reads "desk phone" (also "deskphone", "desk-phone") or
// "softphone".
func ParseDevice(s string) (Device, error) {
	key := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	for i, n := range deviceNames {
		if strings.ReplaceAll(n, " ", "") == key {
			return Device(i), nil
		}
	}
	return 0, fmt.Errorf("unknown PBX device %q; valid: %s", s, strings.Join(deviceNames[:], ", "))
}

// CallState is the state of a line.
type CallState uint8

// Line states.
const (
	Idle CallState = iota
	Ringing
	Connected
	Held
	numCallStates
)

var callStateNames = [numCallStates]string{"idle", "ringing", "connected", "held"}

func (c CallState) String() string {
	if c < numCallStates {
		return callStateNames[c]
	}
	return fmt.Sprintf("CallState(%d)", uint8(c))
}

// ParseCallState reads a line state name.
func ParseCallState(s string) (CallState, error) {
	for i, n := range callStateNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return CallState(i), nil
		}
	}
	return 0, fmt.Errorf("unknown line state %q; valid: %s", s, strings.Join(callStateNames[:], ", "))
}

// Direction tells a call made from one received.
type Direction uint8

// Call directions; NoCall on an idle line.
const (
	NoCall Direction = iota
	Made
	Received
	numDirections
)

var directionNames = [numDirections]string{"", "made", "received"}

func (d Direction) String() string {
	if d < numDirections {
		return directionNames[d]
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// LineEvent is something that happens on a line.
type LineEvent uint8

// Line events. OffHook starts a call made (the far end rings); Incoming
// rings the line for a call received; Answer connects a ringing call in
// either direction.
const (
	OffHook LineEvent = iota + 1
	Incoming
	Answer
	Hold
	Retrieve
	HangUp
	Unplug
	PlugIn
	numLineEvents
)

// lineEventNames are the names the HTTP API and error messages use.
var lineEventNames = [numLineEvents]string{"", "offhook", "incoming", "answer", "hold", "retrieve", "hangup", "unplug", "plugin"}

func (e LineEvent) String() string {
	if e > 0 && e < numLineEvents {
		return lineEventNames[e]
	}
	return fmt.Sprintf("LineEvent(%d)", uint8(e))
}

// ParseLineEvent reads an event name: offhook, incoming, answer, hold,
// retrieve, hangup, unplug, plugin (dashes and spaces ignored).
func ParseLineEvent(s string) (LineEvent, error) {
	key := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	for i := OffHook; i < numLineEvents; i++ {
		if lineEventNames[i] == key {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown line event %q; valid: %s", s, strings.Join(lineEventNames[1:], ", "))
}

// transition is one row of the line state machine.
type transition struct {
	from CallState
	ev   LineEvent
	to   CallState
	dir  Direction // direction after the event; NoCall on idle, keep when unchanged
	keep bool      // keep the call's direction
}

// transitions is the line state machine; an event not listed for a state is
// refused with the events that state allows.
var transitions = []transition{
	{Idle, OffHook, Ringing, Made, false},
	{Idle, Incoming, Ringing, Received, false},
	{Ringing, Answer, Connected, 0, true},
	{Ringing, HangUp, Idle, NoCall, false},
	{Connected, Hold, Held, 0, true},
	{Connected, HangUp, Idle, NoCall, false},
	{Held, Retrieve, Connected, 0, true},
	{Held, HangUp, Idle, NoCall, false},
}

// lineNotes are the trace notes per state and direction, interned.
var lineNotes = [numCallStates][numDirections]string{
	Idle:      {"idle", "idle", "idle"},
	Ringing:   {"ringing", "ringing (call made)", "ringing (call received)"},
	Connected: {"connected", "connected (call made)", "connected (call received)"},
	Held:      {"held", "held (call made)", "held (call received)"},
}

const (
	noteUnplugged = "unplugged (not registered)"
	notePlugged   = "plugged in (registered), idle"
	noteAdded     = "device added, idle"
)

// UserState is a MiVoice Office 400 user presence state. Its label is what
// the admin calls it; the state is what counts (CL-4).
type UserState uint8

// The five MiVO400 user presence states (seed 002), Available the default.
const (
	StAvailable UserState = iota
	StAway
	StMeeting
	StBusy
	StUnavailable
	numUserStates
)

// userStateInfo names a state: a stable id for APIs, the document's label
// and other names the document uses for it.
type userStateInfo struct {
	ID      string
	Label   string
	Aliases []string
}

// userStates are the MiVO400 states as seed 002 lists them ("Verfügbar
// (Standard), Abwesend, Besprechung, Besetzt, Nicht verfügbar"); the mapping
// tables of the same document call Besprechung "Meeting".
var userStates = [numUserStates]userStateInfo{
	StAvailable:   {"available", "Verfügbar", nil},
	StAway:        {"away", "Abwesend", nil},
	StMeeting:     {"meeting", "Besprechung", []string{"Meeting"}},
	StBusy:        {"busy", "Besetzt", nil},
	StUnavailable: {"unavailable", "Nicht verfügbar", nil},
}

// ID is the state's stable name in the HTTP API.
func (s UserState) ID() string {
	if s < numUserStates {
		return userStates[s].ID
	}
	return fmt.Sprintf("UserState(%d)", uint8(s))
}

func (s UserState) String() string { return s.ID() }

// UserStates lists the five states.
func UserStates() []UserState {
	return []UserState{StAvailable, StAway, StMeeting, StBusy, StUnavailable}
}

// MitelOneState is a presence the Mitel One app offers.
type MitelOneState uint8

// The Mitel One states of seed 002's mapping table.
const (
	MOAvailable MitelOneState = iota
	MOAway
	MOBusy
	MODoNotDisturb
	numMitelOne
)

var mitelOneStates = [numMitelOne]userStateInfo{
	MOAvailable:    {"available", "Verfügbar", []string{"Available"}},
	MOAway:         {"away", "Abwesend", []string{"Away"}},
	MOBusy:         {"busy", "Besetzt", []string{"Busy"}},
	MODoNotDisturb: {"dnd", "Nicht stören", []string{"Do not disturb", "DoNotDisturb", "Bitte nicht stören"}},
}

// ID is the state's stable name in the HTTP API.
func (s MitelOneState) ID() string {
	if s < numMitelOne {
		return mitelOneStates[s].ID
	}
	return fmt.Sprintf("MitelOneState(%d)", uint8(s))
}

// Label is the German word Mitel One shows.
func (s MitelOneState) Label() string {
	if s < numMitelOne {
		return mitelOneStates[s].Label
	}
	return s.ID()
}

func (s MitelOneState) String() string { return s.ID() }

// ParseMitelOne reads a Mitel One state by label, English name or id.
func ParseMitelOne(s string) (MitelOneState, error) {
	key := normLabel(s)
	for i, st := range mitelOneStates {
		if normLabel(st.Label) == key || normLabel(st.ID) == key {
			return MitelOneState(i), nil
		}
		for _, a := range st.Aliases {
			if normLabel(a) == key {
				return MitelOneState(i), nil
			}
		}
	}
	names := make([]string, len(mitelOneStates))
	for i, st := range mitelOneStates {
		names[i] = st.Label
	}
	return 0, fmt.Errorf("unknown Mitel One presence %q; valid: %s", s, strings.Join(names, ", "))
}

// SyncRule is one row of the CL-5 table.
type SyncRule struct {
	MitelOne MitelOneState
	PBX      []UserState // the first is what a Mitel One setting selects
	Rule     string
}

// MitelOneSync is seed 002's table "Mitel One-Präsenzstatus ↔ MiVoice
// Office 400-Präsenzstatus" (CL-5). A state set in Mitel One selects the
// first PBX state of its row; a PBX state shows in Mitel One as its row's
// Mitel One state.
var MitelOneSync = []SyncRule{
	{MOAvailable, []UserState{StAvailable}, "CL-5"},
	{MOAway, []UserState{StAway}, "CL-5"},
	{MOBusy, []UserState{StBusy, StMeeting}, "CL-5"},
	{MODoNotDisturb, []UserState{StUnavailable}, "CL-5"},
}

// compiled CL-5 lookups
var (
	fromMitelOne [numMitelOne]UserState
	toMitelOne   [numUserStates]MitelOneState
)

func init() {
	seenMO, seenPBX := [numMitelOne]bool{}, [numUserStates]bool{}
	for _, r := range MitelOneSync {
		if seenMO[r.MitelOne] || len(r.PBX) == 0 {
			panic(fmt.Sprintf("pbx: CL-5 table: Mitel One %s listed twice or without a PBX state", r.MitelOne))
		}
		seenMO[r.MitelOne] = true
		fromMitelOne[r.MitelOne] = r.PBX[0]
		for _, s := range r.PBX {
			if seenPBX[s] {
				panic(fmt.Sprintf("pbx: CL-5 table: PBX state %s listed twice", s))
			}
			seenPBX[s] = true
			toMitelOne[s] = r.MitelOne
		}
	}
	for i, ok := range seenPBX {
		if !ok {
			panic(fmt.Sprintf("pbx: CL-5 table misses PBX state %s", UserState(i)))
		}
	}
}

// MitelOneOf is the Mitel One state a PBX state shows as (CL-5).
func MitelOneOf(s UserState) MitelOneState { return toMitelOne[s] }

// PBXOf is the PBX state a Mitel One state selects (CL-5).
func PBXOf(s MitelOneState) UserState { return fromMitelOne[s] }

// Via says where a user presence was set.
type Via uint8

// Where a presence is set (seed 002: the desk phone's system menu or a key,
// the self-service portal, the Mitel One app, the MiCollab client).
const (
	ViaPhone Via = iota
	ViaPortal
	ViaMitelOne
	ViaMiCollab
	numVia
)

var viaNames = [numVia]string{"phone", "portal", "mitelone", "micollab"}

var viaLabels = [numVia]string{"desk phone", "self-service portal", "Mitel One", "MiCollab"}

func (v Via) String() string {
	if v < numVia {
		return viaNames[v]
	}
	return fmt.Sprintf("Via(%d)", uint8(v))
}

// Label is the place's name for people.
func (v Via) Label() string {
	if v < numVia {
		return viaLabels[v]
	}
	return v.String()
}

// ParseVia reads phone, portal, mitelone or micollab (or the labels).
func ParseVia(s string) (Via, error) {
	key := normLabel(s)
	for i := range viaNames {
		if normLabel(viaNames[i]) == key || normLabel(viaLabels[i]) == key || strings.ReplaceAll(normLabel(viaLabels[i]), " ", "") == key {
			return Via(i), nil
		}
	}
	return 0, fmt.Errorf("unknown place to set presence %q; valid: %s", s, strings.Join(viaNames[:], ", "))
}

// normLabel folds case, spaces and the German special letters so "Nicht
// verfügbar" matches "nicht verfuegbar".
func normLabel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("ß", "ss", "ä", "ae", "ö", "oe", "ü", "ue").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}
