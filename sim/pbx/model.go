package pbx

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// ErrInvalid marks an event the PBX refuses (the HTTP fake answers 400 or
// 409); ErrUnknown an unknown user or device (404).
var (
	ErrInvalid = errors.New("invalid PBX request")
	ErrUnknown = errors.New("unknown PBX user or device")
)

// Settings are the PBX's decided values.
type Settings struct {
	// UserPresence is on for a MiVoice Office 400, the only PBX with a user
	// presence (CL-1); off, only line state exists.
	UserPresence bool
	// FirstExtension is the number the first PBX user gets.
	FirstExtension int
}

// DefaultSettings is a MiVoice Office 400 numbering from 201.
func DefaultSettings() Settings { return Settings{UserPresence: true, FirstExtension: 201} }

// Line is the state of one device's line.
type Line struct {
	Device     Device
	Present    bool // the user has this device
	Registered bool // plugged in and registered with the PBX
	State      CallState
	Dir        Direction
}

// User is a PBX user.
type User struct {
	Name      string // the world's user name
	Teams     teams.UserID
	Extension string
	// SIPPassword is the secret the extension registers and subscribes
	// with over SIP; empty, the extension takes no SIP credentials.
	SIPPassword string
	Email       string // the CloudLink e-mail (CL-14); the Teams UPN unless changed
	Lines       [numDevices]Line
	State       UserState // MiVO400 user presence
	StateVia    Via
	MitelOne    MitelOneState
	// MiCollab is the presence set in the MiCollab client, which stays
	// there (seed 002); AvailabilityUnknown when never set.
	MiCollab presence.Availability
	// EmailSince orders the users by when they got their present CloudLink
	// e-mail: of two with the same address, the lower had it first (CL-14).
	EmailSince uint64
}

// Line returns the user's line of a device.
func (u User) Line(d Device) Line { return u.Lines[d] }

// EventKind says what changed.
type EventKind uint8

// Kinds of PBX change.
const (
	UserAdded EventKind = iota + 1
	LineChanged
	PresenceChanged // MiVO400 user presence and, with it, Mitel One
	MitelOneChanged // Mitel One set where the PBX has no user presence
	MiCollabChanged
	EmailChanged
	StatesRenamed
	numEventKinds
)

var eventKindNames = [numEventKinds]string{"", "user", "line", "presence", "mitelone", "micollab", "email", "states"}

func (k EventKind) String() string {
	if k < numEventKinds {
		return eventKindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one change, as listeners get it. User is the PBX user's index
// (see Model.UserAt); for StatesRenamed it is -1.
type Event struct {
	Kind   EventKind
	User   int
	Device Device
	Before Line
	Line   Line
	State  UserState
	Via    Via
}

// Listener is told of every change, synchronously, after the model has
// changed and recorded it.
type Listener interface {
	PBXChanged(now clock.Time, ev Event)
}

// Model is the PBX of one world.
type Model struct {
	w         *sim.World
	set       Settings
	users     []*User
	byTeams   map[teams.UserID]int
	labels    [numUserStates]string
	notes     [numUserStates][numVia]string
	listeners []Listener
	events    uint64
	emails    uint64 // e-mail assignments so far, for User.EmailSince
}

// ComponentName names the model among the world's components.
func (m *Model) ComponentName() string { return "pbx" }

// Of returns the world's PBX, attaching it on first use.
func Of(w *sim.World) *Model { return sim.Attach(w, New) }

// New builds a PBX over a world with the default settings.
func New(w *sim.World) *Model {
	m := &Model{w: w, set: DefaultSettings(), byTeams: map[teams.UserID]int{}}
	for i, s := range userStates {
		m.labels[i] = s.Label
	}
	m.buildNotes()
	return m
}

// Settings returns the PBX settings.
func (m *Model) Settings() Settings { return m.set }

// SetSettings replaces the settings.
func (m *Model) SetSettings(s Settings) error {
	if s.FirstExtension <= 0 {
		return fmt.Errorf("%w: extensions start at a positive number, got %d", ErrInvalid, s.FirstExtension)
	}
	m.set = s
	return nil
}

// Listen registers a listener.
func (m *Model) Listen(l Listener) { m.listeners = append(m.listeners, l) }

// Events counts the changes so far.
func (m *Model) Events() uint64 { return m.events }

func (m *Model) emit(ev Event) {
	m.events++
	now := m.w.Clock.Now()
	for _, l := range m.listeners {
		l.PBXChanged(now, ev)
	}
}

// buildNotes interns the trace notes of user presence changes.
func (m *Model) buildNotes() {
	for s := range m.labels {
		for v := range viaLabels {
			m.notes[s][v] = m.labels[s] + " (set on " + viaLabels[v] + ")"
		}
	}
}

// Label is the state's current name on this PBX.
func (m *Model) Label(s UserState) string {
	if s < numUserStates {
		return m.labels[s]
	}
	return s.ID()
}

// Labels lists the current names of the five states in order.
func (m *Model) Labels() []string { return append([]string(nil), m.labels[:]...) }

// RenameState gives a state a new name, as the admin may (seed 002). The
// name must not be another state's.
func (m *Model) RenameState(s UserState, label string) error {
	label = strings.TrimSpace(label)
	if s >= numUserStates {
		return fmt.Errorf("%w: no state %d", ErrInvalid, s)
	}
	if label == "" {
		return fmt.Errorf("%w: a state needs a name", ErrInvalid)
	}
	for i, l := range m.labels {
		if UserState(i) != s && normLabel(l) == normLabel(label) {
			return fmt.Errorf("%w: %q is the name of state %s already", ErrInvalid, label, UserState(i))
		}
	}
	m.labels[s] = label
	m.buildNotes()
	m.emit(Event{Kind: StatesRenamed, User: -1, State: s})
	return nil
}

// ParseUserState reads a MiVO400 state: its current name, its id, or a name
// seed 002 gives it ("Besprechung", "Meeting"), in that order.
func (m *Model) ParseUserState(s string) (UserState, error) {
	key := normLabel(s)
	for i, l := range m.labels {
		if normLabel(l) == key {
			return UserState(i), nil
		}
	}
	if i := stateNamed(userStates[:], key); i >= 0 {
		return UserState(i), nil
	}
	ids := make([]string, len(userStates))
	for i, st := range userStates {
		ids[i] = st.ID
	}
	return 0, fmt.Errorf("unknown MiVoice Office 400 presence %q; valid: %s (ids %s)", s, strings.Join(m.labels[:], ", "), strings.Join(ids, ", "))
}

// EnsureOrg puts every user of an organisation on the PBX with a desk
// phone, in the order the world knows them; a served world does this for
// its home tenant, so that every person there has an extension.
func (m *Model) EnsureOrg(org string) error {
	for _, id := range m.w.Teams.Users() {
		if strings.EqualFold(m.w.Teams.Dir(id).Org, org) {
			if _, err := m.Ensure(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// Ensure returns the PBX user of a world user, creating it with a desk
// phone, the next extension and the Teams UPN as CloudLink e-mail.
func (m *Model) Ensure(tu teams.UserID) (int, error) {
	if i, ok := m.byTeams[tu]; ok {
		return i, nil
	}
	if int(tu) < 0 || int(tu) >= m.w.Teams.NumUsers() {
		return 0, fmt.Errorf("%w: no world user #%d", ErrUnknown, tu)
	}
	d := m.w.Teams.Dir(tu)
	u := &User{
		Name:      d.Name,
		Teams:     tu,
		Extension: strconv.Itoa(m.set.FirstExtension + len(m.users)),
		Email:     d.UPN,
		State:     StAvailable,
		MitelOne:  MOAvailable,
	}
	m.emails++
	u.EmailSince = m.emails
	for i := range u.Lines {
		u.Lines[i].Device = Device(i)
	}
	u.Lines[DeskPhone].Present, u.Lines[DeskPhone].Registered = true, true
	i := len(m.users)
	m.users = append(m.users, u)
	m.byTeams[tu] = i
	m.record(u, deviceSources[DeskPhone], noteAdded, "CL-3")
	m.emit(Event{Kind: UserAdded, User: i})
	return i, nil
}

// SetSIP gives a user the extension number and SIP password a world file
// declares; an empty extension keeps the numbered one. Numbers are digits
// and belong to one user.
func (m *Model) SetSIP(i int, extension, password string) error {
	u, err := m.get(i)
	if err != nil {
		return err
	}
	if extension != "" {
		if len(extension) > 16 || strings.IndexFunc(extension, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return fmt.Errorf("%w: extension %q: write up to 16 digits", ErrInvalid, extension)
		}
		for k, o := range m.users {
			if k != i && o.Extension == extension {
				return fmt.Errorf("%w: extension %s belongs to %s already", ErrInvalid, extension, o.Name)
			}
		}
		u.Extension = extension
	}
	u.SIPPassword = password
	return nil
}

// Find returns the PBX user of a world user, if there is one.
func (m *Model) Find(tu teams.UserID) (int, bool) {
	i, ok := m.byTeams[tu]
	return i, ok
}

// Lookup finds a PBX user by world name, extension or e-mail.
func (m *Model) Lookup(key string) (int, error) {
	key = strings.TrimSpace(key)
	for i, u := range m.users {
		if strings.EqualFold(u.Name, key) || u.Extension == key || strings.EqualFold(u.Email, key) {
			return i, nil
		}
	}
	names := make([]string, len(m.users))
	for i, u := range m.users {
		names[i] = u.Name
	}
	return 0, fmt.Errorf("%w: no PBX user %q; PBX users: %s", ErrUnknown, key, strings.Join(names, ", "))
}

// Len is the number of PBX users.
func (m *Model) Len() int { return len(m.users) }

// UserAt returns a copy of the i-th PBX user.
func (m *Model) UserAt(i int) User { return *m.users[i] }

func (m *Model) get(i int) (*User, error) {
	if i < 0 || i >= len(m.users) {
		return nil, fmt.Errorf("%w: no PBX user #%d", ErrUnknown, i)
	}
	return m.users[i], nil
}

func (m *Model) record(u *User, source, note, rule string) {
	m.w.Trace.Record(trace.Entry{At: m.w.Clock.Now(), Kind: trace.SourceChange, User: u.Name, Source: source, Note: note, Rule: rule})
}

// AddDevice gives a user a device (registered, idle).
func (m *Model) AddDevice(i int, d Device) error {
	u, err := m.get(i)
	if err != nil {
		return err
	}
	if d >= numDevices {
		return fmt.Errorf("%w: device %d; valid: %s", ErrUnknown, d, strings.Join(deviceNames[:], ", "))
	}
	l := &u.Lines[d]
	if l.Present {
		return nil
	}
	before := *l
	*l = Line{Device: d, Present: true, Registered: true}
	m.record(u, deviceSources[d], noteAdded, "CL-3")
	m.emit(Event{Kind: LineChanged, User: i, Device: d, Before: before, Line: *l})
	return nil
}

// LineEvent applies an event to a user's line: off-hook, an incoming call,
// answer, hold, retrieve, hang up, unplug or plug in.
func (m *Model) LineEvent(i int, d Device, ev LineEvent) error {
	u, err := m.get(i)
	if err != nil {
		return err
	}
	if d >= numDevices || !u.Lines[d].Present {
		return fmt.Errorf("%w: %s has no %s; %s", ErrUnknown, u.Name, d, m.devicesOf(u))
	}
	if ev == 0 || ev >= numLineEvents {
		return fmt.Errorf("%w: line event %d; valid: %s", ErrInvalid, ev, strings.Join(lineEventNames[1:], ", "))
	}
	l := &u.Lines[d]
	before := *l
	note := ""
	switch {
	case ev == Unplug:
		if !l.Registered {
			return fmt.Errorf("%w: %s's %s is unplugged already", ErrInvalid, u.Name, d)
		}
		l.Registered, l.State, l.Dir = false, Idle, NoCall
		note = noteUnplugged
	case ev == PlugIn:
		if l.Registered {
			return fmt.Errorf("%w: %s's %s is plugged in already", ErrInvalid, u.Name, d)
		}
		l.Registered = true
		note = notePlugged
	case !l.Registered:
		return fmt.Errorf("%w: %s's %s is unplugged; plug it in first (event plugin)", ErrInvalid, u.Name, d)
	default:
		t, ok := findTransition(l.State, ev)
		if !ok {
			return fmt.Errorf("%w: %s on %s's %s while it is %s; possible now: %s", ErrInvalid, ev, u.Name, d, l.State, allowed(l.State))
		}
		l.State = t.to
		if !t.keep {
			l.Dir = t.dir
		}
		note = lineNotes[l.State][l.Dir]
	}
	m.record(u, deviceSources[d], note, "CL-3")
	m.emit(Event{Kind: LineChanged, User: i, Device: d, Before: before, Line: *l})
	return nil
}

func findTransition(from CallState, ev LineEvent) (transition, bool) {
	for _, t := range transitions {
		if t.from == from && t.ev == ev {
			return t, true
		}
	}
	return transition{}, false
}

// allowed lists the events a line state accepts.
func allowed(s CallState) string {
	var out []string
	for _, t := range transitions {
		if t.from == s {
			out = append(out, t.ev.String())
		}
	}
	return strings.Join(append(out, Unplug.String()), ", ")
}

func (m *Model) devicesOf(u *User) string {
	var have []string
	for _, l := range u.Lines {
		if l.Present {
			have = append(have, l.Device.String())
		}
	}
	if len(have) == 0 {
		return "the user has no device"
	}
	return "the user has: " + strings.Join(have, ", ")
}

// SetUserPresence sets the MiVO400 user presence from the desk phone or the
// self-service portal; Mitel One follows (CL-5). Mitel One and MiCollab have
// their own methods.
func (m *Model) SetUserPresence(i int, s UserState, via Via) error {
	u, err := m.get(i)
	if err != nil {
		return err
	}
	if via != ViaPhone && via != ViaPortal {
		return fmt.Errorf("%w: set the user presence on the phone or in the portal here; Mitel One and MiCollab have their own steps", ErrInvalid)
	}
	if s >= numUserStates {
		return fmt.Errorf("%w: no user presence state %d", ErrInvalid, s)
	}
	if !m.set.UserPresence {
		return fmt.Errorf("%w: this PBX has no user presence: only a MiVoice Office 400 has one (CL-1)", ErrInvalid)
	}
	m.setState(i, u, s, toMitelOne[s], via)
	return nil
}

func (m *Model) setState(i int, u *User, s UserState, mo MitelOneState, via Via) {
	u.State, u.StateVia, u.MitelOne = s, via, mo
	m.record(u, "pbx:user presence", m.notes[s][via], "CL-5")
	m.emit(Event{Kind: PresenceChanged, User: i, State: s, Via: via})
}

// SetMitelOne sets the presence in the Mitel One app. On a MiVoice Office
// 400 the PBX user presence follows (CL-5); elsewhere it stays in Mitel One.
func (m *Model) SetMitelOne(i int, s MitelOneState) error {
	u, err := m.get(i)
	if err != nil {
		return err
	}
	if s >= numMitelOne {
		return fmt.Errorf("%w: no Mitel One state %d", ErrInvalid, s)
	}
	if !m.set.UserPresence {
		u.MitelOne = s
		m.record(u, "pbx:Mitel One", mitelOneNotes[s], "CL-1")
		m.emit(Event{Kind: MitelOneChanged, User: i, Via: ViaMitelOne})
		return nil
	}
	m.setState(i, u, fromMitelOne[s], s, ViaMitelOne)
	return nil
}

var mitelOneNotes = [numMitelOne]string{
	MOAvailable:    "Verfügbar (no PBX user presence to sync with)",
	MOAway:         "Abwesend (no PBX user presence to sync with)",
	MOBusy:         "Besetzt (no PBX user presence to sync with)",
	MODoNotDisturb: "Nicht stören (no PBX user presence to sync with)",
}

// MiCollabStates are the presences the MiCollab client offers here.
var MiCollabStates = []presence.Availability{presence.Available, presence.Busy, presence.Away, presence.DoNotDisturb, presence.BeRightBack, presence.Offline}

// SetMiCollab sets the presence in the MiCollab client. It is not synced to
// the PBX, to Mitel One or to Teams (seed 002).
func (m *Model) SetMiCollab(i int, a presence.Availability) error {
	u, err := m.get(i)
	if err != nil {
		return err
	}
	ok := false
	for _, s := range MiCollabStates {
		ok = ok || s == a
	}
	if !ok {
		names := make([]string, len(MiCollabStates))
		for k, s := range MiCollabStates {
			names[k] = s.String()
		}
		return fmt.Errorf("%w: MiCollab offers %s, not %s", ErrInvalid, strings.Join(names, ", "), a)
	}
	before := u.MiCollab
	u.MiCollab = a
	m.w.Trace.Record(trace.Entry{At: m.w.Clock.Now(), Kind: trace.SourceChange, User: u.Name, Source: "pbx:MiCollab",
		Before: presence.Of(before, presence.BaseActivity(before)), After: presence.Of(a, presence.BaseActivity(a)), Rule: "CL-5", Note: ""})
	m.emit(Event{Kind: MiCollabChanged, User: i, Via: ViaMiCollab})
	return nil
}

// CheckEmail reports whether SetEmail takes an address, so that a caller
// can refuse a request before it changes anything.
func CheckEmail(email string) error {
	email = strings.TrimSpace(email)
	at := strings.IndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") {
		return fmt.Errorf("%w: %q is not an e-mail address (write name@domain)", ErrInvalid, email)
	}
	return nil
}

// SetEmail changes the user's CloudLink e-mail (CL-14).
func (m *Model) SetEmail(i int, email string) error {
	u, err := m.get(i)
	if err != nil {
		return err
	}
	if err := CheckEmail(email); err != nil {
		return err
	}
	email = strings.TrimSpace(email)
	if !strings.EqualFold(u.Email, email) {
		m.emails++
		u.EmailSince = m.emails
	}
	u.Email = email
	m.record(u, "pbx:account", "CloudLink e-mail "+email, "CL-14")
	m.emit(Event{Kind: EmailChanged, User: i})
	return nil
}

// Explain describes a PBX user's lines and presence for failure messages.
func (m *Model) Explain(i int) string {
	u, err := m.get(i)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "PBX user %s (extension %s, CloudLink e-mail %s)\n", u.Name, u.Extension, u.Email)
	for _, l := range u.Lines {
		if !l.Present {
			continue
		}
		state := lineNotes[l.State][l.Dir]
		if !l.Registered {
			state = noteUnplugged
		}
		fmt.Fprintf(&b, "  line %-10s %s\n", l.Device, state)
	}
	if m.set.UserPresence {
		fmt.Fprintf(&b, "  MiVO400 user presence %s (%s, set on %s); Mitel One %s\n", m.labels[u.State], u.State, u.StateVia.Label(), u.MitelOne.Label())
	} else {
		fmt.Fprintf(&b, "  no PBX user presence (not a MiVoice Office 400); Mitel One %s\n", u.MitelOne.Label())
	}
	if u.MiCollab != presence.AvailabilityUnknown {
		fmt.Fprintf(&b, "  MiCollab %s (not synced)\n", u.MiCollab)
	}
	return b.String()
}
