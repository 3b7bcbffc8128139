package xphone

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/follow"
	"github.com/presencesim/presencesim/sim/graph"
	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// Settings are the decided values of the XPhone model; the seed is silent
// on all of them but the 12 h cleanup and the profile names.
type Settings struct {
	// App is the application id XPhone writes its session with (C-1).
	App string
	// SessionExpiry is the expirationDuration of XPhone's app session; it is
	// refreshed RefreshBefore its end while the call lasts (C-2).
	SessionExpiry time.Duration
	RefreshBefore time.Duration
	// PollInterval is how often XPhone reads a user's presence while it
	// gets no change notifications for them (C-7).
	PollInterval time.Duration
	// ResyncAfter: a subscription that brought nothing for this long is
	// read once, so a notification Graph lost does not stand (C-7).
	ResyncAfter time.Duration
	// Backoff is the first wait after Graph answers a request with a 5xx
	// and no Retry-After; it doubles per failure up to MaxBackoff. A
	// Retry-After is waited exactly (C-5).
	Backoff, MaxBackoff time.Duration
	// AppointmentMaxAge: an appointment of a Teams call is deleted at the
	// latest this long after it was created (XP-8: 12 h).
	AppointmentMaxAge time.Duration

	// The names the client shows: the appointment text of a Teams call,
	// the status of an XPhone call, the profiles of XP-7 and XP-12.
	TeamsCallText      string
	CallText           string
	AppointmentProfile string
	TeamsProfile       string
	MicSyncProfile     string
	MicSyncPresence    p.Presence

	// TeamsMeetings: XPhone mirrors Busy/InAMeeting read from Teams (a
	// Teams meeting, but also any calendar appointment) as an appointment
	// like a Teams call's, with the same profile choice (XP-7, decided from
	// seed 001's "MS Teams" profile for meetings: on).
	TeamsMeetings bool

	// Order is which source the client shows when several are on
	// (DefaultOrder).
	Order []Source

	// Bounds are the XP-13 limits the journal is checked against.
	Bounds Bounds

	// Faults break the model on purpose, so tests can show the features
	// catch a wrong XPhone; all false in a real run.
	Faults Faults
}

// Faults are deliberate defects for tests.
type Faults struct {
	EchoDND          bool // write a Do-not-disturb read from Teams back to Teams
	SkipMaxAge       bool // forget the 12 h cleanup of appointments
	SkipStartCleanup bool // forget the cleanup at client start
	OlderWins        bool // let a late notification's older sequenceNumber win (C-8)
}

// DefaultSettings returns the model's defaults.
func DefaultSettings() Settings {
	return Settings{
		App:                "xphone-connect",
		SessionExpiry:      time.Hour,
		RefreshBefore:      5 * time.Minute,
		PollInterval:       follow.DefaultPollInterval,
		ResyncAfter:        follow.DefaultQuiet,
		Backoff:            follow.DefaultBackoff,
		MaxBackoff:         follow.DefaultMaxBackoff,
		AppointmentMaxAge:  12 * time.Hour,
		TeamsCallText:      "Am Telefon (MS Teams)",
		CallText:           "Am Telefon",
		AppointmentProfile: "Termin",
		TeamsProfile:       "MS Teams",
		MicSyncProfile:     "MicSync",
		MicSyncPresence:    p.Of(p.Busy, p.ActBusy),
		TeamsMeetings:      true,
		Order:              DefaultOrder(),
		Bounds:             DefaultBounds(),
	}
}

// Appointment is an entry of the XPhone appointment list made for a Teams
// call (XP-7).
type Appointment struct {
	ID         int
	Text       string
	Profile    string
	Forwarding string
	Created    clock.Time
	Orphaned   bool // the call ended while the client could not reach its server
	cleanup    clock.Timer
}

type user struct {
	id   teams.UserID
	name string
	// noTeams: the user has no Teams account, so XPhone syncs nothing for
	// them (XP-11); id is then negative and names no Teams user.
	noTeams bool

	userMode    Mode
	hasUserMode bool

	started, connected bool
	notifications      bool

	profiles []Profile
	selected int
	previous int

	calls, meetings int
	sharing         bool
	mic             []string

	teamsCall bool // Teams shows a call (read)
	teamsDND  bool // Teams shows Do-not-disturb (read)
	lastSeen  p.Presence
	appts     []Appointment

	ownSession bool
	sessionP   p.Presence
	refresh    clock.Timer
	ownDND     bool
	// stale: the session's refresh is due and not yet written; retry is
	// the write again after Graph's back-off (C-5).
	stale bool
	retry clock.Timer
}

// Model is XPhone Connect for the users of one world.
type Model struct {
	// g is XPhone's Graph seam, the only way it reads or writes Teams; rd
	// follows the users' presence through it, bo is the back-off of every
	// request it sends.
	g      graph.Seam
	seamOf func(app string) graph.Seam
	rd     *follow.Reader
	bo     follow.Backoff
	ten    Tenant
	clk    *clock.Clock
	tr     *trace.Trace
	set    Settings
	site   Config
	users  []*user // by teams.UserID; nil for users without XPhone
	// local are the XPhone users without a Teams account, addressed by
	// the ids -1, -2, … (XP-11).
	local []*user

	journal []JournalEntry
	input   int
	origin  Origin
	nextID  int
}

// ComponentName names the model among a world's components.
func (m *Model) ComponentName() string { return "xphone" }

// New builds the model on a world: its seam is the world's Graph seam of
// the app s.App.
func New(w *sim.World, s Settings) *Model {
	return NewOn(w.Graph, w.Clock, w.Trace, TenantOf(w), s)
}

// NewOn builds the model on the seams seamOf gives per app id, so a test
// can hand it a graph.Mock.
func NewOn(seamOf func(app string) graph.Seam, clk *clock.Clock, tr *trace.Trace, ten Tenant, s Settings) *Model {
	m := &Model{seamOf: seamOf, g: seamOf(s.App), ten: ten, clk: clk, tr: tr, set: s, site: DefaultConfig()}
	m.bo = follow.Backoff{Base: s.Backoff, Max: s.MaxBackoff}
	m.rd = follow.New(m.g, clk, m, m.readerSettings(), &m.bo)
	return m
}

func (m *Model) readerSettings() follow.Settings {
	return follow.Settings{PollInterval: m.set.PollInterval, Quiet: m.set.ResyncAfter, OlderWins: m.set.Faults.OlderWins}
}

// Reader is how XPhone follows Teams presence, for checks of its view.
func (m *Model) Reader() *follow.Reader { return m.rd }

// Attach returns the world's XPhone model, creating it with the default
// settings on first use.
func Attach(w *sim.World) *Model {
	return sim.Attach(w, func(w *sim.World) *Model { return New(w, DefaultSettings()) })
}

// Settings returns a copy of the model's settings.
func (m *Model) Settings() Settings {
	s := m.set
	s.Order = append([]Source(nil), s.Order...)
	return s
}

// SetSettings replaces the settings; call it before users start.
func (m *Model) SetSettings(s Settings) error {
	if s.SessionExpiry <= s.RefreshBefore || s.PollInterval <= 0 || s.AppointmentMaxAge <= 0 {
		return fmt.Errorf("%w: session expiry %s must exceed the refresh margin %s; poll interval %s and appointment age %s must be positive",
			ErrConfig, s.SessionExpiry, s.RefreshBefore, s.PollInterval, s.AppointmentMaxAge)
	}
	if s.ResyncAfter < 0 || s.Backoff <= 0 || s.MaxBackoff < s.Backoff {
		return fmt.Errorf("%w: resync %s cannot be negative; back-off %s must be positive and at most the maximum back-off %s",
			ErrConfig, s.ResyncAfter, s.Backoff, s.MaxBackoff)
	}
	if err := m.ten.CheckExpiry(s.SessionExpiry); err != nil {
		return err
	}
	if err := checkOrder(s.Order); err != nil {
		return err
	}
	s.Order = append([]Source(nil), s.Order...)
	app := m.set.App
	m.set = s
	m.bo.Base, m.bo.Max = s.Backoff, s.MaxBackoff
	m.rd.SetSettings(m.readerSettings())
	if s.App != app {
		m.g = m.seamOf(s.App)
		m.rd.SetSeam(m.g)
	}
	return nil
}

// Site returns the site configuration.
func (m *Model) Site() Config { return m.site }

// SetSite applies one setting of the site's configuration group; every
// started client follows it at once.
func (m *Model) SetSite(key, value string) error {
	c := m.site
	if err := c.Set(key, value); err != nil {
		return err
	}
	m.site = c
	for _, x := range m.users {
		if x != nil {
			m.begin(x, FromXPhone, "site setting "+key+" = "+value)
			m.reread(x)
			m.sync(x)
		}
	}
	return nil
}

// Journal returns every input change and write so far.
func (m *Model) Journal() []JournalEntry { return m.journal }

// CheckNoEcho checks the journal against the XP-13 bounds.
func (m *Model) CheckNoEcho() error { return CheckEcho(m.journal, m.set.Bounds) }

// Writes counts the Graph writes made for the user.
func (m *Model) Writes(u teams.UserID) int {
	n := 0
	x := m.lookup(u)
	if x == nil {
		return 0
	}
	name := x.name
	for _, e := range m.journal {
		if e.Kind == Write && e.User == name {
			n++
		}
	}
	return n
}

var errNoXPhone = errors.New("does not use XPhone Connect")

// lookup returns the user's XPhone state, nil without XPhone.
func (m *Model) lookup(u teams.UserID) *user {
	if u >= 0 && int(u) < len(m.users) {
		return m.users[u]
	}
	if k := -int(u) - 1; u < 0 && k < len(m.local) {
		return m.local[k]
	}
	return nil
}

func (m *Model) get(u teams.UserID) (*user, error) {
	if x := m.lookup(u); x != nil {
		return x, nil
	}
	name, ok := m.ten.Name(u)
	if !ok {
		name = fmt.Sprintf("user #%d", u)
	}
	return nil, fmt.Errorf("%s %w; start the client first (\"alice uses XPhone Connect\")", name, errNoXPhone)
}

// MaxLocalUsers bounds the XPhone users without a Teams account.
const MaxLocalUsers = 10000

// AddUserWithoutTeams gives a person without a Teams account an XPhone
// client, started and connected. XPhone syncs nothing for them and reports
// them (XP-11). The id it returns addresses them in the model's methods.
func (m *Model) AddUserWithoutTeams(name string) (teams.UserID, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return 0, fmt.Errorf("%w: an XPhone user needs a name", ErrConfig)
	}
	if _, ok := m.ten.Lookup(name); ok {
		return 0, fmt.Errorf("%w: %s has a Teams account; use \"%s uses XPhone Connect\"", ErrConfig, name, name)
	}
	if id, ok := m.LocalUser(name); ok {
		return id, nil
	}
	if len(m.local) >= MaxLocalUsers {
		return 0, fmt.Errorf("%w: at most %d XPhone users without a Teams account", ErrConfig, MaxLocalUsers)
	}
	id := teams.UserID(-len(m.local) - 1)
	x := &user{id: id, name: name, noTeams: true, profiles: DefaultProfiles(), notifications: true}
	m.local = append(m.local, x)
	return id, m.Start(id)
}

// LocalUser finds an XPhone user without a Teams account by name.
func (m *Model) LocalUser(name string) (teams.UserID, bool) {
	for _, x := range m.local {
		if strings.EqualFold(x.name, strings.TrimSpace(name)) {
			return x.id, true
		}
	}
	return 0, false
}

// Unsynced says why XPhone syncs nothing for the user, "" when it syncs.
func (m *Model) Unsynced(u teams.UserID) string {
	x := m.lookup(u)
	switch {
	case x == nil:
		return "does not use XPhone Connect"
	case x.noTeams:
		return x.name + " has no Teams account: XPhone needs one to sync (XP-11)"
	}
	return ""
}

// Report lists what XPhone does not do that the users might expect: users
// it does not sync (XP-11) and microphone use that changes nothing because
// microphone sync is not set up (XP-12), one line per user and reason.
func (m *Model) Report() []string {
	var out []string
	for _, list := range [][]*user{m.users, m.local} {
		for _, x := range list {
			if x == nil {
				continue
			}
			if why := m.Unsynced(x.id); why != "" {
				out = append(out, x.name+": not synced: "+why)
			}
			if why := m.site.MicSyncOff(); why != "" {
				for _, proc := range x.mic {
					if m.site.Whitelisted(proc) {
						out = append(out, fmt.Sprintf("%s: microphone use by %s ignored: %s (XP-12)", x.name, proc, why))
					}
				}
			}
		}
	}
	return out
}

// Uses reports whether the user has an XPhone client.
func (m *Model) Uses(u teams.UserID) bool { _, err := m.get(u); return err == nil }

// AddUser gives the user an XPhone client with the default profiles, started
// and connected to its server, subscribed to Teams change notifications.
func (m *Model) AddUser(u teams.UserID) error {
	name, ok := m.ten.Name(u)
	if !ok {
		return fmt.Errorf("%w #%d", teams.ErrUnknownUser, u)
	}
	for int(u) >= len(m.users) {
		m.users = append(m.users, nil)
	}
	if m.users[u] == nil {
		m.users[u] = &user{id: u, name: name, profiles: DefaultProfiles(), notifications: true}
	}
	return m.Start(u)
}

// mode is the user's effective sync mode: their own choice where the
// administrator lets them change it (XP-1), else the site's.
func (m *Model) mode(x *user) Mode {
	if x.hasUserMode && m.site.UserMayChange {
		return x.userMode
	}
	return m.site.Mode
}

// Mode returns the user's effective sync mode.
func (m *Model) Mode(u teams.UserID) (Mode, error) {
	x, err := m.get(u)
	if err != nil {
		return 0, err
	}
	return m.mode(x), nil
}

// SetUserMode changes the sync mode in the user's client, if the
// administrator allows it (XP-1).
func (m *Model) SetUserMode(u teams.UserID, md Mode) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	if !m.site.UserMayChange {
		return fmt.Errorf("%s may not change the sync mode: the administrator chose \"Benutzer darf nicht ändern\" (XP-1); the site's mode %q applies", x.name, m.site.Mode)
	}
	if md >= numModes {
		return fmt.Errorf("%w: unknown sync mode %d", ErrConfig, md)
	}
	m.begin(x, FromXPhone, "sync mode set to "+md.String())
	x.userMode, x.hasUserMode = md, true
	m.reread(x)
	m.sync(x)
	return nil
}

// Start starts the client: it connects, subscribes to change notifications,
// deletes appointments left from Teams calls (XP-8) and reads Teams.
func (m *Model) Start(u teams.UserID) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	m.begin(x, FromXPhone, "client started")
	x.started, x.connected, x.notifications = true, true, true
	m.rd.SetLost(x.id, false)
	m.rd.Watch(x.id)
	if !m.set.Faults.SkipStartCleanup {
		for len(x.appts) > 0 {
			m.deleteAppt(x, 0, "XP-8", "deleted at client start")
		}
	}
	x.teamsCall, x.teamsDND = false, false
	m.reread(x)
	m.sync(x)
	return nil
}

// Quit closes the client: it clears its session on the way out (C-3) and
// reads and writes nothing until started again. Appointments stay on the
// server.
func (m *Model) Quit(u teams.UserID) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	if !x.started {
		return fmt.Errorf("%s's XPhone client is not running", x.name)
	}
	m.begin(x, FromXPhone, "client quit")
	x.started = false
	m.rd.Unwatch(x.id)
	m.sync(x)
	return nil
}

// LoseConnection cuts the client from its XPhone server: it still talks to
// Teams, but cannot create or delete appointments (XP-8).
func (m *Model) LoseConnection(u teams.UserID) error {
	return m.setConnected(u, false, "server connection lost")
}

// RestoreConnection reconnects the client to its server. Appointments left
// over stay until the next client start or their 12 h cleanup (XP-8).
func (m *Model) RestoreConnection(u teams.UserID) error {
	return m.setConnected(u, true, "server connection restored")
}

func (m *Model) setConnected(u teams.UserID, on bool, note string) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	m.begin(x, FromXPhone, note)
	x.connected = on
	return nil
}

// SetNotifications says whether XPhone gets Teams change notifications for
// the user. Without them it polls every PollInterval (C-7); when they come
// back it reads once to converge.
func (m *Model) SetNotifications(u teams.UserID, on bool) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	x.notifications = on
	m.rd.SetLost(x.id, !on)
	if on {
		m.begin(x, FromTeams, "change notifications resumed")
		m.reread(x)
		m.sync(x)
	}
	return nil
}

// SetProfiles replaces "Meine Profile". The selected profile is kept by name
// where it still exists, else the first profile is selected.
func (m *Model) SetProfiles(u teams.UserID, list []Profile) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	if err := CheckProfiles(list); err != nil {
		return err
	}
	m.begin(x, FromXPhone, "profiles replaced")
	sel := findProfile(list, x.profiles[x.selected].Name)
	if sel < 0 {
		sel = 0
	}
	x.profiles = append([]Profile(nil), list...)
	x.selected, x.previous = sel, sel
	m.sync(x)
	return nil
}

// Profiles returns the user's profiles.
func (m *Model) Profiles(u teams.UserID) []Profile {
	x, err := m.get(u)
	if err != nil {
		return nil
	}
	return append([]Profile(nil), x.profiles...)
}

// SelectProfile is the user picking a profile in the client. It overrides a
// Do-not-disturb taken from Teams; a Do-not-disturb profile is written to
// Teams as preferred presence (XP-10).
func (m *Model) SelectProfile(u teams.UserID, name string) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	i := findProfile(x.profiles, name)
	if i < 0 {
		return fmt.Errorf("%s has no XPhone profile %q; profiles: %s", x.name, name, profileNames(x.profiles))
	}
	m.begin(x, FromXPhone, "profile "+x.profiles[i].Name+" selected")
	if i != x.selected {
		x.previous = x.selected
	}
	x.selected = i
	x.teamsDND = false
	m.sync(x)
	return nil
}

// StartCall starts a call in the XPhone client (XP-3).
func (m *Model) StartCall(u teams.UserID) error {
	return m.count(u, callsOf, +1, "XPhone call")
}

// EndCall ends a call in the XPhone client.
func (m *Model) EndCall(u teams.UserID) error {
	return m.count(u, callsOf, -1, "XPhone call")
}

// JoinMeeting joins an XPhone Connect meeting (XP-2).
func (m *Model) JoinMeeting(u teams.UserID) error {
	return m.count(u, meetingsOf, +1, "XPhone meeting")
}

// LeaveMeeting leaves the XPhone Connect meeting.
func (m *Model) LeaveMeeting(u teams.UserID) error {
	return m.count(u, meetingsOf, -1, "XPhone meeting")
}

func callsOf(x *user) *int    { return &x.calls }
func meetingsOf(x *user) *int { return &x.meetings }

func (m *Model) count(u teams.UserID, of func(*user) *int, d int, what string) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	ctr := of(x)
	if *ctr+d < 0 {
		return fmt.Errorf("%s has no %s to end", x.name, what)
	}
	verb := " started"
	if d < 0 {
		verb = " ended"
	}
	m.begin(x, FromXPhone, what+verb)
	*ctr += d
	m.sync(x)
	return nil
}

// ShareScreen starts or stops sharing the screen in XPhone Connect: on its
// own it changes nothing, in XPhone or in Teams (XP-2).
func (m *Model) ShareScreen(u teams.UserID, on bool) error {
	x, err := m.get(u)
	if err != nil {
		return err
	}
	m.begin(x, FromXPhone, fmt.Sprintf("screen sharing %v", on))
	x.sharing = on
	m.sync(x)
	return nil
}

// Microphone reports a process starting or stopping to use the microphone.
// With microphone sync on, a whitelisted process switches the client to the
// MicSync profile, naming the process (XP-12); others change nothing. It
// reports whether the process counts.
func (m *Model) Microphone(u teams.UserID, process string, on bool) (bool, error) {
	x, err := m.get(u)
	if err != nil {
		return false, err
	}
	if err := checkProcessName(process); err != nil {
		return false, err
	}
	m.begin(x, FromXPhone, fmt.Sprintf("%s uses the microphone: %v", process, on))
	i := -1
	for j, q := range x.mic {
		if processKey(q) == processKey(process) {
			i = j
		}
	}
	// the client notes every process while it runs; whether one switches
	// to MicSync is the site's configuration at the time (micCounts)
	switch {
	case on && x.started && i < 0 && len(x.mic) < maxMicProcesses:
		x.mic = append(x.mic, process)
	case !on && i >= 0:
		x.mic = append(x.mic[:i], x.mic[i+1:]...)
	}
	counts := x.started && m.micCounts(process)
	if on && x.started && !counts && m.site.Whitelisted(process) {
		m.note(x, process+" uses the microphone, which changes nothing: "+m.site.MicSyncOff(), "XP-12")
	}
	m.sync(x)
	return counts, nil
}

// maxMicProcesses bounds the processes noted as using one microphone.
const maxMicProcesses = 64

// micCounts reports whether microphone use by the process switches to the
// MicSync profile: sync on, its profile template active, the process on
// the list (XP-12).
func (m *Model) micCounts(process string) bool {
	return m.site.MicSyncOff() == "" && m.site.Whitelisted(process)
}

// Seen is a Teams presence XPhone's reader took, newer than the one before
// (follow.Handler): from a change notification, or from a read while
// notifications are lost or quiet. A change of the status message or work
// location alone grows the sequenceNumber too; XPhone has nothing to do then.
func (m *Model) Seen(_ clock.Time, gp graph.Presence, o follow.Origin) {
	x := m.lookup(gp.User)
	if x == nil || !x.started || gp.Presence == x.lastSeen {
		return
	}
	if o == follow.Notified {
		m.begin(x, FromTeams, "Teams shows "+gp.Presence.Short())
	} else {
		m.begin(x, FromTeams, "poll finds Teams shows "+gp.Presence.Short())
	}
	m.read(x, gp.Presence)
	m.sync(x)
}

const (
	opRefresh int32 = iota + 1
	opCleanup
	opRetry
)

// Fire dispatches the model's timers.
func (m *Model) Fire(now clock.Time, ev clock.Event) {
	x := m.lookup(teams.UserID(ev.A))
	if x == nil {
		return
	}
	switch ev.Op {
	case opRefresh:
		if x.ownSession {
			m.begin(x, FromTimer, "session refresh due")
			x.stale = true
			m.writeSession(x, "refreshed before expiry (C-2)")
		}
	case opCleanup:
		for i := range x.appts {
			if x.appts[i].ID == int(ev.B) {
				m.begin(x, FromTimer, "appointment reached its maximum age")
				m.deleteAppt(x, i, "XP-8", fmt.Sprintf("deleted %s after creation", m.set.AppointmentMaxAge))
				break
			}
		}
	case opRetry:
		m.begin(x, FromTimer, "Graph's back-off over: writing again (C-5)")
		m.sync(x)
	}
}

// reread reads the user's Teams presence now, as at client start. Under
// Graph's back-off it takes the newest presence it holds.
func (m *Model) reread(x *user) {
	if !x.started || x.noTeams {
		return
	}
	if gp, ok := m.rd.Fresh(x.id); ok {
		m.read(x, gp.Presence)
	}
}

// read applies a Teams presence to XPhone (XP-4..XP-6), ignoring what
// XPhone wrote itself (XP-13).
func (m *Model) read(x *user, now p.Presence) {
	x.lastSeen = now
	md := m.mode(x)
	if !md.Telephony() && !md.DND() {
		m.end(x)
		return
	}
	now = now.Pair()
	// XP-13: the echo of XPhone's own write is not a Teams change.
	if x.ownSession && now == x.sessionP {
		m.note(x, "echo of XPhone's own session ignored", "XP-13")
		return
	}
	dndEcho := x.ownDND && now == p.Of(p.DoNotDisturb, p.ActDoNotDisturb)
	if dndEcho && !m.set.Faults.EchoDND {
		m.note(x, "echo of XPhone's own Do-not-disturb ignored", "XP-13")
		return
	}
	react, rule := classify(now, m.set.TeamsMeetings)
	if x.ownDND && react != reactTeamsDND && now.Availability != p.Offline {
		// Teams ended XPhone's Do-not-disturb (24 h reset, reset in Teams):
		// XPhone follows and returns to the profile before (XP-10, XP-14).
		// Offline says nothing: without a session a preferred presence does
		// not show (T-AGG-3).
		x.ownDND = false
		if x.profiles[x.selected].Presence.Availability == p.DoNotDisturb {
			x.selected = x.previous
		}
		m.note(x, "Teams ended XPhone's Do-not-disturb", "XP-10")
	}
	switch {
	case react == reactTeamsCall && md.Telephony():
		x.teamsDND = false
		if !x.teamsCall {
			x.teamsCall = true
			m.createAppt(x, rule)
		}
	case react == reactTeamsDND && md.DND():
		m.endTeamsCall(x)
		x.teamsDND = true
		if firstDND(x.profiles) < 0 {
			m.note(x, "no Do-not-disturb profile in \"Meine Profile\" to select", rule)
		}
	default:
		m.end(x)
	}
}

// end ends whatever XPhone took from Teams: the call's appointment and a
// Do-not-disturb, returning to the profile before (XP-8, XP-14).
func (m *Model) end(x *user) {
	m.endTeamsCall(x)
	x.teamsDND = false
}

func (m *Model) endTeamsCall(x *user) {
	if !x.teamsCall {
		return
	}
	x.teamsCall = false
	for i := len(x.appts) - 1; i >= 0; i-- {
		if x.appts[i].Orphaned {
			continue
		}
		if x.connected {
			m.deleteAppt(x, i, "XP-8", "deleted when the Teams call ended")
		} else {
			x.appts[i].Orphaned = true
			m.note(x, "Teams call ended without a server connection: appointment left until client start or 12 h", "XP-8")
		}
	}
}

// appointmentProfile picks the profile of a Teams call's appointment: "MS
// Teams" where the user has it or the administrator activated the central
// template, else "Termin" (XP-7).
func (m *Model) appointmentProfile(x *user) (name, forwarding string) {
	if i := findProfile(x.profiles, m.set.TeamsProfile); i >= 0 {
		return x.profiles[i].Name, x.profiles[i].Forwarding
	}
	if m.site.CentralTeamsProfile {
		return m.set.TeamsProfile, m.site.CentralForwarding
	}
	if i := findProfile(x.profiles, m.set.AppointmentProfile); i >= 0 {
		return x.profiles[i].Name, x.profiles[i].Forwarding
	}
	return m.set.AppointmentProfile, ""
}

func (m *Model) createAppt(x *user, rule string) {
	if !x.connected {
		m.note(x, "Teams call seen without a server connection: no appointment", rule)
		return
	}
	m.nextID++
	name, fwd := m.appointmentProfile(x)
	a := Appointment{ID: m.nextID, Text: m.set.TeamsCallText, Profile: name, Forwarding: fwd, Created: m.clk.Now()}
	if !m.set.Faults.SkipMaxAge {
		a.cleanup = m.clk.Schedule(a.Created.Add(m.set.AppointmentMaxAge), m, clock.Event{Op: opCleanup, A: int32(x.id), B: int32(a.ID), Label: "XPhone deletes a Teams call's appointment at the latest (XP-8)"})
	}
	x.appts = append(x.appts, a)
	m.note(x, fmt.Sprintf("appointment %q with profile %q created", a.Text, a.Profile), rule)
}

func (m *Model) deleteAppt(x *user, i int, rule, why string) {
	a := x.appts[i]
	m.clk.Cancel(a.cleanup)
	x.appts = append(x.appts[:i], x.appts[i+1:]...)
	m.note(x, fmt.Sprintf("appointment %q %s", a.Text, why), rule)
}

// sync writes XPhone's own state to Teams where it differs from what XPhone
// wrote last (xphoneToTeams). What came from Teams is never written back.
func (m *Model) sync(x *user) {
	if x.noTeams {
		return // nothing to write to: no Teams account (XP-11)
	}
	md := m.mode(x)
	var wantSession, wantDND bool
	for _, row := range xphoneToTeams {
		on := false
		switch row.Src {
		case SrcXPhoneCall:
			on = x.calls > 0
		case SrcXPhoneMeeting:
			on = x.meetings > 0
		case SrcProfile:
			on = x.profiles[x.selected].Presence.Availability == p.DoNotDisturb ||
				(m.set.Faults.EchoDND && x.teamsDND)
		}
		synced := md.DND()
		if row.Telephony {
			synced = md.Telephony()
		}
		if !on || !synced || !x.started {
			continue
		}
		if row.Kind == writeSession {
			wantSession = true
		} else {
			wantDND = true
		}
	}
	if _, waiting := m.clk.When(x.retry); waiting {
		return // a write waits for Graph's back-off; its retry syncs (C-5)
	}
	switch {
	case wantSession && (!x.ownSession || x.stale):
		why := "XPhone call state (XP-2, XP-3)"
		if x.stale {
			why = "refreshed before expiry (C-2)"
		}
		x.sessionP = p.Of(p.Busy, p.InACall)
		m.writeSession(x, why)
	case !wantSession && x.ownSession:
		m.clk.Cancel(x.refresh)
		x.stale = false
		if m.send(x, TargetSession, "clearPresence", "C-3", func() error { return m.g.ClearPresence(x.id) }) {
			x.ownSession = false
		}
	}
	switch {
	case wantDND && !x.ownDND:
		dnd := p.Of(p.DoNotDisturb, p.ActDoNotDisturb)
		if m.send(x, TargetPreferred, "setUserPreferredPresence DoNotDisturb", "XP-10", func() error { return m.g.SetUserPreferredPresence(x.id, dnd, 0) }) {
			x.ownDND = true
		}
	case !wantDND && x.ownDND:
		if m.send(x, TargetPreferred, "clearUserPreferredPresence", "C-4", func() error { return m.g.ClearUserPreferredPresence(x.id) }) {
			x.ownDND = false
		}
	}
}

func (m *Model) writeSession(x *user, why string) {
	m.clk.Cancel(x.refresh)
	if !m.send(x, TargetSession, "setPresence "+x.sessionP.Short()+", "+why, "XP-3", func() error { return m.g.SetPresence(x.id, x.sessionP, m.set.SessionExpiry) }) {
		return
	}
	x.ownSession, x.stale = true, false
	x.refresh = m.clk.Schedule(m.clk.Now().Add(m.set.SessionExpiry-m.set.RefreshBefore), m, clock.Event{Op: opRefresh, A: int32(x.id), Label: "XPhone refreshes its session (C-2)"})
}

// send sends one write to Graph and journals it. It reports whether the
// write is done: sent and answered, or refused for good (a 4xx, journalled
// with its error). Under Graph's back-off nothing is sent, and after a 429
// or 5xx the write waits: a retry after Retry-After or the back-off syncs
// again (C-5).
func (m *Model) send(x *user, tg Target, what, rule string, write func() error) bool {
	now := m.clk.Now()
	if !m.bo.Ready(now) {
		m.retryLater(x)
		return false
	}
	err := write()
	retry := m.bo.Done(now, err)
	m.wrote(x, tg, what, rule, err)
	if retry {
		m.retryLater(x)
		return false
	}
	return true
}

func (m *Model) retryLater(x *user) {
	if _, ok := m.clk.When(x.retry); ok {
		return
	}
	x.retry = m.clk.Schedule(m.bo.NotBefore(), m, clock.Event{Op: opRetry, A: int32(x.id), Label: "XPhone writes again after Graph's back-off (C-5)"})
}

// begin opens an input change; writes until the next begin are its own.
func (m *Model) begin(x *user, o Origin, what string) {
	m.input++
	m.origin = o
	m.journal = append(m.journal, JournalEntry{At: m.clk.Now(), Kind: Input, User: x.name, Input: m.input, Origin: o, What: what})
}

func (m *Model) wrote(x *user, tg Target, what, rule string, err error) {
	if err != nil {
		what += " failed: " + err.Error()
	}
	m.journal = append(m.journal, JournalEntry{At: m.clk.Now(), Kind: Write, User: x.name, Input: m.input, Origin: m.origin, Target: tg, What: what, Rule: rule})
	m.tr.Record(trace.Entry{At: m.clk.Now(), Kind: trace.SourceChange, User: x.name, Source: "xphone", Note: "writes " + what, Rule: rule})
}

func (m *Model) note(x *user, what, rule string) {
	m.tr.Record(trace.Entry{At: m.clk.Now(), Kind: trace.SourceChange, User: x.name, Source: "xphone", Note: what, Rule: rule})
}
