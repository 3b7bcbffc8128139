package nimbus

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/follow"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// View is what a presence account reads of an agent.
type View uint8

// Views.
const (
	// InternalView reads like a member of the tenant: availability and
	// activity (NB-4). It is what presence accounts see.
	InternalView View = iota
	// FederatedView reads the user-configured level only (T-FED-1); set it
	// for the presence accounts to model a router that cannot see activity.
	FederatedView
)

// Settings are the decided values of the model, each with its default.
type Settings struct {
	// RingTime is how long an offered call rings before RONA (NB-9;
	// Luware's "Max. Ring Time", decided 30 s).
	RingTime time.Duration
	// AfterCallWork blocks an agent after each call (NB-8; decided 30 s).
	AfterCallWork time.Duration
	// RONAReset is how long an agent stays in RONA (NB-9: 10 min, from 10 s
	// to 320 min).
	RONAReset time.Duration
	// MaxWait is how long a caller waits in the queue before the call
	// leaves it unanswered; zero waits for ever (decided).
	MaxWait time.Duration
	// AccountView is what presence accounts read (InternalView).
	AccountView View
	// Tenant is the organisation the agents belong to and the presence
	// accounts are invited to (the world's default organisation).
	Tenant string
	// RedistributeOnChange: a change of a service's distribution setting
	// takes effect at once, so calls already waiting are offered to agents
	// it made eligible (NB-2, decided: on). Off, waiting calls wait for the
	// next change of an agent or a new call.
	RedistributeOnChange bool
	// SignInFrom is where Nimbus signs its presence accounts in from: a
	// Microsoft Azure data centre, as the cloud service does (NB-5,
	// decided), unless an account says otherwise.
	SignInFrom Location
	// App is the application Nimbus reads Graph presence as.
	App string
	// PollInterval, ResyncAfter, Backoff and MaxBackoff are the reader's
	// discipline on Graph (decided): poll while a subscription fails, read
	// a subscription quiet that long, back off after 429 and 5xx (C-5,
	// C-7).
	PollInterval, ResyncAfter time.Duration
	Backoff, MaxBackoff       time.Duration
}

// DefaultSettings returns the documented and decided defaults.
func DefaultSettings() Settings {
	return Settings{
		RingTime:      30 * time.Second,
		AfterCallWork: 30 * time.Second,
		RONAReset:     10 * time.Minute,
		AccountView:   InternalView,
		Tenant:        sim.DefaultOrg,

		RedistributeOnChange: true,
		SignInFrom:           AzureDataCentre,

		App:          "luware-nimbus",
		PollInterval: follow.DefaultPollInterval,
		ResyncAfter:  follow.DefaultQuiet,
		Backoff:      follow.DefaultBackoff,
		MaxBackoff:   follow.DefaultMaxBackoff,
	}
}

// RONA reset bounds (NB-9).
const (
	MinRONAReset = 10 * time.Second
	MaxRONAReset = 320 * time.Minute
)

// CheckRONAReset validates a RONA reset time.
func CheckRONAReset(d time.Duration) error {
	if d < MinRONAReset || d > MaxRONAReset {
		return fmt.Errorf("RONA reset time %s is outside %s..%s (NB-9)", d, MinRONAReset, MaxRONAReset)
	}
	return nil
}

func (s Settings) check() error {
	if s.RingTime <= 0 {
		return fmt.Errorf("ring time must be positive, got %s", s.RingTime)
	}
	if s.SignInFrom > Elsewhere {
		return fmt.Errorf("unknown sign-in location %d", s.SignInFrom)
	}
	if s.AfterCallWork < 0 || s.MaxWait < 0 {
		return fmt.Errorf("after-call work and maximum wait cannot be negative")
	}
	if s.PollInterval <= 0 || s.ResyncAfter < 0 || s.Backoff <= 0 || s.MaxBackoff < s.Backoff {
		return fmt.Errorf("poll interval %s and back-off %s must be positive, resync %s not negative, maximum back-off %s at least the back-off",
			s.PollInterval, s.Backoff, s.ResyncAfter, s.MaxBackoff)
	}
	return CheckRONAReset(s.RONAReset)
}

// Assignment says how a service finds its responsible agents (NB-1).
type Assignment uint8

// Assignment types.
const (
	// TeamBased services take the members of their team.
	TeamBased Assignment = iota
	// SkillBased services take the agents on duty with every required skill.
	SkillBased
)

// ServiceID indexes a service.
type ServiceID int32

// Service is a Nimbus service.
type Service struct {
	ID         ServiceID
	Name       string
	Assignment Assignment
	Team       []teams.UserID
	Skills     []string
	Dist       Distribution
	RingTime   time.Duration
	ACW        time.Duration
	RONAReset  time.Duration
	MaxWait    time.Duration

	line     teams.UserID // the service's line: the caller's side of an answered call
	queue    []CallID
	inactive []teams.UserID // agents who turned their Active toggle off (NB-8)
}

// Queue lists the waiting calls, first in line first.
func (s *Service) Queue() []CallID { return append([]CallID(nil), s.queue...) }

// CallID indexes a call handled by Nimbus.
type CallID int32

// CallState is where a call is.
type CallState uint8

// Call states.
const (
	Queued CallState = iota
	Ringing
	Connected
	Ended
	Abandoned
)

func (s CallState) String() string {
	return [...]string{"queued", "ringing", "connected", "ended", "abandoned"}[s]
}

// Call is one call to a service.
type Call struct {
	ID       CallID
	Service  ServiceID
	Arrived  clock.Time
	Answered clock.Time
	State    CallState
	Agent    teams.UserID // valid while ringing or connected
	// Offers counts the agents it was offered to; OffersInCall those who
	// were in a Teams call already when it rang (NB-3).
	Offers, OffersInCall int
	// NoAgent is set when nobody was eligible when the call arrived.
	NoAgent bool

	teamsCall teams.CallID
	ring      clock.Timer
	abandon   clock.Timer
}

// AgentState is an agent's Nimbus task state (NB-8).
type AgentState uint8

// Agent states.
const (
	Free AgentState = iota
	Reserved
	OnCall
	WrapUp
)

func (s AgentState) String() string {
	return [...]string{"free", "ringing", "connected", "in after-call work"}[s]
}

type agent struct {
	user      teams.UserID
	name      string
	skills    []string
	offDuty   bool
	state     AgentState
	call      CallID
	idleSince clock.Time
	rona      bool
	ronaTimer clock.Timer
	acwTimer  clock.Timer
	dialling  int
}

// Stats are the counts of a run.
type Stats struct {
	Calls            int
	Offers           int
	OffersInCall     int
	Answered         int
	RONA             int
	NotDistributable int
	Abandoned        int
	Fallbacks        int
	// Waits are the waiting times of the answered calls, in order of answer.
	Waits []time.Duration
}

// OfferListener is told when a call rings at an agent, so a simulated agent
// can pick up or not.
type OfferListener interface {
	Offered(now clock.Time, c CallID, agent teams.UserID)
}

// Model is the Nimbus model of one world.
type Model struct {
	// g is Nimbus's Graph seam: presence read through the presence
	// accounts, followed by rd; bo is the back-off of its requests.
	g      graph.Seam
	rd     *follow.Reader
	bo     follow.Backoff
	fed    FederationView
	people People
	ten    Tenant

	clk      *clock.Clock
	set      Settings
	services []*Service
	agents   []*agent
	agentOf  map[teams.UserID]int32
	accounts []*Account
	calls    []*Call
	stats    Stats
	pstn     teams.UserID
	hasPSTN  bool
	onOffer  OfferListener

	failing bool // presence tracking was failing at the last read
	// trustedOnly: the tenant's conditional access requires MFA except
	// from trusted locations (NB-5).
	trustedOnly bool
}

// Of returns the world's Nimbus model, attaching it on first use.
func Of(w *sim.World) *Model { return sim.Attach(w, New) }

// New builds a Nimbus model on the world with the default settings: Graph
// through the world's seam of the Nimbus app, federation, the people and
// the administrator of the world.
func New(w *sim.World) *Model {
	set := DefaultSettings()
	return NewOn(w.Graph(set.App), w.Teams, w.Teams, TenantOf(w), w.Clock)
}

// NewOn builds a Nimbus model on the given seam, federation, people and
// tenant, so a test can hand it a graph.Mock.
func NewOn(g graph.Seam, fed FederationView, people People, ten Tenant, clk *clock.Clock) *Model {
	m := &Model{g: g, fed: fed, people: people, ten: ten, clk: clk, set: DefaultSettings(), agentOf: map[teams.UserID]int32{}}
	m.bo = follow.Backoff{Base: m.set.Backoff, Max: m.set.MaxBackoff}
	m.rd = follow.New(g, clk, m, m.readerSettings(), &m.bo)
	return m
}

func (m *Model) readerSettings() follow.Settings {
	return follow.Settings{PollInterval: m.set.PollInterval, Quiet: m.set.ResyncAfter}
}

// Reader is how Nimbus follows its agents' presence, for checks of its
// view.
func (m *Model) Reader() *follow.Reader { return m.rd }

// ComponentName names the component.
func (m *Model) ComponentName() string { return "nimbus" }

// Settings returns the model's settings.
func (m *Model) Settings() Settings { return m.set }

// SetSettings replaces the settings; services created afterwards take the
// new timings.
func (m *Model) SetSettings(s Settings) error {
	if err := s.check(); err != nil {
		return err
	}
	if s.App != m.set.App {
		return fmt.Errorf("the Nimbus app is %q; it cannot change in a running world", m.set.App)
	}
	m.set = s
	m.bo.Base, m.bo.Max = s.Backoff, s.MaxBackoff
	m.rd.SetSettings(m.readerSettings())
	return nil
}

// Stats returns the counts so far.
func (m *Model) Stats() Stats {
	s := m.stats
	s.Waits = append([]time.Duration(nil), m.stats.Waits...)
	return s
}

// SetOfferListener sets who is told of offers.
func (m *Model) SetOfferListener(l OfferListener) { m.onOffer = l }

// AddService creates a service with the given distribution setting and the
// model's timings.
func (m *Model) AddService(name string, a Assignment, d Distribution) (*Service, error) {
	if strings.TrimSpace(name) == "" {
		return nil, fmt.Errorf("a service needs a name")
	}
	if _, err := m.Service(name); err == nil {
		return nil, fmt.Errorf("service %q exists already", name)
	}
	lineName := "line." + lineSafe(name)
	line, err := m.ten.AddUser(lineName, m.set.Tenant)
	if err != nil {
		return nil, fmt.Errorf("service %q: its line %q: %w", name, lineName, err)
	}
	s := &Service{ID: ServiceID(len(m.services)), Name: name, Assignment: a, Dist: d,
		RingTime: m.set.RingTime, ACW: m.set.AfterCallWork, RONAReset: m.set.RONAReset, MaxWait: m.set.MaxWait, line: line}
	m.services = append(m.services, s)
	return s, nil
}

func lineSafe(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '-'
		}
	}
	return string(b)
}

// Service looks a service up by name.
func (m *Model) Service(name string) (*Service, error) {
	for _, s := range m.services {
		if strings.EqualFold(s.Name, strings.TrimSpace(name)) {
			return s, nil
		}
	}
	names := make([]string, len(m.services))
	for i, s := range m.services {
		names[i] = s.Name
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no Nimbus service %q; none is configured yet", name)
	}
	return nil, fmt.Errorf("no Nimbus service %q; configured: %s", name, strings.Join(names, ", "))
}

// Services lists the services in order of creation.
func (m *Model) Services() []*Service { return append([]*Service(nil), m.services...) }

// agentFor returns the agent record of a Teams user, creating it.
func (m *Model) agentFor(u teams.UserID) *agent {
	if i, ok := m.agentOf[u]; ok {
		return m.agents[i]
	}
	a := &agent{user: u, name: m.ten.Name(u), idleSince: m.clk.Now()}
	m.agentOf[u] = int32(len(m.agents))
	m.agents = append(m.agents, a)
	m.rd.Watch(u)
	m.rd.Fresh(u)
	return a
}

func (m *Model) agent(u teams.UserID) (*agent, error) {
	if i, ok := m.agentOf[u]; ok {
		return m.agents[i], nil
	}
	return nil, fmt.Errorf("%s is not a Nimbus agent; add them to a service first", m.ten.Name(u))
}

// AddMember adds a Teams user to a team-based service (NB-1).
func (m *Model) AddMember(s *Service, u teams.UserID) {
	m.agentFor(u)
	for _, x := range s.Team {
		if x == u {
			return
		}
	}
	s.Team = append(s.Team, u)
	m.dispatch()
}

// SetSkills gives an agent skills (for skill-based services, NB-1).
func (m *Model) SetSkills(u teams.UserID, skills ...string) {
	a := m.agentFor(u)
	a.skills = append([]string(nil), skills...)
	m.dispatch()
}

// SetDuty puts an agent on or off duty (the duty profile, NB-1). Going off
// duty also ends RONA, as Luware documents.
func (m *Model) SetDuty(u teams.UserID, on bool) {
	a := m.agentFor(u)
	a.offDuty = !on
	if !on {
		m.clearRONA(a)
	}
	m.dispatch()
}

// SetActive turns an agent's Active toggle in a service on or off (NB-8).
func (m *Model) SetActive(s *Service, u teams.UserID, on bool) {
	m.agentFor(u)
	i := indexOf(s.inactive, u)
	switch {
	case on && i >= 0:
		s.inactive = append(s.inactive[:i], s.inactive[i+1:]...)
	case !on && i < 0:
		s.inactive = append(s.inactive, u)
	}
	m.dispatch()
}

func indexOf(s []teams.UserID, u teams.UserID) int {
	for i, x := range s {
		if x == u {
			return i
		}
	}
	return -1
}

// AddAccount adds a presence account: a guest user invited to the tenant,
// with every required permission and MFA off (NB-5). At most two.
func (m *Model) AddAccount(name string) (*Account, error) {
	if len(m.accounts) >= MaxAccounts {
		return nil, fmt.Errorf("Nimbus holds at most %d presence accounts (NB-5); configured: %s", MaxAccounts, m.accountNames())
	}
	if _, err := m.Account(name); err == nil {
		return nil, fmt.Errorf("presence account %q exists already", name)
	}
	g, err := m.ten.AddUser(name, m.set.Tenant)
	if err != nil {
		return nil, fmt.Errorf("presence account %q: %w", name, err)
	}
	m.ten.SetMembership(g, m.set.Tenant, true)
	a := &Account{Name: name, Guest: g, Invited: true}
	for _, r := range Requirements {
		a.Grant(r.Permission)
	}
	m.accounts = append(m.accounts, a)
	m.dispatch()
	return a, nil
}

// Account looks a presence account up by name.
func (m *Model) Account(name string) (*Account, error) {
	for _, a := range m.accounts {
		if strings.EqualFold(a.Name, strings.TrimSpace(name)) {
			return a, nil
		}
	}
	if len(m.accounts) == 0 {
		return nil, fmt.Errorf("no presence account %q; Nimbus has none", name)
	}
	return nil, fmt.Errorf("no presence account %q; Nimbus has: %s", name, m.accountNames())
}

func (m *Model) accountNames() string {
	n := make([]string, len(m.accounts))
	for i, a := range m.accounts {
		n[i] = a.Name
	}
	return strings.Join(n, ", ")
}

// Accounts lists the presence accounts.
func (m *Model) Accounts() []*Account { return append([]*Account(nil), m.accounts...) }

// ChangeTenant models a change in the tenant that drops the guests: the
// presence accounts are no longer members, so their sign-ins fail and
// Nimbus falls back to federation (NB-6).
func (m *Model) ChangeTenant() {
	for _, a := range m.accounts {
		a.Invited = false
		m.ten.SetMembership(a.Guest, "luware", true)
	}
	m.dispatch()
}

// Reinvite invites an account's guest to the tenant again.
func (m *Model) Reinvite(a *Account) {
	a.Invited = true
	m.ten.SetMembership(a.Guest, m.set.Tenant, true)
	m.dispatch()
}

// AccountChanged re-evaluates the queues after an account's grants or MFA
// state changed.
func (m *Model) AccountChanged() { m.dispatch() }

// SetDistribution changes a service's distribution setting (NB-2); with
// RedistributeOnChange the calls waiting are offered at once to the agents
// it made eligible.
func (m *Model) SetDistribution(s *Service, d Distribution) {
	s.Dist = d
	if m.set.RedistributeOnChange {
		m.dispatch()
	}
}

// RequireMFAExceptTrusted sets the tenant's conditional-access policy:
// presence accounts must use MFA unless they sign in from a trusted
// location, the Microsoft Azure data-centre ranges Nimbus signs in from
// (NB-5).
func (m *Model) RequireMFAExceptTrusted(on bool) {
	m.trustedOnly = on
	m.dispatch()
}

// MFAExceptTrusted reports whether that policy is on.
func (m *Model) MFAExceptTrusted() bool { return m.trustedOnly }

// SignInFrom sets where an account signs in from (NB-5).
func (m *Model) SignInFrom(a *Account, l Location) {
	a.From, a.hasFrom = l, true
	m.dispatch()
}

// from is where an account signs in from.
func (m *Model) from(a *Account) Location {
	if a.hasFrom {
		return a.From
	}
	return m.set.SignInFrom
}

// Source is where Nimbus reads presence from.
type Source uint8

// Presence sources.
const (
	Federation Source = iota
	PresenceAccount
)

func (s Source) String() string { return [...]string{"federation", "presence account"}[s] }

// Tracking is the state of presence tracking: which source Nimbus reads and,
// when presence accounts are configured but fail, why (NB-6).
type Tracking struct {
	Source   Source
	Account  string
	Failures []*GraphError
}

// Fallback reports whether Nimbus reads federation although presence
// accounts are configured.
func (t Tracking) Fallback() bool { return t.Source == Federation && len(t.Failures) > 0 }

func (t Tracking) String() string {
	var b strings.Builder
	if t.Source == PresenceAccount {
		fmt.Fprintf(&b, "presence account %q (NB-4)", t.Account)
	} else if len(t.Failures) > 0 {
		b.WriteString("federation, fallen back (NB-6)")
	} else {
		b.WriteString("federation, no presence accounts (NB-3)")
	}
	for _, f := range t.Failures {
		b.WriteString("\n  failed: " + f.Error())
	}
	return b.String()
}

// Tracking signs the presence accounts in, in order, and returns the first
// that works; with none, federation.
func (m *Model) Tracking() Tracking {
	var t Tracking
	for _, a := range m.accounts {
		if err := a.check(m.trustedOnly, m.from(a)); err != nil {
			t.Failures = append(t.Failures, err)
			continue
		}
		t.Source, t.Account = PresenceAccount, a.Name
		return t
	}
	return t
}

// Reading is what Nimbus read of an agent and through which source.
type Reading struct {
	P        presence.Presence
	Tracking Tracking
}

// Read reads an agent's presence through the current source: through a
// presence account the newest presence Graph gave Nimbus, from the agent's
// subscription or a read (NB-4, C-8); otherwise federation.
func (m *Model) Read(u teams.UserID) Reading {
	t := m.Tracking()
	r := Reading{Tracking: t}
	if t.Source == PresenceAccount && m.set.AccountView == InternalView {
		gp, ok := m.rd.Current(u)
		if !ok {
			gp, ok = m.rd.Fresh(u)
		}
		if r.P = presence.Unknown; ok {
			r.P = gp.Presence
		}
	} else {
		r.P, _ = m.fed.Federated(u)
	}
	if f := t.Fallback(); f != m.failing {
		m.failing = f
		if f {
			m.stats.Fallbacks++
		}
	}
	return r
}
