package nimbus

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Config is one way of running Nimbus over the same day: where presence is
// read from and which distribution setting the service uses.
type Config struct {
	Name   string
	Source Source
	Dist   Distribution
}

// Configurations are the four combinations seed 003 weighs against each
// other: federation or presence accounts, Busy distributed or not.
var Configurations = []Config{
	{"federation, Busy distributed", Federation, BusyDistributed},
	{"federation, Busy not distributed", Federation, AvailableOnly},
	{"presence accounts, Busy distributed", PresenceAccount, BusyDistributed},
	{"presence accounts, Busy not distributed", PresenceAccount, AvailableOnly},
}

// ParseConfig finds a configuration by name; "and" may stand for the comma.
func ParseConfig(s string) (Config, error) {
	k := strings.Join(strings.Fields(strings.ReplaceAll(strings.ToLower(s), ",", " ")), " ")
	k = strings.ReplaceAll(k, " and ", " ")
	names := make([]string, len(Configurations))
	for i, c := range Configurations {
		names[i] = c.Name
		n := strings.Join(strings.Fields(strings.ReplaceAll(strings.ToLower(c.Name), ",", " ")), " ")
		if k == n {
			return c, nil
		}
	}
	return Config{}, fmt.Errorf("unknown configuration %q; valid: %s", s, strings.Join(names, "; "))
}

// DayConfig describes a working day in a contact centre. Every draw comes
// from the seed, so a day is the same for every configuration it runs under.
type DayConfig struct {
	Seed   uint64
	Agents int
	Calls  int
	// Open and Close bound the arrivals (day 1).
	Open, Close clock.Time
	// MeanHandle is the mean talk time of a Nimbus call (exponential).
	MeanHandle time.Duration
	// Meetings, DirectCalls and ManualBusy are the most calendar meetings,
	// direct Teams calls outside Nimbus, and periods of Busy set by hand an
	// agent has in the day; each agent draws 0..n.
	Meetings, DirectCalls, ManualBusy int
	// MeanDirect is the mean length of a direct call.
	MeanDirect time.Duration
	// NoAnswer is the chance an agent lets a call ring out although free.
	NoAnswer float64
	// TenantChange, when not zero, is when a change in the tenant drops the
	// presence accounts' guests, so Nimbus falls back to federation (NB-6).
	TenantChange clock.Time
	// Adjust, when set, changes the Nimbus settings of every run (tests use
	// it to break the router on purpose).
	Adjust func(*Settings)
}

// DefaultDay is a day of 50 agents and 2,000 calls from 08:00 to 17:00.
func DefaultDay(seed uint64) DayConfig {
	return DayConfig{
		Seed: seed, Agents: 50, Calls: 2000,
		Open: clock.At(1, 8, 0), Close: clock.At(1, 17, 0),
		MeanHandle: 7 * time.Minute, MeanDirect: 5 * time.Minute,
		Meetings: 3, DirectCalls: 8, ManualBusy: 2, NoAnswer: 0.02,
	}
}

func (c DayConfig) check() error {
	switch {
	case c.Agents < 1 || c.Agents > 10000:
		return fmt.Errorf("agents must be 1..10000, got %d", c.Agents)
	case c.Calls < 0 || c.Calls > 1000000:
		return fmt.Errorf("calls must be 0..1000000, got %d", c.Calls)
	case c.Close <= c.Open:
		return fmt.Errorf("the day must close after it opens (%s..%s)", c.Open, c.Close)
	case c.MeanHandle <= 0 || c.MeanDirect <= 0:
		return fmt.Errorf("mean talk times must be positive")
	case c.Meetings < 0 || c.DirectCalls < 0 || c.ManualBusy < 0:
		return fmt.Errorf("meetings, direct calls and manual Busy periods cannot be negative")
	case c.NoAnswer < 0 || c.NoAnswer > 1:
		return fmt.Errorf("the no-answer chance must be 0..1, got %g", c.NoAnswer)
	case c.TenantChange < 0 || c.TenantChange >= clock.At(2, 0, 0):
		return fmt.Errorf("the tenant change must fall on the simulated day, got %s", c.TenantChange)
	}
	return nil
}

// Result is one configuration's outcome.
type Result struct {
	Config  Config
	Stats   Stats
	Events  uint64
	Mean    time.Duration
	P90     time.Duration
	Max     time.Duration
	Service string
}

// DayReport holds every configuration's result for one day.
type DayReport struct {
	Day     DayConfig
	Results []Result
}

// Result returns the named configuration's result.
func (r DayReport) Result(name string) (Result, error) {
	c, err := ParseConfig(name)
	if err != nil {
		return Result{}, err
	}
	for _, x := range r.Results {
		if x.Config.Name == c.Name {
			return x, nil
		}
	}
	return Result{}, fmt.Errorf("configuration %q was not run", c.Name)
}

// Events counts the events of every run.
func (r DayReport) Events() uint64 {
	var n uint64
	for _, x := range r.Results {
		n += x.Events
	}
	return n
}

// RunDay runs the day under every configuration.
func RunDay(d DayConfig) (DayReport, error) {
	rep := DayReport{Day: d}
	for _, c := range Configurations {
		r, err := RunConfig(d, c)
		if err != nil {
			return rep, err
		}
		rep.Results = append(rep.Results, r)
	}
	return rep, nil
}

// WriteText prints the report as a table.
func (r DayReport) WriteText(w io.Writer) error {
	d := r.Day
	fmt.Fprintf(w, "Luware Nimbus contact-centre day: seed %d, %d agents, %d calls from %s to %s, one team-based service\n", d.Seed, d.Agents, d.Calls, d.Open, d.Close)
	fmt.Fprintf(w, "each agent: up to %d meetings, %d direct Teams calls outside Nimbus, %d periods of Busy set by hand; mean talk %s\n", d.Meetings, d.DirectCalls, d.ManualBusy, d.MeanHandle)
	if d.TenantChange > 0 {
		fmt.Fprintf(w, "at %s a change in the tenant drops the presence accounts: Nimbus falls back to federation (NB-6)\n", d.TenantChange)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "configuration\toffers\toffers to agents in a call\tnot distributable\tanswered\tRONA\tabandoned\twait mean\twait p90\twait max")
	for _, x := range r.Results {
		s := x.Stats
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", x.Config.Name, s.Offers, s.OffersInCall, s.NotDistributable, s.Answered, s.RONA, s.Abandoned,
			x.Mean.Round(time.Second), x.P90.Round(time.Second), x.Max.Round(time.Second))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\noffers to agents in a call: the agent was already in a Teams call when Nimbus rang (NB-3); not distributable: nobody eligible when the call arrived (NB-1, NB-2).")
	return err
}

// day plays the seeded plan of a working day into a world.
type day struct {
	cfg    DayConfig
	w      *sim.World
	people People // what the agents do
	m      *Model
	svc    *Service
	agents []teams.UserID
	far    teams.UserID
	act    *rand.Rand // agents' reactions to offers
	direct []teams.CallID
	inDir  []bool
	talk   []time.Duration // talk time per call, drawn with the plan
}

const (
	dayArrive int32 = iota + 1
	daySignIn
	daySignOut
	dayLock
	dayUnlock
	dayBusy
	dayDirectStart
	dayDirectEnd
	dayAnswer
	dayHangUp
	dayTenantChange
)

// RunConfig runs the day under one configuration.
func RunConfig(d DayConfig, c Config) (Result, error) {
	if err := d.check(); err != nil {
		return Result{}, err
	}
	set := teams.DefaultSettings()
	// Agents work at their desks all day; breaks lock the computer, so the
	// idle timer never decides.
	set.IdleTimeout = 24 * time.Hour
	w, err := sim.New(d.Seed, set)
	if err != nil {
		return Result{}, err
	}
	w.Trace.SetRecording(false)
	m := Of(w)
	ns := m.Settings()
	ns.MaxWait = 10 * time.Minute
	if d.Adjust != nil {
		d.Adjust(&ns)
	}
	if err := m.SetSettings(ns); err != nil {
		return Result{}, err
	}
	svc, err := m.AddService("Hotline", TeamBased, c.Dist)
	if err != nil {
		return Result{}, err
	}
	if c.Source == PresenceAccount {
		for _, n := range []string{"nimbus.presence1", "nimbus.presence2"} {
			if _, err := m.AddAccount(n); err != nil {
				return Result{}, err
			}
		}
	}
	far, err := m.farEnd()
	if err != nil {
		return Result{}, err
	}
	dy := &day{cfg: d, w: w, people: w.Teams, m: m, svc: svc, far: far, act: w.Stream("nimbus.agents")}
	if err := dy.plan(w.Stream("nimbus.day")); err != nil {
		return Result{}, err
	}
	m.SetOfferListener(dy)
	if err := w.Clock.RunUntil(clock.At(2, 0, 0)); err != nil {
		return Result{}, err
	}
	r := Result{Config: c, Stats: m.Stats(), Events: w.Clock.Fired(), Service: svc.Name}
	r.Mean, r.P90, r.Max = waitFigures(r.Stats.Waits)
	return r, nil
}

func waitFigures(ws []time.Duration) (mean, p90, max time.Duration) {
	if len(ws) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ws)
	slices.Sort(s)
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	return sum / time.Duration(len(s)), s[(len(s)*9+9)/10-1], s[len(s)-1]
}

// between draws a time in [a, b).
func between(r *rand.Rand, a, b clock.Time) clock.Time {
	return a + clock.Time(r.Int64N(int64(b-a)))
}

func expo(r *rand.Rand, mean, least time.Duration) time.Duration {
	d := time.Duration(r.ExpFloat64() * float64(mean))
	if d < least {
		d = least
	}
	return d.Round(time.Second)
}

func (dy *day) at(t clock.Time, op, a, b int32) {
	dy.w.Clock.Schedule(t, dy, clock.Event{Op: op, A: a, B: b, Label: "contact-centre day"})
}

// plan draws the whole day from the plan stream before anything runs, so
// every configuration replays the same day.
func (dy *day) plan(r *rand.Rand) error {
	d := dy.cfg
	for i := range d.Agents {
		u, err := dy.w.AddUser(fmt.Sprintf("agent%03d", i+1), "")
		if err != nil {
			return err
		}
		dy.agents = append(dy.agents, u)
		dy.m.AddMember(dy.svc, u)
		ai := int32(i)
		dy.at(between(r, clock.At(1, 7, 30), clock.At(1, 8, 10)), daySignIn, ai, 0)
		dy.at(between(r, clock.At(1, 17, 15), clock.At(1, 17, 45)), daySignOut, ai, 0)
		lunch := between(r, clock.At(1, 11, 30), clock.At(1, 13, 30))
		dy.at(lunch, dayLock, ai, 0)
		dy.at(lunch.Add(30*time.Minute+time.Duration(r.IntN(31))*time.Minute), dayUnlock, ai, 0)
		for range r.IntN(d.Meetings + 1) {
			start := clock.At(1, 8, 0).Add(time.Duration(r.IntN(32)) * 15 * time.Minute)
			end := start.Add(time.Duration(1+r.IntN(2)) * 30 * time.Minute)
			if _, err := dy.people.AddAppointment(u, "meeting", start, end, teams.ShowBusy); err != nil {
				return err
			}
		}
		for range r.IntN(d.ManualBusy + 1) {
			dy.at(between(r, d.Open, d.Close), dayBusy, ai, int32(10+r.IntN(31)))
		}
		for range r.IntN(d.DirectCalls + 1) {
			k := int32(len(dy.direct))
			dy.direct = append(dy.direct, 0)
			dy.inDir = append(dy.inDir, false)
			start := between(r, d.Open, d.Close)
			dy.at(start, dayDirectStart, ai, k)
			dy.at(start.Add(expo(r, d.MeanDirect, 30*time.Second)), dayDirectEnd, ai, k)
		}
	}
	arrivals := make([]clock.Time, d.Calls)
	for i := range arrivals {
		arrivals[i] = between(r, d.Open, d.Close)
	}
	slices.Sort(arrivals)
	if d.TenantChange > 0 {
		dy.at(d.TenantChange, dayTenantChange, 0, 0)
	}
	dy.talk = make([]time.Duration, d.Calls)
	for i, t := range arrivals {
		dy.talk[i] = expo(r, d.MeanHandle, 20*time.Second)
		dy.at(t, dayArrive, int32(i), 0)
	}
	return nil
}

// Fire plays one planned event. Agent actions that the state of the world
// makes impossible (locking a signed-out client) are skipped, as a person
// would skip them.
func (dy *day) Fire(now clock.Time, ev clock.Event) {
	tm := dy.people
	switch ev.Op {
	case dayArrive:
		dy.m.Arrive(dy.svc)
	case daySignIn:
		_ = tm.SignIn(dy.agents[ev.A], teams.Desktop)
	case daySignOut:
		_ = tm.SignOut(dy.agents[ev.A], teams.Desktop)
	case dayLock:
		_ = tm.Lock(dy.agents[ev.A], teams.Desktop)
	case dayUnlock:
		_ = tm.Unlock(dy.agents[ev.A], teams.Desktop)
	case dayBusy:
		_ = tm.SetPreferred(dy.agents[ev.A], presence.Of(presence.Busy, presence.ActBusy), time.Duration(ev.B)*time.Minute, teams.ViaClient)
	case dayDirectStart:
		if id, err := tm.StartCall(dy.agents[ev.A], dy.far); err == nil {
			dy.direct[ev.B], dy.inDir[ev.B] = id, true
		}
	case dayDirectEnd:
		if dy.inDir[ev.B] {
			_ = tm.EndCall(dy.direct[ev.B])
			dy.inDir[ev.B] = false
		}
	case dayAnswer:
		u := dy.agents[ev.B]
		if c, ok := dy.m.Ringing(u); ok && c.ID == CallID(ev.A) {
			if dy.m.Accept(u) == nil {
				dy.at(now.Add(dy.talk[ev.A]), dayHangUp, ev.B, ev.A)
			}
		}
	case dayHangUp:
		_ = dy.m.HangUp(dy.agents[ev.A])
	case dayTenantChange:
		dy.m.ChangeTenant()
	}
}

// Offered is an agent's reaction to a ringing call: one already in a Teams
// call does not pick up; one who is free picks up after a few seconds,
// unless they let it ring out.
func (dy *day) Offered(now clock.Time, c CallID, u teams.UserID) {
	if dy.people.InCall(u) || dy.act.Float64() < dy.cfg.NoAnswer {
		return
	}
	i := slices.Index(dy.agents, u)
	dy.at(now.Add(time.Duration(2+dy.act.IntN(11))*time.Second), dayAnswer, int32(c), int32(i))
}
