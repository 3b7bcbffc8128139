package cloudlink

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// Settings are CloudLink's decided values and its tables.
type Settings struct {
	// AppID is the id of CloudLink's app registration; it is the sessionId
	// of every setPresence and clearPresence (C-1).
	AppID string
	// Expiration is the expirationDuration of each write (G-SET-1 range).
	Expiration time.Duration
	// Refresh is how often CloudLink rewrites a session that still holds; it
	// must be shorter than Expiration so the session never lapses (C-2).
	Refresh time.Duration
	// SyncDelay is the time between a PBX change and CloudLink's write
	// (Mitel quotes about 10 s on average, at most 60 s; decided 0).
	SyncDelay time.Duration
	// SyncDND writes DoNotDisturb as DoNotDisturb/Presenting (newer
	// CloudLink versions); off, DoNotDisturb is not synced (CL-7).
	SyncDND bool
	// SessionWithoutDND: while DoNotDisturb is not synced, the session in
	// Teams carries CloudLink's presence combined without its DoNotDisturb
	// sources, so a call under "Nicht verfügbar" shows as Busy (CL-7,
	// decided from seed 002's note: on). Off, a DoNotDisturb source hides
	// the call in Teams as it outranks Busy in Mitel One (CL-2).
	SessionWithoutDND bool
	// Duplicates decides who is linked when several PBX users' CloudLink
	// e-mails lead to one Teams user (CL-14, decided: the first stays).
	Duplicates DuplicatePolicy
	// AppRegistered says the tenant has CloudLink's app registration
	// (CL-14); without it nothing is synced.
	AppRegistered bool
	// SyncByDefault is whether presence sync is on for a user the admin
	// has not switched (decided: on).
	SyncByDefault bool
	// Backoff is the first wait after a failed request Graph answered
	// without Retry-After, doubling with each failure in a row up to
	// MaxBackoff; a Retry-After is always waited at least (C-5).
	Backoff, MaxBackoff time.Duration
	// IgnoreRetryAfter is a planted fault: CloudLink waits its back-off
	// alone, however long Graph asked to wait (breaks C-5).
	IgnoreRetryAfter bool
	// Passive computes the CloudLink presence but never writes to Teams:
	// an external connector under test does the writing, and the model
	// stays the reference for what Mitel One shows.
	Passive bool

	Precedence   []presence.Availability // CL-2
	LineTable    []LineRule              // CL-3
	UserTable    []UserRule              // CL-4
	MitelOne     []MitelOneRule          // CL-15, where the PBX has no user presence
	SessionTable []SessionRule           // CL-7, CL-8
}

// DuplicatePolicy says which of several PBX users that match one Teams
// user CloudLink links (CL-14).
type DuplicatePolicy uint8

const (
	// FirstStays links the PBX user who had the e-mail first; the others
	// are reported as duplicates.
	FirstStays DuplicatePolicy = iota
	// NoneLinked links none of them and reports them all.
	NoneLinked
)

func (d DuplicatePolicy) String() string {
	switch d {
	case FirstStays:
		return "the first stays linked"
	case NoneLinked:
		return "none is linked"
	}
	return fmt.Sprintf("DuplicatePolicy(%d)", uint8(d))
}

// DefaultSettings are the rulebook's defaults.
func DefaultSettings() Settings {
	return Settings{
		AppID:             "cloudlink",
		Expiration:        time.Hour,
		Refresh:           45 * time.Minute,
		Backoff:           2 * time.Second,
		MaxBackoff:        30 * time.Second,
		AppRegistered:     true,
		SyncByDefault:     true,
		SessionWithoutDND: true,
		Duplicates:        FirstStays,
		Precedence:        append([]presence.Availability(nil), States...),
		LineTable:         append([]LineRule(nil), DefaultLineTable...),
		UserTable:         append([]UserRule(nil), DefaultUserTable...),
		MitelOne:          append([]MitelOneRule(nil), DefaultMitelOneTable...),
		SessionTable:      append([]SessionRule(nil), DefaultSessionTable...),
	}
}

// source is one input of a user's CloudLink presence.
type source struct {
	name string
	p    presence.Availability
	rule string
	why  string
}

type userState struct {
	sync    int8 // 0 default, 1 on, -1 off
	cur     presence.Availability
	winner  string
	rule    string
	session bool
	target  teams.UserID
	written presence.Presence
	refresh clock.Timer
	pending clock.Timer
	// retry says a request for the user failed and is due again when
	// Graph may be asked (retryRefresh: the session's refresh).
	retry retryKind
	// unsynced is why the user is not synced ("" when synced); reported.
	unsynced string
	// link is the Teams user the CloudLink e-mail leads to (linkOK), and
	// dupOf the PBX user who holds that link instead (-1: none).
	link   teams.UserID
	linkOK bool
	dupOf  int
	// noMatchWhy is the reason for noMatchEmail, kept to not rebuild it.
	noMatchEmail, noMatchWhy string
	noMatchDup               int
}

type retryKind uint8

const (
	noRetry retryKind = iota
	retrySync
	retryRefresh
)

// Retry is one failed Graph request of CloudLink and the wait it chose.
type Retry struct {
	At         clock.Time
	Op         string // setPresence, clearPresence, directory
	User       string
	Status     int
	RetryAfter time.Duration
	// Wait is how long CloudLink sends nothing after the failure: the
	// Retry-After of a 429, else the back-off, at least Retry-After.
	Wait time.Duration
}

// MaxRetries caps the retries Retries keeps; older ones are dropped.
const MaxRetries = 1024

// Model is CloudLink in one world.
type Model struct {
	w       *sim.World
	seamOf  func(app string) graph.Seam
	g       graph.Seam
	pbx     *pbx.Model
	set     Settings
	tab     compiled
	app     teams.AppID
	running bool
	users   []userState
	writes  uint64
	clears  uint64
	errs    []error
	// byEmail maps lower-case UPNs and mails to Teams users; the links of
	// every PBX user are rebuilt from it when the Teams directory or a
	// CloudLink e-mail changed.
	byEmail    map[string]teams.UserID
	names      []dirName // by Teams user, from the directory read
	dirBuf     []teams.Directory
	dirVersion uint64
	dirRead    bool
	linksDirty bool
	// notBefore is when CloudLink may next ask Graph after a failure
	// (C-5); backoff the current back-off, retryAt the timer that resumes.
	notBefore clock.Time
	backoff   time.Duration
	retryAt   clock.Timer
	retries   []Retry
	retried   uint64
}

type dirName struct{ name, upn string }

// ComponentName names the model among the world's components.
func (m *Model) ComponentName() string { return "cloudlink" }

// Of returns the world's CloudLink, attaching it (and the PBX) on first use.
func Of(w *sim.World) *Model { return sim.Attach(w, New) }

// New builds CloudLink over a world's PBX with the default settings.
func New(w *sim.World) *Model { return NewOn(w, w.Graph) }

// NewOn builds CloudLink over a world's PBX writing through the seams seamOf
// gives per app id, so a benchmark can set the world's seam through the
// fault layer against the bare one.
func NewOn(w *sim.World, seamOf func(app string) graph.Seam) *Model {
	m := &Model{w: w, seamOf: seamOf, pbx: pbx.Of(w), running: true, linksDirty: true}
	if err := m.SetSettings(DefaultSettings()); err != nil {
		panic(err) // the default tables are checked by the tests
	}
	m.pbx.Listen(m)
	return m
}

// PBX is the PBX CloudLink reads.
func (m *Model) PBX() *pbx.Model { return m.pbx }

// Settings returns the settings.
func (m *Model) Settings() Settings { return m.set }

// SetSettings checks and applies settings, then brings every user's session
// in line with them.
func (m *Model) SetSettings(s Settings) error {
	tab, err := s.compile()
	if err != nil {
		return err
	}
	if strings.TrimSpace(s.AppID) == "" {
		return errors.New("CloudLink needs an app id (the sessionId of its writes)")
	}
	if s.Expiration < graph.MinExpiry || s.Expiration > graph.MaxExpiry {
		return fmt.Errorf("CloudLink session expiration %s: must be within setPresence's range (G-SET-1)", s.Expiration)
	}
	if s.Refresh <= 0 || s.Refresh >= s.Expiration {
		return fmt.Errorf("CloudLink refresh interval %s must be positive and shorter than the expiration %s, or the session lapses (C-2)", s.Refresh, s.Expiration)
	}
	if s.Duplicates > NoneLinked {
		return fmt.Errorf("CloudLink duplicate e-mail policy %d: use FirstStays or NoneLinked (CL-14)", s.Duplicates)
	}
	if s.SyncDelay < 0 {
		return fmt.Errorf("CloudLink sync delay %s is negative", s.SyncDelay)
	}
	if s.Backoff <= 0 || s.MaxBackoff < s.Backoff || s.MaxBackoff > time.Hour {
		return fmt.Errorf("CloudLink back-off %s up to %s: the first wait must be positive and the cap at least that, at most 1 h (C-5)", s.Backoff, s.MaxBackoff)
	}
	oldApp := m.app
	hadApp := m.set.AppID != ""
	oldSeam := m.g
	m.set, m.tab = s, tab
	m.app = m.w.Teams.App(s.AppID)
	m.g = m.seamOf(s.AppID)
	if hadApp && oldApp != m.app && oldSeam != nil {
		// sessions written under the old id stay ours to clear
		for i := range m.users {
			if st := &m.users[i]; st.session {
				_ = oldSeam.ClearPresence(st.target)
				st.session = false
			}
		}
	}
	if s.Passive {
		for i := range m.users {
			m.clear(&m.users[i]) // the external connector takes over
		}
	}
	m.SyncAll()
	return nil
}

// App is CloudLink's app id in the Teams model.
func (m *Model) App() teams.AppID { return m.app }

// Writes and Clears count the Graph calls CloudLink made.
func (m *Model) Writes() uint64 { return m.writes }

// Clears counts clearPresence calls.
func (m *Model) Clears() uint64 { return m.clears }

// Errors lists the writes Teams refused.
func (m *Model) Errors() []error { return append([]error(nil), m.errs...) }

func (m *Model) state(i int) *userState {
	for len(m.users) <= i {
		m.users = append(m.users, userState{cur: presence.AvailabilityUnknown, winner: "no source", rule: "CL-2", dupOf: -1})
	}
	return &m.users[i]
}

// SetSync switches presence sync on or off for a PBX user.
func (m *Model) SetSync(i int, on bool) error {
	if i < 0 || i >= m.pbx.Len() {
		return fmt.Errorf("%w: no PBX user #%d", pbx.ErrUnknown, i)
	}
	st := m.state(i)
	st.sync = -1
	if on {
		st.sync = 1
	}
	m.sync(i)
	return nil
}

// SyncOn reports whether presence sync is on for a PBX user.
func (m *Model) SyncOn(i int) bool {
	st := m.state(i)
	if st.sync == 0 {
		return m.set.SyncByDefault
	}
	return st.sync > 0
}

// Running reports whether CloudLink is writing.
func (m *Model) Running() bool { return m.running }

// Stop halts CloudLink: it no longer writes, refreshes or clears, so its
// sessions in Teams run out at their expiry.
func (m *Model) Stop() {
	if !m.running {
		return
	}
	m.running = false
	for i := range m.users {
		m.w.Clock.Cancel(m.users[i].refresh)
		m.w.Clock.Cancel(m.users[i].pending)
		m.users[i].retry = noRetry
	}
	m.w.Clock.Cancel(m.retryAt)
	m.w.Trace.Record(trace.Entry{At: m.w.Clock.Now(), Kind: trace.SourceChange, User: "", Source: "cloudlink", Note: "stopped: no more writes or refreshes"})
}

// Start resumes CloudLink: it writes every session it held again, as it
// cannot know which ran out meanwhile, and brings every user in line.
func (m *Model) Start() {
	if m.running {
		return
	}
	m.running = true
	m.w.Trace.Record(trace.Entry{At: m.w.Clock.Now(), Kind: trace.SourceChange, User: "", Source: "cloudlink", Note: "started"})
	for i := range m.users {
		if st := &m.users[i]; st.session {
			st.retry = retryRefresh
		}
	}
	m.SyncAll()
	m.resume()
}

// SyncAll recomputes every PBX user.
func (m *Model) SyncAll() {
	m.refreshLinks()
	for i := 0; i < m.pbx.Len(); i++ {
		m.syncOne(i)
	}
}

// PBXChanged reacts to a PBX change (pbx.Listener).
func (m *Model) PBXChanged(now clock.Time, ev pbx.Event) {
	switch ev.Kind {
	case pbx.StatesRenamed, pbx.MiCollabChanged:
		return // names are labels; MiCollab does not sync (CL-4, CL-5)
	case pbx.UserAdded, pbx.EmailChanged:
		// a new address may take a link from another PBX user or give one
		// back (CL-14): every user is looked at again
		m.linksDirty = true
		if m.set.SyncDelay == 0 {
			m.SyncAll()
			return
		}
	}
	if ev.User < 0 {
		return
	}
	if m.set.SyncDelay == 0 {
		m.sync(ev.User)
		return
	}
	st := m.state(ev.User)
	if _, ok := m.w.Clock.When(st.pending); !ok && m.running {
		st.pending = m.w.Clock.Schedule(now.Add(m.set.SyncDelay), m, clock.Event{Op: opSync, A: int32(ev.User), Label: "CloudLink writes a PBX change"})
	}
}

const (
	opSync int32 = iota + 1
	opRefresh
	opRetry
)

// Fire runs CloudLink's timers: a delayed sync and the refresh of a session.
func (m *Model) Fire(now clock.Time, ev clock.Event) {
	i := int(ev.A)
	switch ev.Op {
	case opSync:
		m.sync(i)
	case opRefresh:
		st := m.state(i)
		if !m.running || m.set.Passive || !st.session {
			return
		}
		m.write(i, st, st.target, st.written)
	case opRetry:
		m.resume()
	}
}

// compute derives the user's CloudLink presence from the PBX (CL-1..CL-4,
// CL-15): every line and the user presence (Mitel One where the PBX has
// none), best by CL-2. withoutDND leaves the DoNotDisturb sources out, as
// the session in Teams does while DoNotDisturb is not synced (CL-7).
func (m *Model) compute(u *pbx.User, visit func(source)) (best, withoutDND source) {
	best = source{name: "no source", p: presence.AvailabilityUnknown, rule: "CL-2", why: "no line and no user presence"}
	withoutDND = best
	found, foundW := false, false
	consider := func(s source) {
		if visit != nil {
			visit(s)
		}
		if !found || m.tab.rank[s.p] > m.tab.rank[best.p] {
			best, found = s, true
		}
		if s.p != presence.DoNotDisturb && (!foundW || m.tab.rank[s.p] > m.tab.rank[withoutDND.p]) {
			withoutDND, foundW = s, true
		}
	}
	for d := range u.Lines {
		l := &u.Lines[d]
		if !l.Present {
			continue
		}
		r := UnregisteredLine
		if l.Registered {
			r = m.tab.line[l.State][l.Dir]
		}
		consider(source{name: lineSources[d], p: r.Presence, rule: r.Rule, why: r.Why})
	}
	if m.pbx.Settings().UserPresence {
		r := m.tab.user[u.State]
		consider(source{name: "MiVO400 user presence", p: r.Presence, rule: r.Rule, why: m.pbx.Label(u.State)})
	} else {
		r := m.tab.mitelOne[u.MitelOne]
		consider(source{name: "Mitel One", p: r.Presence, rule: r.Rule, why: mitelOneWhy[u.MitelOne]})
	}
	return best, withoutDND
}

// mitelOneWhy words a Mitel One source once, so computing allocates nothing.
var mitelOneWhy = func() (out [8]string) {
	for _, r := range DefaultMitelOneTable {
		out[r.State] = r.State.Label() + " (no PBX user presence to keep in step with)"
	}
	return out
}()

// hidesDND reports whether the session leaves DoNotDisturb sources out.
func (m *Model) hidesDND() bool { return !m.set.SyncDND && m.set.SessionWithoutDND }

var lineSources = [...]string{"desk phone line", "softphone line"}

// Presence is the user's CloudLink presence, what Mitel One shows.
func (m *Model) Presence(i int) presence.Availability {
	if i < 0 || i >= m.pbx.Len() {
		return presence.AvailabilityUnknown
	}
	u := m.pbx.UserAt(i)
	best, _ := m.compute(&u, nil)
	return best.p
}

// SessionPresence is the CloudLink presence the session in Teams follows:
// Presence, without the DoNotDisturb sources while those are not synced
// (CL-7).
func (m *Model) SessionPresence(i int) presence.Availability {
	if i < 0 || i >= m.pbx.Len() {
		return presence.AvailabilityUnknown
	}
	u := m.pbx.UserAt(i)
	best, synced := m.compute(&u, nil)
	if m.hidesDND() {
		return synced.p
	}
	return best.p
}

// sync recomputes a user's CloudLink presence and makes its session in Teams
// hold what the session table says (CL-6..CL-8).
func (m *Model) sync(i int) {
	changed := m.refreshLinks()
	m.syncOne(i)
	for _, j := range changed {
		if j != i {
			m.syncOne(j)
		}
	}
}

func (m *Model) syncOne(i int) {
	u := m.pbx.UserAt(i)
	st := m.state(i)
	best, withoutDND := m.compute(&u, nil)
	if best.p != st.cur || best.name != st.winner {
		before := st.cur
		st.cur, st.winner, st.rule = best.p, best.name, best.rule
		if before != best.p {
			m.w.Trace.Record(trace.Entry{At: m.w.Clock.Now(), Kind: trace.SourceChange, User: u.Name, Source: "cloudlink",
				Before: presence.Of(before, presence.BaseActivity(before)), After: presence.Of(best.p, presence.BaseActivity(best.p)), Rule: best.rule})
		}
	}
	if !m.running || m.set.Passive {
		return
	}
	target, why := m.match(&u, i)
	if why != st.unsynced {
		st.unsynced = why
		if why != "" {
			m.w.Trace.Record(trace.Entry{At: m.w.Clock.Now(), Kind: trace.SourceChange, User: u.Name, Source: "cloudlink", Note: why, Rule: "CL-14"})
		}
	}
	synced := st.cur
	if m.hidesDND() {
		synced = withoutDND.p
	}
	row := m.tab.session[synced]
	if why != "" || !row.Write {
		m.clear(st)
		return
	}
	if st.session && st.target != target {
		m.clear(st)
	}
	if st.session && st.written == row.Presence && st.retry != retryRefresh {
		return // the refresh timer keeps it alive
	}
	m.write(i, st, target, row.Presence)
}

// refreshLinks rebuilds every PBX user's link when the Teams directory or
// a CloudLink e-mail changed, and returns the users whose link changed.
// A CloudLink e-mail matches a UPN or an Azure AD mail, without case; of
// several PBX users leading to one Teams user, Settings.Duplicates decides
// (CL-14).
func (m *Model) refreshLinks() []int {
	m.readDirectory()
	if !m.linksDirty {
		return nil
	}
	m.linksDirty = false
	n := m.pbx.Len()
	// the two PBX users who had an address of each Teams user first
	first := make(map[teams.UserID][2]int, n)
	since := func(i int) uint64 { return m.pbx.UserAt(i).EmailSince }
	for i := 0; i < n; i++ {
		id, ok := m.byEmail[strings.ToLower(m.pbx.UserAt(i).Email)]
		if !ok {
			continue
		}
		f, seen := first[id]
		switch {
		case !seen:
			f = [2]int{i, -1}
		case since(i) < since(f[0]):
			f = [2]int{i, f[0]}
		case f[1] < 0 || since(i) < since(f[1]):
			f[1] = i
		}
		first[id] = f
	}
	var changed []int
	for i := 0; i < n; i++ {
		u := m.pbx.UserAt(i)
		st := m.state(i)
		id, ok := m.byEmail[strings.ToLower(u.Email)]
		dup := -1
		if f := first[id]; ok && f[1] >= 0 {
			switch {
			case f[0] != i:
				dup = f[0]
			case m.set.Duplicates == NoneLinked:
				dup = f[1]
			}
		}
		if st.link != id || st.linkOK != ok || st.dupOf != dup {
			changed = append(changed, i)
		}
		st.link, st.linkOK, st.dupOf = id, ok, dup
	}
	return changed
}

// match finds the Teams user a PBX user syncs to, or says why there is none.
func (m *Model) match(u *pbx.User, i int) (teams.UserID, string) {
	if !m.SyncOn(i) {
		return 0, "not synced: presence sync is off for this user"
	}
	if !m.set.AppRegistered {
		return 0, "not synced: the tenant has no app registration for CloudLink (CL-14)"
	}
	m.refreshLinks()
	if !m.dirRead {
		return 0, "not synced yet: CloudLink has not read the directory from Graph (CL-14)"
	}
	st := m.state(i)
	if st.linkOK && st.dupOf < 0 {
		return st.link, ""
	}
	// the reason is built once per e-mail and link, so an unmatched user's
	// events allocate nothing
	if st.noMatchEmail != u.Email || st.noMatchDup != st.dupOf || st.noMatchWhy == "" {
		st.noMatchEmail, st.noMatchDup = u.Email, st.dupOf
		if st.linkOK {
			other := m.pbx.UserAt(st.dupOf)
			verdict := "the PBX user " + other.Name + " had it first and stays linked"
			if m.set.Duplicates == NoneLinked {
				verdict = "the PBX user " + other.Name + " has it too, and neither is linked"
			}
			st.noMatchWhy = fmt.Sprintf("not synced: duplicate CloudLink e-mail %s, which leads to %s: %s (CL-14, %s)",
				u.Email, m.upn(st.link), verdict, m.set.Duplicates)
		} else {
			st.noMatchWhy = "not synced: CloudLink e-mail " + u.Email + " matches no user principal name and no mail in Azure AD (CL-14)"
		}
	}
	return 0, st.noMatchWhy
}

// Link is the Teams user a PBX user's CloudLink writes into, if it is
// linked (CL-14).
func (m *Model) Link(i int) (teams.UserID, bool) {
	if i < 0 || i >= m.pbx.Len() {
		return 0, false
	}
	u := m.pbx.UserAt(i)
	id, why := m.match(&u, i)
	return id, why == ""
}

func (m *Model) write(i int, st *userState, target teams.UserID, p presence.Presence) {
	kind := retrySync
	if st.session && st.target == target && st.written == p {
		kind = retryRefresh
	}
	if m.blocked() {
		m.later(st, kind)
		return
	}
	m.w.Clock.Cancel(st.refresh)
	if err := m.g.SetPresence(target, p, m.set.Expiration); err != nil {
		if m.failed("setPresence", target, err) {
			m.later(st, kind)
			return
		}
		m.errs = append(m.errs, fmt.Errorf("setPresence %s for %s: %w", p.Short(), m.name(target), err))
		st.session, st.retry = false, noRetry
		return
	}
	m.backoff, st.retry = 0, noRetry
	m.writes++
	st.session, st.target, st.written = true, target, p
	st.refresh = m.w.Clock.Schedule(m.w.Clock.Now().Add(m.set.Refresh), m, clock.Event{Op: opRefresh, A: int32(i), Label: "CloudLink refreshes its session (C-2)"})
}

func (m *Model) clear(st *userState) {
	m.w.Clock.Cancel(st.refresh)
	if !st.session {
		st.retry = noRetry
		return
	}
	if m.blocked() {
		m.later(st, retrySync)
		return
	}
	err := m.g.ClearPresence(st.target)
	switch {
	case err == nil, graphStatus(err) == http.StatusNotFound:
		// gone already (expired) is cleared too (G-CLR-1)
		m.backoff = 0
	case m.failed("clearPresence", st.target, err):
		m.later(st, retrySync)
		return
	default:
		m.errs = append(m.errs, fmt.Errorf("clearPresence for %s: %w", m.name(st.target), err))
	}
	st.session, st.retry = false, noRetry
	if err == nil {
		m.clears++
	}
}

// readDirectory reads the tenant's directory when it changed (or was never
// read): the UPNs and mails CloudLink e-mails are matched against (CL-14).
// While Graph cannot be asked, the last directory read stays.
func (m *Model) readDirectory() {
	v, known := uint64(0), false
	if dd, ok := m.g.(graph.DirectoryDelta); ok {
		v, known = dd.DirectoryVersion()
	}
	if m.dirRead && known && v == m.dirVersion {
		return
	}
	if m.blocked() {
		m.armRetry()
		return
	}
	dir, err := m.g.Directory(m.dirBuf[:0])
	if err != nil {
		if !m.failed("directory", -1, err) {
			m.errs = append(m.errs, fmt.Errorf("reading the directory: %w", err))
		}
		m.armRetry()
		return
	}
	m.backoff = 0
	m.dirBuf, m.dirVersion, m.dirRead, m.linksDirty = dir[:0], v, true, true
	m.byEmail = make(map[string]teams.UserID, 2*len(dir))
	m.names = m.names[:0]
	for k, d := range dir {
		id := teams.UserID(k) // Graph lists users in the order of their ids
		m.names = append(m.names, dirName{name: d.Name, upn: d.UPN})
		m.byEmail[strings.ToLower(d.UPN)] = id
	}
	for k, d := range dir { // a UPN wins over another user's mail
		if mail := strings.ToLower(d.Mail); mail != "" {
			if _, taken := m.byEmail[mail]; !taken {
				m.byEmail[mail] = teams.UserID(k)
			}
		}
	}
}

// name is a Teams user's name from the directory read.
func (m *Model) name(u teams.UserID) string {
	if u >= 0 && int(u) < len(m.names) {
		return m.names[u].name
	}
	return fmt.Sprintf("user #%d", u)
}

// upn is a Teams user's UPN from the directory read.
func (m *Model) upn(u teams.UserID) string {
	if u >= 0 && int(u) < len(m.names) {
		return m.names[u].upn
	}
	return ""
}

// graphError is Graph's answer in err, nil when err is none; checked by
// type first, so the path without an error allocates nothing.
func graphError(err error) *graph.Error {
	if err == nil {
		return nil
	}
	if ge, ok := err.(*graph.Error); ok {
		return ge
	}
	var ge *graph.Error
	if errors.As(err, &ge) {
		return ge
	}
	return nil
}

func graphStatus(err error) int {
	if ge := graphError(err); ge != nil {
		return ge.Status
	}
	return 0
}

// blocked says CloudLink may not ask Graph now: a Retry-After or a
// back-off is running (C-5).
func (m *Model) blocked() bool { return m.w.Clock.Now() < m.notBefore }

// later marks a user's request to be sent again when Graph may be asked.
func (m *Model) later(st *userState, kind retryKind) {
	if kind > st.retry {
		st.retry = kind
	}
	m.armRetry()
}

// armRetry makes sure CloudLink resumes when it may ask Graph again.
func (m *Model) armRetry() {
	if _, ok := m.w.Clock.When(m.retryAt); ok || !m.running {
		return
	}
	at := m.notBefore
	if now := m.w.Clock.Now(); at < now {
		at = now.Add(m.set.Backoff)
	}
	m.retryAt = m.w.Clock.Schedule(at, m, clock.Event{Op: opRetry, Label: "CloudLink retries its failed requests (C-5, C-10)"})
}

// failed handles a Graph error: a throttled or failing Graph (429, 5xx)
// makes CloudLink send nothing for a while and reports true; any other
// error is the caller's to report.
func (m *Model) failed(op string, u teams.UserID, err error) bool {
	ge := graphError(err)
	if ge == nil || !ge.Transient() {
		return false
	}
	wait := ge.RetryAfter
	if m.set.IgnoreRetryAfter {
		wait = 0
	}
	if ge.Status != http.StatusTooManyRequests {
		// a failing service: back off, doubling, capped, and never sooner
		// than it asked
		if m.backoff == 0 {
			m.backoff = m.set.Backoff
		} else if m.backoff *= 2; m.backoff > m.set.MaxBackoff {
			m.backoff = m.set.MaxBackoff
		}
		wait = max(wait, m.backoff)
	} else if wait <= 0 {
		wait = m.set.Backoff
	}
	now := m.w.Clock.Now()
	m.notBefore = now.Add(wait)
	m.w.Clock.Cancel(m.retryAt)
	m.armRetry()
	who := ""
	if u >= 0 {
		who = m.name(u)
	}
	r := Retry{At: now, Op: op, User: who, Status: ge.Status, RetryAfter: ge.RetryAfter, Wait: wait}
	m.retried++
	if len(m.retries) >= MaxRetries {
		copy(m.retries, m.retries[1:])
		m.retries = m.retries[:MaxRetries-1]
	}
	m.retries = append(m.retries, r)
	why := "back-off"
	if ge.Status == http.StatusTooManyRequests || wait == ge.RetryAfter {
		why = "Retry-After"
	}
	m.w.Trace.Record(trace.Entry{At: now, Kind: trace.SourceChange, User: who, Source: "cloudlink", Rule: "C-5",
		Note: fmt.Sprintf("%s answered %d: CloudLink sends nothing to Graph for %s (%s)", op, ge.Status, wait, why)})
	return true
}

// resume sends the requests that failed, in user order, until Graph fails
// again; the users still marked wait for the next resume (C-10).
func (m *Model) resume() {
	if !m.running || m.set.Passive {
		return
	}
	if m.blocked() {
		m.armRetry()
		return
	}
	m.refreshLinks()
	// every user, not only those marked: a directory read again may have
	// changed links; syncOne writes only what differs from the session
	for i := 0; i < m.pbx.Len(); i++ {
		if m.blocked() {
			m.armRetry()
			return
		}
		st := m.state(i)
		if st.retry == retrySync {
			st.retry = noRetry
		}
		m.syncOne(i)
	}
}

// Retrying says a request failed and CloudLink waits to send it again, so
// Teams may not hold what CloudLink computes yet.
func (m *Model) Retrying() bool {
	if _, ok := m.w.Clock.When(m.retryAt); ok {
		return true
	}
	for i := range m.users {
		if m.users[i].retry != noRetry {
			return true
		}
	}
	return !m.dirRead && m.running && !m.set.Passive
}

// Retries lists CloudLink's latest failed requests (at most MaxRetries),
// oldest first, with the wait each chose.
func (m *Model) Retries() []Retry { return append([]Retry(nil), m.retries...) }

// Session reports what CloudLink believes its session of a PBX user holds.
func (m *Model) Session(i int) (p presence.Presence, target teams.UserID, ok bool) {
	st := m.state(i)
	return st.written, st.target, st.session
}

// Unsynced says why a PBX user is not synced, "" when it is.
func (m *Model) Unsynced(i int) string {
	if i < 0 || i >= m.pbx.Len() {
		return "no such PBX user"
	}
	u := m.pbx.UserAt(i)
	_, why := m.match(&u, i)
	return why
}

// Report lists every PBX user CloudLink does not sync, with the reason.
func (m *Model) Report() []string {
	var out []string
	for i := 0; i < m.pbx.Len(); i++ {
		if why := m.Unsynced(i); why != "" {
			out = append(out, m.pbx.UserAt(i).Name+": "+why)
		}
	}
	return out
}

// Explain says how a user's CloudLink presence and session came about.
func (m *Model) Explain(i int) string {
	if i < 0 || i >= m.pbx.Len() {
		return "no such PBX user"
	}
	u := m.pbx.UserAt(i)
	var b strings.Builder
	best, withoutDND := m.compute(&u, func(s source) {
		fmt.Fprintf(&b, "  source %-22s %-12s [%s] %s\n", s.name, s.p, s.rule, s.why)
	})
	head := fmt.Sprintf("CloudLink presence of %s is %s (%s), from %s by CL-2 (%s)\n", u.Name, best.p, Label(best.p), best.name, names(m.set.Precedence))
	synced := best
	if m.hidesDND() {
		synced = withoutDND
		if synced.p != best.p {
			fmt.Fprintf(&b, "  Teams gets it without the DoNotDisturb sources, which are not synced [CL-7]: %s (%s), from %s\n", synced.p, Label(synced.p), synced.name)
		}
	}
	row := m.tab.session[synced.p]
	what := "no session (cleared)"
	if row.Write {
		what = "session " + row.Presence.Short()
	}
	st := m.state(i)
	why := m.Unsynced(i)
	verb := "→"
	if why != "" {
		verb = "would give"
	}
	fmt.Fprintf(&b, "  session rule [%s]: %s %s %s\n", row.Rule, synced.p, verb, what)
	switch {
	case m.set.Passive:
		b.WriteString("  CloudLink is passive: an external connector writes to Teams\n")
	case !m.running:
		b.WriteString("  CloudLink is stopped: nothing is written or refreshed\n")
	case m.blocked() || st.retry != noRetry:
		fmt.Fprintf(&b, "  Graph failed CloudLink's last request: it asks again at %s (C-5, C-10); %d failures so far\n", m.notBefore, m.retried)
		if why != "" {
			fmt.Fprintf(&b, "  %s\n", why)
		}
	case why != "":
		fmt.Fprintf(&b, "  %s\n", why)
	case st.session:
		fmt.Fprintf(&b, "  wrote %s to %s as app %q, refreshed every %s, expiry %s\n", st.written.Short(), m.name(st.target), m.set.AppID, m.set.Refresh, m.set.Expiration)
	default:
		b.WriteString("  no CloudLink session in Teams\n")
	}
	for j := 0; j < m.pbx.Len(); j++ {
		if j != i && m.state(j).linkOK && m.state(j).dupOf == i {
			fmt.Fprintf(&b, "  the PBX user %s's CloudLink e-mail leads to the same Teams user; %s is reported as a duplicate and writes nothing (CL-14)\n", m.pbx.UserAt(j).Name, m.pbx.UserAt(j).Name)
		}
	}
	return head + b.String() + m.pbx.Explain(i)
}
