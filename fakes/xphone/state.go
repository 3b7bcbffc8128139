package xphone

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	sx "github.com/presencesim/presencesim/sim/xphone"
)

// Caps of what one user's state and the journal may hold.
const (
	MaxProfiles     = 32
	MaxAppointments = 16
	MaxCalls        = 8
	MaxMicrophone   = 16
	MaxJournal      = 4096
	maxText         = 64
)

// Errors the state answers with; the handler maps them onto statuses.
var (
	ErrUnknown = errors.New("no such XPhone user")
	ErrInvalid = errors.New("invalid XPhone input")
	ErrFull    = errors.New("XPhone limit reached")
)

// Who made a change.
const (
	ByHarness   = "harness"
	ByConnector = "connector"
)

// Kind is what a change did.
type Kind uint8

// The kinds of change.
const (
	Profiles Kind = iota
	Selected
	CallStarted
	CallEnded
	MeetingJoined
	MeetingLeft
	Microphone
	AppointmentCreated
	AppointmentDeleted
	numKinds
)

var kindNames = [numKinds]string{"profiles set", "profile selected", "XPhone call started", "XPhone call ended",
	"XPhone meeting joined", "XPhone meeting left", "microphone", "appointment created", "appointment deleted"}

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Change is one journalled change of the XPhone side.
type Change struct {
	Seq  uint64
	At   clock.Time
	User string // the user's name in the world
	ID   string // the user's object id
	By   string // ByHarness or ByConnector
	Kind Kind
	// Profile is the profile selected, or the appointment's profile;
	// Presence the selected profile's presence.
	Profile  string
	Presence presence.Presence
	// FirstDND is, at a selection, the first profile of "Meine Profile"
	// whose presence is Do not disturb (XP-6), "" when there is none.
	FirstDND string
	// Appointment is the appointment's id, Text and Source its text and
	// what it mirrors ("teams-call", "teams-meeting").
	Appointment int
	Text        string
	Source      string
	// Detail is a process using the microphone, and whether it started.
	Detail string
}

func (c Change) String() string {
	s := c.At.String() + " " + c.User + ": " + c.Kind.String()
	switch c.Kind {
	case Selected:
		s += fmt.Sprintf(" %q (%s)", c.Profile, c.Presence.Short())
	case AppointmentCreated, AppointmentDeleted:
		s += fmt.Sprintf(" #%d %q with profile %q", c.Appointment, c.Text, c.Profile)
	case Microphone:
		s += " " + c.Detail
	}
	return s + " by the " + c.By
}

// Appointment is an entry of a user's XPhone appointment list.
type Appointment struct {
	ID      int        `json:"id"`
	Text    string     `json:"text"`
	Profile string     `json:"profile"`
	Source  string     `json:"source"`
	Created clock.Time `json:"-"`
}

type user struct {
	profiles  []sx.Profile
	selected  int
	calls     int
	meetings  int
	mic       []string
	appts     []Appointment
	nextAppt  int
	touchedBy string
	ver       uint64 // the version of the user's last change
}

// state is the XPhone server's state; reached only under the world's lock.
type state struct {
	users    map[teams.UserID]*user
	exclude  map[string]bool
	journal  []Change
	dropped  int
	version  uint64
	served   uint64 // the latest version a reader asked to read after
	onChange func(Change)
	// index finds a user by lowercased id, name or UPN, and list is the
	// users in the world's order; both rebuilt when the directory changes
	// (DirVersion), so that a lookup does not walk a tenant of thousands.
	index    map[string]teams.UserID
	list     []teams.UserID
	indexVer uint64
	indexed  bool
}

func newState(exclude []string, on func(Change)) *state {
	st := &state{users: map[teams.UserID]*user{}, exclude: map[string]bool{}, onChange: on}
	for _, n := range exclude {
		st.exclude[strings.ToLower(n)] = true
	}
	return st
}

// ids lists the users the server knows: the world's, less those excluded
// (a presence account), in the world's order. The caller must not change
// the slice.
func (st *state) ids(w *sim.World) []teams.UserID {
	st.reindex(w)
	return st.list
}

func (st *state) reindex(w *sim.World) {
	if st.indexed && st.indexVer == w.Teams.DirVersion() {
		return
	}
	st.index, st.list = map[string]teams.UserID{}, nil
	for _, u := range w.Teams.Users() {
		if st.exclude[strings.ToLower(w.Teams.Name(u))] {
			continue
		}
		st.list = append(st.list, u)
		d := w.Teams.Dir(u)
		for _, k := range []string{d.UPN, d.Name, d.ID} {
			if _, dup := st.index[strings.ToLower(k)]; k != "" && !dup {
				st.index[strings.ToLower(k)] = u // the first in order wins
			}
		}
	}
	st.indexVer, st.indexed = w.Teams.DirVersion(), true
}

// lookup finds a user by object id, name or UPN.
func (st *state) lookup(w *sim.World, key string) (teams.UserID, error) {
	st.reindex(w)
	if u, ok := st.index[strings.ToLower(key)]; ok {
		return u, nil
	}
	if utf8.RuneCountInString(key) > maxText {
		key = string([]rune(key)[:maxText]) + "…"
	}
	return 0, fmt.Errorf("%w %q", ErrUnknown, key)
}

// known says whether the server has the user (it is not excluded).
func (st *state) known(w *sim.World, u teams.UserID) error {
	st.reindex(w)
	d := w.Teams.Dir(u)
	if v, ok := st.index[strings.ToLower(d.ID)]; ok && v == u {
		return nil
	}
	return fmt.Errorf("%w %q", ErrUnknown, d.Name)
}

// changedAfter lists the users changed after version v, in the world's
// order: from the journal when it still holds every change after v (a
// reader that keeps up), else by looking at everyone.
func (st *state) changedAfter(w *sim.World, v uint64) []teams.UserID {
	st.reindex(w)
	var out []teams.UserID
	if n := len(st.journal); n > 0 && st.journal[0].Seq <= v+1 {
		i := sort.Search(n, func(i int) bool { return st.journal[i].Seq > v })
		seen := map[string]bool{}
		for _, c := range st.journal[i:] {
			if !seen[c.ID] {
				seen[c.ID] = true
				if u, ok := st.index[strings.ToLower(c.ID)]; ok {
					out = append(out, u)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	for _, u := range st.ids(w) {
		if x := st.users[u]; x != nil && x.ver > v {
			out = append(out, u)
		}
	}
	return out
}

func (st *state) get(u teams.UserID) *user {
	x := st.users[u]
	if x == nil {
		x = &user{profiles: sx.DefaultProfiles()}
		st.users[u] = x
	}
	return x
}

func (st *state) record(w *sim.World, u teams.UserID, c Change) {
	d := w.Teams.Dir(u)
	st.version++
	c.Seq, c.At, c.User, c.ID = st.version, w.Clock.Now(), d.Name, d.ID
	st.get(u).ver = st.version
	if len(st.journal) >= MaxJournal {
		st.journal = st.journal[1:]
		st.dropped++
	}
	st.journal = append(st.journal, c)
	if st.onChange != nil {
		st.onChange(c)
	}
}

func checkText(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalid, field)
	}
	if n := utf8.RuneCountInString(s); n > maxText {
		return fmt.Errorf("%w: %s is %d characters long; at most %d", ErrInvalid, field, n, maxText)
	}
	return nil
}

func (st *state) setProfiles(w *sim.World, u teams.UserID, list []sx.Profile) error {
	if len(list) > MaxProfiles {
		return fmt.Errorf("%w: %d profiles; at most %d", ErrFull, len(list), MaxProfiles)
	}
	for i, p := range list {
		if err := checkText(fmt.Sprintf("profile %d's name", i+1), p.Name); err != nil {
			return err
		}
	}
	if err := sx.CheckProfiles(list); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	x := st.get(u)
	x.profiles, x.selected = append([]sx.Profile(nil), list...), 0
	st.record(w, u, Change{By: ByHarness, Kind: Profiles, Profile: list[0].Name, Presence: list[0].Presence})
	return nil
}

func (st *state) selectProfile(w *sim.World, u teams.UserID, name, by string) error {
	if err := checkText("the profile name", name); err != nil {
		return err
	}
	x := st.get(u)
	for i, p := range x.profiles {
		if strings.EqualFold(strings.TrimSpace(p.Name), strings.TrimSpace(name)) {
			x.selected, x.touchedBy = i, by
			first := ""
			for _, q := range x.profiles {
				if q.Presence.Availability == presence.DoNotDisturb {
					first = q.Name
					break
				}
			}
			st.record(w, u, Change{By: by, Kind: Selected, Profile: p.Name, Presence: p.Presence, FirstDND: first})
			return nil
		}
	}
	names := make([]string, len(x.profiles))
	for i, p := range x.profiles {
		names[i] = fmt.Sprintf("%q", p.Name)
	}
	return fmt.Errorf("%w: no profile %q in \"Meine Profile\" (%s)", ErrUnknown, clip(name), strings.Join(names, ", "))
}

func (st *state) count(w *sim.World, u teams.UserID, meeting, on bool) error {
	x := st.get(u)
	n, k := &x.calls, CallStarted
	if meeting {
		n, k = &x.meetings, MeetingJoined
	}
	switch {
	case on && *n >= MaxCalls:
		return fmt.Errorf("%w: %d at once; at most %d", ErrFull, *n, MaxCalls)
	case on:
		*n++
	case *n == 0:
		return fmt.Errorf("%w: none to end", ErrInvalid)
	default:
		*n--
		k++
	}
	st.record(w, u, Change{By: ByHarness, Kind: k})
	return nil
}

func (st *state) microphone(w *sim.World, u teams.UserID, process string, on bool) error {
	if err := checkText("the process", process); err != nil {
		return err
	}
	x := st.get(u)
	i := -1
	for j, p := range x.mic {
		if strings.EqualFold(p, process) {
			i = j
		}
	}
	switch {
	case on && i < 0 && len(x.mic) >= MaxMicrophone:
		return fmt.Errorf("%w: %d processes use the microphone; at most %d", ErrFull, len(x.mic), MaxMicrophone)
	case on && i < 0:
		x.mic = append(x.mic, process)
	case !on && i >= 0:
		x.mic = append(x.mic[:i], x.mic[i+1:]...)
	}
	what := process + " stops using the microphone"
	if on {
		what = process + " starts using the microphone"
	}
	st.record(w, u, Change{By: ByHarness, Kind: Microphone, Detail: what})
	return nil
}

// Appointment sources the connector may name.
var sources = []string{"teams-call", "teams-meeting"}

func (st *state) createAppt(w *sim.World, u teams.UserID, text, profile, source string) (Appointment, error) {
	if err := checkText("text", text); err != nil {
		return Appointment{}, err
	}
	if err := checkText("profile", profile); err != nil {
		return Appointment{}, err
	}
	known := false
	for _, s := range sources {
		known = known || s == source
	}
	if !known {
		return Appointment{}, fmt.Errorf("%w: source %q; want one of %s", ErrInvalid, clip(source), strings.Join(sources, ", "))
	}
	x := st.get(u)
	if len(x.appts) >= MaxAppointments {
		return Appointment{}, fmt.Errorf("%w: %d appointments; at most %d", ErrFull, len(x.appts), MaxAppointments)
	}
	x.nextAppt++
	a := Appointment{ID: x.nextAppt, Text: text, Profile: profile, Source: source, Created: w.Clock.Now()}
	x.appts = append(x.appts, a)
	st.record(w, u, Change{By: ByConnector, Kind: AppointmentCreated, Appointment: a.ID, Text: a.Text, Profile: a.Profile, Source: a.Source})
	return a, nil
}

func (st *state) deleteAppt(w *sim.World, u teams.UserID, id int) error {
	x := st.get(u)
	for i, a := range x.appts {
		if a.ID == id {
			x.appts = append(x.appts[:i], x.appts[i+1:]...)
			st.record(w, u, Change{By: ByConnector, Kind: AppointmentDeleted, Appointment: a.ID, Text: a.Text, Profile: a.Profile, Source: a.Source})
			return nil
		}
	}
	return fmt.Errorf("%w: no appointment %d", ErrUnknown, id)
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > maxText {
		return string([]rune(s)[:maxText]) + "…"
	}
	return s
}
