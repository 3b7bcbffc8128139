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

func (d Device) String() string { return enumName(d, deviceNames[:], "Device") }

// ParseDevice reads "desk phone" (also "deskphone", "desk-phone") or
// "softphone".
func ParseDevice(s string) (Device, error) {
	return parseName[Device](s, deviceNames[:], squashed, "PBX device")
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

func (c CallState) String() string { return enumName(c, callStateNames[:], "CallState") }

// ParseCallState reads a line state name.
func ParseCallState(s string) (CallState, error) {
	return parseName[CallState](s, callStateNames[:], func(name, s string) bool {
		return strings.EqualFold(strings.TrimSpace(s), name)
	}, "line state")
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

func (d Direction) String() string { return enumName(d, directionNames[:], "Direction") }

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
	if e == 0 {
		return "LineEvent(0)"
	}
	return enumName(e, lineEventNames[:], "LineEvent")
}

// ParseLineEvent reads an event name: offhook, incoming, answer, hold,
// retrieve, hangup, unplug, plugin (dashes and spaces ignored).
func ParseLineEvent(s string) (LineEvent, error) {
	return parseName[LineEvent](s, lineEventNames[:], squashed, "line event")
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
	if i := stateNamed(mitelOneStates[:], normLabel(s)); i >= 0 {
		return MitelOneState(i), nil
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

func (v Via) String() string { return enumName(v, viaNames[:], "Via") }

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

// stateNamed is the index of the state whose id, label or other name is key
// (folded by normLabel), or -1.
func stateNamed(states []userStateInfo, key string) int {
	for i, st := range states {
		if normLabel(st.ID) == key || normLabel(st.Label) == key {
			return i
		}
		for _, a := range st.Aliases {
			if normLabel(a) == key {
				return i
			}
		}
	}
	return -1
}

// enumName is names[v], or T(v) for a value past the table.
func enumName[T ~uint8](v T, names []string, typ string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", typ, uint8(v))
}

// parseName is the value whose name matches s; an empty name is no value.
// The error lists the names.
func parseName[T ~uint8](s string, names []string, match func(name, s string) bool, what string) (T, error) {
	valid := make([]string, 0, len(names))
	for i, n := range names {
		if n == "" {
			continue
		}
		if match(n, s) {
			return T(i), nil
		}
		valid = append(valid, n)
	}
	return 0, fmt.Errorf("unknown %s %q; valid: %s", what, s, strings.Join(valid, ", "))
}

// squashed matches a name as typed in any case, with or without dashes,
// underscores and spaces.
func squashed(name, s string) bool { return squash(name) == squash(s) }

var squasher = strings.NewReplacer("-", "", "_", "", " ", "")

func squash(s string) string { return squasher.Replace(strings.ToLower(strings.TrimSpace(s))) }

// normLabel folds case, spaces and the German special letters so "Nicht
// verfügbar" matches "nicht verfuegbar".
func normLabel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("ß", "ss", "ä", "ae", "ö", "oe", "ü", "ue").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}
