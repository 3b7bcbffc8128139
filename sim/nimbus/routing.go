package nimbus

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/follow"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Verdict is whether an agent may be offered a call of a service now, and
// why.
type Verdict struct {
	Agent    string
	Eligible bool
	Rule     string
	Reason   string
	Reading  Reading
	// Read is false when an earlier check decided and presence was not read.
	Read bool
}

func (v Verdict) String() string {
	s := "not eligible"
	if v.Eligible {
		s = "eligible"
	}
	out := fmt.Sprintf("%s: %s (%s): %s", v.Agent, s, v.Rule, v.Reason)
	if v.Read {
		out += fmt.Sprintf("; read %s through %s", v.Reading.P.Short(), v.Reading.Tracking.Source)
	}
	return out
}

// gate is one of the Nimbus-side checks before presence is read. They are
// data so that explanations name the rule of the check that decided.
type gate struct {
	rule   string
	reason string
	pass   func(m *Model, s *Service, a *agent) bool
}

var gates = []gate{
	{"NB-1", "not responsible for the service (team, skills or duty profile)", (*Model).responsible},
	{"NB-8", "Active toggle off in the service", func(_ *Model, s *Service, a *agent) bool { return indexOf(s.inactive, a.user) < 0 }},
	{"NB-8", "busy with a Nimbus call (ringing, connected or after-call work)", func(_ *Model, _ *Service, a *agent) bool { return a.state == Free }},
	{"NB-9", "in RONA", func(_ *Model, _ *Service, a *agent) bool { return !a.rona }},
}

func (m *Model) responsible(s *Service, a *agent) bool {
	switch s.Assignment {
	case TeamBased:
		return indexOf(s.Team, a.user) >= 0
	case SkillBased:
		if a.offDuty {
			return false
		}
		for _, k := range s.Skills {
			if !hasSkill(a.skills, k) {
				return false
			}
		}
		return true
	}
	return false
}

func hasSkill(list []string, k string) bool {
	for _, x := range list {
		if strings.EqualFold(x, k) {
			return true
		}
	}
	return false
}

// verdict decides whether the agent may be offered a call of s now (NB-1,
// NB-2, NB-4, NB-8, NB-9). Reasons are written only when explain is set, so
// routing allocates nothing per candidate.
func (m *Model) verdict(s *Service, a *agent, explain bool) Verdict {
	var v Verdict
	if explain {
		v.Agent = a.name
	}
	for _, g := range gates {
		if !g.pass(m, s, a) {
			v.Rule, v.Reason = g.rule, g.reason
			return v
		}
	}
	v.Read, v.Reading = true, m.Read(a.user)
	p := v.Reading.P
	for _, b := range BlockingActivities {
		if p.Activity == b.Activity {
			v.Rule = b.Rule
			if explain {
				v.Reason = "in a call (" + p.Short() + "): never distributed"
			}
			return v
		}
	}
	ok, col, rule := s.Dist.Allows(p.Availability)
	v.Eligible, v.Rule = ok, rule
	if !explain {
		return v
	}
	v.Reason = fmt.Sprintf("%q is %s", col, DecisionWords(ok))
	if v.Reading.Tracking.Source == Federation && ok && col == ColBusy {
		v.Rule += ", NB-3"
		v.Reason += "; federation shows no activity, so a call may be under way"
	}
	return v
}

// Verdict explains whether the user may be offered a call of s now. A user
// Nimbus did not know yet becomes an agent responsible for nothing, so the
// verdict names NB-1.
func (m *Model) Verdict(s *Service, u teams.UserID) Verdict {
	return m.verdict(s, m.agentFor(u), true)
}

// Verdicts explains every agent for s, in order of the agents' names.
func (m *Model) Verdicts(s *Service) []Verdict {
	out := make([]Verdict, 0, len(m.agents))
	for _, a := range m.byName() {
		out = append(out, m.verdict(s, a, true))
	}
	return out
}

func (m *Model) byName() []*agent {
	out := append([]*agent(nil), m.agents...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].name < out[j-1].name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Explain prints every agent's verdict and the tracking state, for failure
// messages.
func (m *Model) Explain(s *Service) string {
	var b strings.Builder
	fmt.Fprintf(&b, "service %q, Conversations Distribution: %s\npresence read through: %s\n", s.Name, s.Dist, m.Tracking())
	graphRead := m.Tracking().Source == PresenceAccount && m.set.AccountView == InternalView
	for _, a := range m.byName() {
		b.WriteString("  " + m.verdict(s, a, true).String() + "\n")
		if graphRead {
			b.WriteString("    Graph: " + m.rd.Describe(a.user) + "\n")
		}
	}
	if len(s.queue) > 0 {
		fmt.Fprintf(&b, "  %d call(s) waiting\n", len(s.queue))
	}
	return b.String()
}

// pick returns the eligible agent idle longest, ties by name (NB-7).
func (m *Model) pick(s *Service) *agent {
	var best *agent
	for _, a := range m.agents {
		if a.state != Free || a.rona {
			continue // cheap gates first; verdict repeats them for explanations
		}
		if best != nil && (a.idleSince > best.idleSince || a.idleSince == best.idleSince && a.name > best.name) {
			continue
		}
		if m.verdict(s, a, false).Eligible {
			best = a
		}
	}
	return best
}

// Arrive puts a new call into the service's queue and distributes.
func (m *Model) Arrive(s *Service) CallID {
	c := &Call{ID: CallID(len(m.calls)), Service: s.ID, Arrived: m.clk.Now(), Agent: -1}
	m.calls = append(m.calls, c)
	m.stats.Calls++
	if m.pick(s) == nil {
		c.NoAgent = true
		m.stats.NotDistributable++
	}
	s.queue = append(s.queue, c.ID)
	if s.MaxWait > 0 {
		c.abandon = m.clk.Schedule(c.Arrived.Add(s.MaxWait), m, clock.Event{Op: opAbandon, A: int32(c.ID), Label: "caller gives up waiting"})
	}
	m.dispatch()
	return c.ID
}

// Call returns a call.
func (m *Model) Call(id CallID) (*Call, error) {
	if id < 0 || int(id) >= len(m.calls) {
		return nil, fmt.Errorf("no Nimbus call #%d", id)
	}
	return m.calls[id], nil
}

// NumCalls is the number of calls that have arrived.
func (m *Model) NumCalls() int { return len(m.calls) }

// LastCall returns the most recent call.
func (m *Model) LastCall() (*Call, error) {
	if len(m.calls) == 0 {
		return nil, fmt.Errorf("no call has arrived at Nimbus yet")
	}
	return m.calls[len(m.calls)-1], nil
}

// dispatch offers waiting calls to eligible agents, service by service, first
// in line first.
func (m *Model) dispatch() {
	for _, s := range m.services {
		for len(s.queue) > 0 {
			a := m.pick(s)
			if a == nil {
				break
			}
			id := s.queue[0]
			s.queue = s.queue[1:]
			m.offer(m.calls[id], a)
		}
	}
}

func (m *Model) offer(c *Call, a *agent) {
	s := m.services[c.Service]
	c.State, c.Agent = Ringing, a.user
	c.Offers++
	m.stats.Offers++
	if m.people.InCall(a.user) {
		c.OffersInCall++
		m.stats.OffersInCall++
	}
	a.state, a.call = Reserved, c.ID
	c.ring = m.clk.Schedule(m.clk.Now().Add(s.RingTime), m, clock.Event{Op: opRing, A: int32(c.ID), Label: "ring time over: RONA (NB-9)"})
	if m.onOffer != nil {
		m.onOffer.Offered(m.clk.Now(), c.ID, a.user)
	}
}

// Ringing returns the call ringing at the agent, if any.
func (m *Model) Ringing(u teams.UserID) (*Call, bool) {
	a, err := m.agent(u)
	if err != nil || a.state != Reserved {
		return nil, false
	}
	return m.calls[a.call], true
}

// Accept answers the call ringing at the agent: Teams connects the caller's
// line and the agent, which makes the agent Busy/InACall (T-CALL-1).
func (m *Model) Accept(u teams.UserID) error {
	a, c, err := m.ringingAt(u)
	if err != nil {
		return err
	}
	s := m.services[c.Service]
	tc, err := m.people.StartCall(s.line, u)
	if err != nil {
		return err
	}
	m.clk.Cancel(c.ring)
	m.clk.Cancel(c.abandon)
	c.State, c.Answered, c.teamsCall = Connected, m.clk.Now(), tc
	a.state = OnCall
	m.stats.Answered++
	m.stats.Waits = append(m.stats.Waits, c.Answered.Sub(c.Arrived))
	return nil
}

func (m *Model) ringingAt(u teams.UserID) (*agent, *Call, error) {
	a, err := m.agent(u)
	if err != nil {
		return nil, nil, err
	}
	if a.state != Reserved {
		return nil, nil, fmt.Errorf("no Nimbus call is ringing at %s (%s)", a.name, a.state)
	}
	return a, m.calls[a.call], nil
}

// Decline turns the ringing call down: the agent goes into RONA and the call
// returns to the head of the queue (NB-9).
func (m *Model) Decline(u teams.UserID) error {
	a, c, err := m.ringingAt(u)
	if err != nil {
		return err
	}
	m.clk.Cancel(c.ring)
	m.redirect(a, c)
	return nil
}

// redirect is RONA: the agent is not selectable until the reset time passes,
// and the call goes back to the head of its queue.
func (m *Model) redirect(a *agent, c *Call) {
	s := m.services[c.Service]
	a.state = Free
	a.rona = true
	m.stats.RONA++
	m.clk.Cancel(a.ronaTimer)
	a.ronaTimer = m.clk.Schedule(m.clk.Now().Add(s.RONAReset), m, clock.Event{Op: opRONAReset, A: m.agentOf[a.user], Label: "RONA reset time over (NB-9)"})
	c.State, c.Agent = Queued, -1
	s.queue = append([]CallID{c.ID}, s.queue...)
	m.dispatch()
}

// InRONA reports whether the agent is in RONA.
func (m *Model) InRONA(u teams.UserID) bool {
	a, err := m.agent(u)
	return err == nil && a.rona
}

// ResetRONA is the agent resetting RONA by hand (NB-9).
func (m *Model) ResetRONA(u teams.UserID) error {
	a, err := m.agent(u)
	if err != nil {
		return err
	}
	if !a.rona {
		return fmt.Errorf("%s is not in RONA", a.name)
	}
	m.clearRONA(a)
	m.dispatch()
	return nil
}

func (m *Model) clearRONA(a *agent) {
	m.clk.Cancel(a.ronaTimer)
	a.rona = false
}

// HangUp ends the agent's Nimbus call; after-call work follows (NB-8).
func (m *Model) HangUp(u teams.UserID) error {
	a, err := m.agent(u)
	if err != nil {
		return err
	}
	if a.state != OnCall {
		return fmt.Errorf("%s has no connected Nimbus call (%s)", a.name, a.state)
	}
	c := m.calls[a.call]
	c.State = Ended
	if err := m.people.EndCall(c.teamsCall); err != nil {
		return err
	}
	s := m.services[c.Service]
	if s.ACW > 0 {
		a.state = WrapUp
		a.acwTimer = m.clk.Schedule(m.clk.Now().Add(s.ACW), m, clock.Event{Op: opACWEnd, A: m.agentOf[u], Label: "after-call work ends (NB-8)"})
		return nil
	}
	m.free(a)
	return nil
}

func (m *Model) free(a *agent) {
	a.state, a.idleSince = Free, m.clk.Now()
	m.dispatch()
}

// State returns the agent's Nimbus state.
func (m *Model) State(u teams.UserID) (AgentState, error) {
	a, err := m.agent(u)
	if err != nil {
		return 0, err
	}
	return a.state, nil
}

// DialOut starts an outbound call from the agent: it rings at the far end,
// and Teams presence does not change until it is established, so the agent
// stays selectable (NB-10).
func (m *Model) DialOut(u teams.UserID) error {
	a, err := m.agent(u)
	if err != nil {
		return err
	}
	a.dialling++
	return nil
}

// Dialling reports how many outbound calls of the agent are not yet
// established.
func (m *Model) Dialling(u teams.UserID) int {
	a, err := m.agent(u)
	if err != nil {
		return 0
	}
	return a.dialling
}

// Established connects the agent's outbound call: a Teams call with the far
// end, so the agent becomes Busy/InACall (T-CALL-1).
func (m *Model) Established(u teams.UserID) (teams.CallID, error) {
	a, err := m.agent(u)
	if err != nil {
		return 0, err
	}
	if a.dialling == 0 {
		return 0, fmt.Errorf("%s is not dialling out", a.name)
	}
	far, err := m.farEnd()
	if err != nil {
		return 0, err
	}
	tc, err := m.people.StartCall(u, far)
	if err != nil {
		return 0, err
	}
	a.dialling--
	return tc, nil
}

// farEnd is the stand-in for people outside Teams (the PSTN).
func (m *Model) farEnd() (teams.UserID, error) {
	if !m.hasPSTN {
		id, err := m.ten.AddUser("pstn.caller", "pstn")
		if err != nil {
			return 0, err
		}
		m.pstn, m.hasPSTN = id, true
	}
	return m.pstn, nil
}

// Event ops.
const (
	opRing int32 = iota + 1
	opACWEnd
	opRONAReset
	opAbandon
)

// Fire handles the model's timers.
func (m *Model) Fire(now clock.Time, ev clock.Event) {
	switch ev.Op {
	case opRing:
		c := m.calls[ev.A]
		if c.State == Ringing {
			m.redirect(m.agents[m.agentOf[c.Agent]], c)
		}
	case opACWEnd:
		if a := m.agents[ev.A]; a.state == WrapUp {
			m.free(a)
		}
	case opRONAReset:
		m.agents[ev.A].rona = false
		m.dispatch()
	case opAbandon:
		m.abandon(m.calls[ev.A])
	}
}

func (m *Model) abandon(c *Call) {
	s := m.services[c.Service]
	switch c.State {
	case Queued:
		for i, id := range s.queue {
			if id == c.ID {
				s.queue = append(s.queue[:i], s.queue[i+1:]...)
				break
			}
		}
	case Ringing:
		m.clk.Cancel(c.ring)
		a := m.agents[m.agentOf[c.Agent]]
		a.state = Free
		c.Agent = -1
	default:
		return
	}
	c.State = Abandoned
	m.stats.Abandoned++
	m.dispatch()
}

// Seen is Graph telling Nimbus of an agent's newer presence (follow.Handler):
// an agent going Offline leaves RONA (NB-9), and waiting calls are
// distributed again.
func (m *Model) Seen(_ clock.Time, gp graph.Presence, _ follow.Origin) {
	i, ok := m.agentOf[gp.User]
	if !ok {
		return
	}
	if a := m.agents[i]; a.rona && gp.Presence.Availability == presence.Offline {
		m.clearRONA(a)
	}
	m.dispatch()
}
