package teams

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/trace"
)

// UserID indexes a user of the model.
type UserID int32

// AppID indexes an application that writes presence sessions.
type AppID int32

// ClientKind is a kind of Teams client.
type ClientKind uint8

// The Teams clients of a user (T-SRC-2).
const (
	Desktop ClientKind = iota
	Web
	Mobile
	numClientKinds
)

var clientNames = [numClientKinds]string{"desktop", "web", "mobile"}

func (k ClientKind) String() string { return clientNames[k] }

// ClientKinds lists the client kinds.
func ClientKinds() []ClientKind { return []ClientKind{Desktop, Web, Mobile} }

// ParseClientKind reads "desktop", "web" or "mobile".
func ParseClientKind(s string) (ClientKind, error) {
	for i, n := range clientNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return ClientKind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown Teams client %q; valid: %s", s, strings.Join(clientNames[:], ", "))
}

// ErrUnknownUser is returned for a name or id the model does not know.
var ErrUnknownUser = errors.New("unknown user")

// Listener is told of every change of a user's presence, after
// Settings.NotifyDelay, from the clock's event loop (never re-entrantly).
type Listener interface {
	PresenceChanged(now clock.Time, u UserID, before, after presence.Presence)
}

// Model is the Teams presence model of one world.
type Model struct {
	clk   *clock.Clock
	tr    *trace.Trace
	set   Settings
	users []*user
	names map[string]UserID
	apps  []string
	appBy map[string]AppID
	// srcNames caches "app:<name>" per app so the trace records without
	// allocating.
	srcNames []string
	// live is aggregation's buffer of a user's live sources, reused so
	// that recomputing allocates nothing.
	live      []LiveSource
	listeners []Listener
	calls     []*call
	callSlab  []call // where newCall takes the next call from
	recompute uint64
	// onUpdate, when set, is told of every recomputation (SetOnUpdate).
	onUpdate func(UserID)
	// dirVersion counts directory changes, so readers that index the
	// directory (by UPN or mail) know when to rebuild.
	dirVersion uint64
}

// New returns an empty model on the given clock, recording into tr.
func New(clk *clock.Clock, tr *trace.Trace, s Settings) (*Model, error) {
	if err := s.Precedence.compile(); err != nil {
		return nil, err
	}
	return &Model{clk: clk, tr: tr, set: s, names: map[string]UserID{}, appBy: map[string]AppID{}, live: make([]LiveSource, 0, numSourceKinds)}, nil
}

// Settings returns the model's settings.
func (m *Model) Settings() Settings { return m.set }

// SetSettings replaces the settings; the precedence table is checked.
func (m *Model) SetSettings(s Settings) error {
	if err := s.Precedence.compile(); err != nil {
		return err
	}
	m.set = s
	for i := range m.users {
		m.update(UserID(i), "settings")
	}
	return nil
}

// Clock returns the model's clock.
func (m *Model) Clock() *clock.Clock { return m.clk }

// Recomputations counts aggregations, for benchmarks.
func (m *Model) Recomputations() uint64 { return m.recompute }

// Directory is what a tenant's directory knows of a user.
type Directory struct {
	Name        string // short name used in features: "alice"
	DisplayName string
	UPN         string
	Mail        string // primary SMTP address: "alice@contoso.com"
	ID          string // object id (GUID)
	Org         string // tenant the user belongs to: "contoso"
	Guest       bool
}

// AddUser adds a user. The name must be new.
func (m *Model) AddUser(d Directory) (UserID, error) {
	key := strings.ToLower(d.Name)
	if key == "" {
		return 0, errors.New("a user needs a name")
	}
	if _, dup := m.names[key]; dup {
		return 0, fmt.Errorf("user %q exists already", d.Name)
	}
	id := UserID(len(m.users))
	m.users = append(m.users, &user{dir: d, id: id, cur: presence.Of(presence.Offline, presence.ActOffline), rule: "T-AGG-4", winner: "no session"})
	m.names[key] = id
	m.dirVersion++
	// room for a working day's changes from the start, so that the day
	// itself allocates little for them
	m.users[id].history = append(make([]histEntry, 0, historyStart), histEntry{at: m.clk.Now(), p: m.users[id].cur})
	return id, nil
}

// User looks a user up by name (case-insensitive), display name, UPN or id.
func (m *Model) User(name string) (UserID, error) {
	if id, ok := m.names[strings.ToLower(strings.TrimSpace(name))]; ok {
		return id, nil
	}
	for _, u := range m.users {
		if strings.EqualFold(u.dir.UPN, name) || strings.EqualFold(u.dir.ID, name) || strings.EqualFold(u.dir.DisplayName, name) {
			return u.id, nil
		}
	}
	return 0, fmt.Errorf("%w %q; known users: %s", ErrUnknownUser, name, strings.Join(m.UserNames(), ", "))
}

// UserNames lists the users' names, sorted.
func (m *Model) UserNames() []string {
	out := make([]string, 0, len(m.users))
	for _, u := range m.users {
		out = append(out, u.dir.Name)
	}
	sort.Strings(out)
	return out
}

// Users returns every user id in order of creation.
func (m *Model) Users() []UserID {
	out := make([]UserID, len(m.users))
	for i := range out {
		out[i] = UserID(i)
	}
	return out
}

// Dir returns a user's directory entry.
func (m *Model) Dir(u UserID) Directory { return m.users[u].dir }

// SetDir replaces a user's directory entry (ids are filled by the world).
func (m *Model) SetDir(u UserID, d Directory) { m.users[u].dir = d; m.dirVersion++ }

// DirVersion changes whenever a user is added or a directory entry replaced.
func (m *Model) DirVersion() uint64 { return m.dirVersion }

// Name returns a user's short name.
func (m *Model) Name(u UserID) string { return m.users[u].dir.Name }

// valid checks a user id coming from outside.
func (m *Model) valid(u UserID) error {
	if u < 0 || int(u) >= len(m.users) {
		return fmt.Errorf("%w #%d", ErrUnknownUser, u)
	}
	return nil
}

// App interns an application name (its app id) and returns its index.
func (m *Model) App(name string) AppID {
	if id, ok := m.appBy[name]; ok {
		return id
	}
	id := AppID(len(m.apps))
	m.apps = append(m.apps, name)
	m.srcNames = append(m.srcNames, "app:"+name)
	m.appBy[name] = id
	return id
}

// AppName returns the application's name.
func (m *Model) AppName(a AppID) string { return m.apps[a] }

// Listen registers a listener for presence changes.
func (m *Model) Listen(l Listener) { m.listeners = append(m.listeners, l) }

// Presence is the user's aggregated presence, as people inside the
// organisation see it.
func (m *Model) Presence(u UserID) presence.Presence { return m.users[u].cur }

// Sequence is the number of changes of the user's presence so far; Graph
// renders it as sequenceNumber.
func (m *Model) Sequence(u UserID) uint64 { return m.users[u].seq }

// Rule is the rule that decided the user's current presence.
func (m *Model) Rule(u UserID) string { return m.users[u].rule }

// Fire dispatches the model's timers.
func (m *Model) Fire(now clock.Time, ev clock.Event) {
	u := UserID(ev.A)
	switch op(ev.Op) {
	case opIdle:
		m.clientTimer(u, ClientKind(ev.B), Idle)
	case opMobileOffline:
		m.clientExpired(u, ClientKind(ev.B), "T-ACT-2")
	case opNetworkTimeout:
		m.clientExpired(u, ClientKind(ev.B), "T-LOCAL-1")
	case opVanished:
		m.clientExpired(u, ClientKind(ev.B), "T-ACT-4")
	case opAppFade:
		m.appFade(u, AppID(ev.B))
	case opAppExpire:
		m.appExpire(u, AppID(ev.B))
	case opPreferredExpire:
		m.preferredExpired(u)
	case opCalendarStart, opCalendarEnd:
		m.calendarEdge(u, int(ev.B), op(ev.Op) == opCalendarStart)
	case opStatusExpire:
		m.statusExpired(u)
	case opNotify:
		m.notify(now, u)
	}
}

type op int32

const (
	opIdle op = iota + 1
	opMobileOffline
	opNetworkTimeout
	opAppFade
	opAppExpire
	opPreferredExpire
	opCalendarStart
	opCalendarEnd
	opStatusExpire
	opNotify
	opVanished
	numOps
)

var opLabels = [...]string{
	opIdle:            "client idle timeout (T-ACT-2)",
	opMobileOffline:   "mobile session ends after background time (T-ACT-2)",
	opNetworkTimeout:  "session of a client without network ends (T-LOCAL-1)",
	opAppFade:         "app session fades (G-SET-2)",
	opAppExpire:       "app session expires (G-SET-1)",
	opPreferredExpire: "preferred presence expires (T-MAN-2)",
	opCalendarStart:   "calendar entry starts (T-CAL-1)",
	opCalendarEnd:     "calendar entry ends (T-CAL-1)",
	opStatusExpire:    "status message expires (G-MSG-1)",
	opNotify:          "notify watchers",
	opVanished:        "session of a vanished client times out (T-ACT-4)",
}

func (m *Model) after(d clock.Time, o op, u UserID, b int32) clock.Timer {
	return m.clk.Schedule(d, m, clock.Event{Op: int32(o), A: int32(u), B: b, Label: opLabels[o]})
}
