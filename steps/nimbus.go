package steps

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/sim/nimbus"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

func init() { register("Luware Nimbus", 90, registerNimbus) }

type nimbusTuneKey struct{}

// WithNimbusSettings returns a context under which scenarios adjust the
// Nimbus settings with tune (the model's and the simulated day's); tests use
// it to run the features against a router broken on purpose.
func WithNimbusSettings(ctx context.Context, tune func(*nimbus.Settings)) context.Context {
	return context.WithValue(ctx, nimbusTuneKey{}, tune)
}

type nbState struct {
	m    *nimbus.Model
	tune func(*nimbus.Settings)
	day  *nimbus.DayReport
	// dayAgain is the text of the simulated day run a second time.
	dayText, dayAgain string
}

func (s *Scenario) nb() (*nbState, error) {
	st := Ext(s, "nimbus", func() *nbState { return &nbState{} })
	if st.m == nil {
		m := nimbus.Of(s.world)
		set := m.Settings()
		if st.tune != nil {
			st.tune(&set)
		}
		if err := m.SetSettings(set); err != nil {
			return nil, err
		}
		st.m = m
	}
	return st, nil
}

const nbService = `"([^"]+)"`

func registerNimbus(s *Scenario, r *registry) {
	if r.sc != nil {
		r.sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
			if tune, ok := ctx.Value(nimbusTuneKey{}).(func(*nimbus.Settings)); ok {
				Ext(s, "nimbus", func() *nbState { return &nbState{} }).tune = tune
			}
			return ctx, nil
		})
	}
	// configuration
	r.step(`^a Nimbus service `+nbService+` with the agents? (.+)$`, `a Nimbus service "Support" with the agents alice and bob`, s.nbTeamService)
	r.step(`^a skill-based Nimbus service `+nbService+` requiring (.+)$`, `a skill-based Nimbus service "Billing" requiring German and invoices`, s.nbSkillService)
	r.step(`^(\w+) has the Nimbus skills? (.+)$`, "alice has the Nimbus skills German and invoices", s.nbSkills)
	r.step(`^(\w+) switches to (?:an? )?(On|Off) Duty profile$`, "alice switches to an Off Duty profile", s.nbDuty)
	r.step(`^the Conversations Distribution of `+nbService+` is:$`, "the Conversations Distribution of \"Support\" is:", s.nbDistribution)
	r.step(`^the Conversations Distribution of `+nbService+` sets "([^"]+)" to "([^"]+)"$`, `the Conversations Distribution of "Support" sets "Busy *" to "Distributed to the user"`, s.nbDistributionLine)
	r.step(`^the service `+nbService+` has (?:a|an) (ring time|after-call work|RONA reset time|maximum wait) of (.+)$`, `the service "Support" has a RONA reset time of 10 minutes`, s.nbTiming)
	r.step(`^the service `+nbService+` refuses a RONA reset time of (.+)$`, `the service "Support" refuses a RONA reset time of 5 seconds`, s.nbRefusesRONA)
	r.step(`^Nimbus has the presence accounts? (.+)$`, `Nimbus has the presence accounts "pa1" and "pa2"`, s.nbAccounts)
	r.step(`^Nimbus refuses a third presence account "([^"]+)"$`, `Nimbus refuses a third presence account "pa3"`, s.nbThirdAccount)
	r.step(`^the presence account "([^"]+)" has MFA (enabled|disabled)$`, `the presence account "pa1" has MFA enabled`, s.nbMFA)
	r.step(`^the presence account "([^"]+)" (lacks|is granted) the delegated permission (\S+)$`, `the presence account "pa1" lacks the delegated permission Presence.Read.All`, s.nbPermission)
	r.step(`^the presence account "([^"]+)" holds (\S+) only as an application permission$`, `the presence account "pa1" holds Presence.Read.All only as an application permission`, s.nbApplicationOnly)
	r.step(`^the tenant changes and no longer has the Nimbus guests$`, "the tenant changes and no longer has the Nimbus guests", s.nbTenantChange)
	r.step(`^the presence account "([^"]+)" is invited to the tenant again$`, `the presence account "pa1" is invited to the tenant again`, s.nbReinvite)

	// what agents and callers do
	r.step(`^(\w+) is "([^"]+)" in Teams$`, `bob is "Busy *" in Teams`, s.nbTeamsState)
	r.step(`^a call arrives (?:at|for) `+nbService+`$`, `a call arrives at "Support"`, s.nbArrive)
	r.step(`^(\d+) calls arrive (?:at|for) `+nbService+`$`, `2 calls arrive at "Support"`, s.nbArriveMany)
	r.step(`^(\w+) (accepts|declines) the Nimbus call$`, "bob accepts the Nimbus call", s.nbAnswer)
	r.step(`^(\w+) lets the Nimbus call ring out$`, "bob lets the Nimbus call ring out", s.nbRingOut)
	r.step(`^(\w+) ends the Nimbus call$`, "bob ends the Nimbus call", s.nbHangUp)
	r.step(`^(\w+) turns `+pron+` Active toggle in `+nbService+` (on|off)$`, `bob turns his Active toggle in "Support" off`, s.nbActive)
	r.step(`^(\w+) resets `+pron+` RONA state$`, "bob resets his RONA state", s.nbResetRONA)
	r.step(`^(\w+) dials out from Teams$`, "bob dials out from Teams", s.nbDialOut)
	r.step(`^(\w+)'s outbound call is established$`, "bob's outbound call is established", s.nbEstablished)

	// what Nimbus decides
	r.step(`^for (\w+) a call (?:at|for|in) `+nbService+` is (Distributed to the user|NOT distributed to the user)$`, `for bob a call in "Support" is NOT distributed to the user`, s.nbDecision)
	r.step(`^(\w+) is (eligible|not eligible) for `+nbService+`(?: by (NB-\d+))?$`, `bob is not eligible for "Support" by NB-4`, s.nbEligible)
	r.step(`^Nimbus offers the `+nbOrdinal+`call to (\w+)$`, "Nimbus offers the second call to bob", s.nbOffered)
	r.step(`^Nimbus offers the `+nbOrdinal+`call to no agent$`, "Nimbus offers the last call to no agent", s.nbOfferedNobody)
	r.step(`^Nimbus has offered (\d+) calls?$`, "Nimbus has offered 3 calls", s.nbOfferedCount)
	r.step(`^the tenant requires MFA except from trusted locations$`, "the tenant requires MFA except from trusted locations", s.nbConditionalAccess)
	r.step(`^the presence account "([^"]+)" signs in from (a Microsoft Azure data centre|an address outside the trusted locations)$`, `the presence account "pa1" signs in from a Microsoft Azure data centre`, s.nbSignInFrom)
	r.step(`^(\w+) (?:is already|is still) in a Teams call$`, "bob is already in a Teams call", s.nbInCall)
	r.step(`^(\w+) is (in|out of) RONA$`, "bob is in RONA", s.nbRONA)
	r.step(`^Nimbus reads (\w+) as (.+)$`, "Nimbus reads bob as Busy/InACall", s.nbReads)
	r.step(`^Nimbus reads presence through (federation|the presence account "[^"]+")$`, `Nimbus reads presence through the presence account "pa1"`, s.nbSource)
	r.step(`^Nimbus falls back to federation because (.+)$`, "Nimbus falls back to federation because AADSTS50076", s.nbFallback)

	// the contact-centre day
	r.step(`^a contact-centre day with (\d+) agents and (\d+) calls is simulated with seed (\d+)$`, "a contact-centre day with 50 agents and 2000 calls is simulated with seed 1", s.nbDay)
	r.step(`^with (.+?), (no|some) calls? (?:is|are) offered to agents already in a call$`, "with federation and Busy distributed, some calls are offered to agents already in a call", s.nbDayInCall)
	r.step(`^more calls find nobody to distribute to with (.+?) than with (.+)$`, "more calls find nobody to distribute to with federation and Busy not distributed than with presence accounts and Busy distributed", s.nbDayNobody)
	r.step(`^callers wait longer on average with (.+?) than with (.+)$`, "callers wait longer on average with federation and Busy not distributed than with presence accounts and Busy distributed", s.nbDayWait)
	r.step(`^fewer calls are offered to agents already in a call with (.+?) than with (.+)$`, "fewer calls are offered to agents already in a call with presence accounts and Busy distributed than with federation and Busy distributed", s.nbDayFewerInCall)
	r.step(`^the simulated day gives the same report when run again$`, "the simulated day gives the same report when run again", s.nbDayAgain)
}

// nbGet returns the Nimbus state and what get finds in its model.
func nbGet[T any](s *Scenario, get func(*nimbus.Model) (T, error)) (*nbState, T, error) {
	st, err := s.nb()
	if err != nil {
		var zero T
		return nil, zero, err
	}
	v, err := get(st.m)
	return st, v, err
}

func (s *Scenario) nbService(name string) (*nbState, *nimbus.Service, error) {
	return nbGet(s, func(m *nimbus.Model) (*nimbus.Service, error) { return m.Service(name) })
}

// nbOnUser runs fn on the Nimbus model and a user the scenario knows.
func (s *Scenario) nbOnUser(name string, fn func(*nimbus.Model, teams.UserID) error) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { return fn(st.m, id) })
}

// nbAddService adds a service that distributes to Available agents only
// until the scenario says otherwise.
func (s *Scenario) nbAddService(name string, a nimbus.Assignment) (*nbState, *nimbus.Service, error) {
	return nbGet(s, func(m *nimbus.Model) (*nimbus.Service, error) { return m.AddService(name, a, nimbus.AvailableOnly) })
}

func (s *Scenario) nbTeamService(name, list string) error {
	st, svc, err := s.nbAddService(name, nimbus.TeamBased)
	if err != nil {
		return err
	}
	for _, n := range splitNames(list) {
		id, err := s.user(n)
		if err != nil {
			return err
		}
		st.m.AddMember(svc, id)
	}
	return nil
}

func (s *Scenario) nbSkillService(name, list string) error {
	_, svc, err := s.nbAddService(name, nimbus.SkillBased)
	if err != nil {
		return err
	}
	svc.Skills = splitNames(list)
	return nil
}

func (s *Scenario) nbSkills(name, list string) error {
	return s.nbOnUser(name, func(m *nimbus.Model, id teams.UserID) error {
		m.SetSkills(id, splitNames(list)...)
		return nil
	})
}

func (s *Scenario) nbDuty(name, duty string) error {
	return s.nbOnUser(name, func(m *nimbus.Model, id teams.UserID) error {
		m.SetDuty(id, duty == "On")
		return nil
	})
}

// nbDistribution reads the setting as the seed lays it out: one line per
// presence group, its name and the decision in the document's words.
func (s *Scenario) nbDistribution(name string, t *godog.Table) error {
	st, svc, err := s.nbService(name)
	if err != nil {
		return err
	}
	var rows [][2]string
	for i, r := range t.Rows {
		if len(r.Cells) != 2 {
			return fmt.Errorf("row %d of the Conversations Distribution has %d cells; write | <presence> | <decision> |", i+1, len(r.Cells))
		}
		rows = append(rows, [2]string{r.Cells[0].Value, r.Cells[1].Value})
	}
	d, err := nimbus.ParseDistribution(rows)
	if err != nil {
		return err
	}
	st.m.SetDistribution(svc, d)
	return nil
}

func (s *Scenario) nbDistributionLine(name, col, decision string) error {
	st, svc, err := s.nbService(name)
	if err != nil {
		return err
	}
	c, err := nimbus.ParseColumn(col)
	if err != nil {
		return err
	}
	v, err := nimbus.ParseDecision(decision)
	if err != nil {
		return err
	}
	d := svc.Dist
	d[c] = v
	st.m.SetDistribution(svc, d)
	return nil
}

func (s *Scenario) nbTiming(name, what, dur string) error {
	_, svc, err := s.nbService(name)
	if err != nil {
		return err
	}
	d, err := ParseDuration(dur)
	if err != nil {
		return err
	}
	switch what {
	case "ring time":
		if d <= 0 {
			return fmt.Errorf("the ring time must be positive, got %s", dur)
		}
		svc.RingTime = d
	case "after-call work":
		svc.ACW = d
	case "RONA reset time":
		if err := nimbus.CheckRONAReset(d); err != nil {
			return err
		}
		svc.RONAReset = d
	case "maximum wait":
		svc.MaxWait = d
	}
	return nil
}

func (s *Scenario) nbRefusesRONA(name, dur string) error {
	if _, _, err := s.nbService(name); err != nil {
		return err
	}
	d, err := ParseDuration(dur)
	if err != nil {
		return err
	}
	err = nimbus.CheckRONAReset(d)
	return Check(nil, func(g gomegaG) {
		g.Expect(err).To(gomega.HaveOccurred(), "a RONA reset time of %s must be refused: the range is %s..%s (NB-9)", d, nimbus.MinRONAReset, nimbus.MaxRONAReset)
	})
}

var quoted = regexp.MustCompile(`"([^"]+)"`)

func quotedNames(list string) ([]string, error) {
	var out []string
	for _, m := range quoted.FindAllStringSubmatch(list, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("name the presence accounts in quotes, e.g. \"pa1\" and \"pa2\"; got %s", list)
	}
	return out, nil
}

func (s *Scenario) nbAccounts(list string) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	names, err := quotedNames(list)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := st.m.AddAccount(n); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scenario) nbThirdAccount(name string) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	before := len(st.m.Accounts())
	_, err = st.m.AddAccount(name)
	return Check(func() string { return st.m.Tracking().String() }, func(g gomegaG) {
		g.Expect(before).To(equal(nimbus.MaxAccounts), "the scenario must configure %d accounts before trying a third", nimbus.MaxAccounts)
		g.Expect(err).To(gomega.HaveOccurred(), "Nimbus holds at most %d presence accounts (NB-5)", nimbus.MaxAccounts)
	})
}

func (s *Scenario) nbAccount(name string) (*nbState, *nimbus.Account, error) {
	return nbGet(s, func(m *nimbus.Model) (*nimbus.Account, error) { return m.Account(name) })
}

func (s *Scenario) nbMFA(name, state string) error {
	st, a, err := s.nbAccount(name)
	if err != nil {
		return err
	}
	a.MFA = state == "enabled"
	st.m.AccountChanged()
	return nil
}

// nbChangePermission changes how a presence account holds a permission and
// tells Nimbus the account changed.
func (s *Scenario) nbChangePermission(name, perm string, change func(*nimbus.Account, nimbus.Permission)) error {
	st, a, err := s.nbAccount(name)
	if err != nil {
		return err
	}
	p, err := nimbus.ParsePermission(perm)
	if err != nil {
		return err
	}
	change(a, p)
	st.m.AccountChanged()
	return nil
}

func (s *Scenario) nbPermission(name, change, perm string) error {
	return s.nbChangePermission(name, perm, func(a *nimbus.Account, p nimbus.Permission) {
		if change == "lacks" {
			a.Revoke(p)
		} else {
			a.Grant(p)
		}
	})
}

func (s *Scenario) nbApplicationOnly(name, perm string) error {
	return s.nbChangePermission(name, perm, func(a *nimbus.Account, p nimbus.Permission) {
		a.Revoke(p)
		a.Grant(nimbus.Permission{Name: p.Name, Type: nimbus.Application})
	})
}

func (s *Scenario) nbTenantChange() error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	st.m.ChangeTenant()
	return nil
}

func (s *Scenario) nbReinvite(name string) error {
	st, a, err := s.nbAccount(name)
	if err != nil {
		return err
	}
	st.m.Reinvite(a)
	return nil
}

// nbTeamsState puts the agent into a line of the distribution setting the
// way a person does it in Teams: Available by resetting the status (signed
// in), Busy, Do not Disturb and Away by hand, Offline by signing out.
func (s *Scenario) nbTeamsState(name, word string) error {
	col, err := nimbus.ParseColumn(word)
	if err != nil {
		return err
	}
	tm := s.world.Teams
	return s.onUser(name, func(id teams.UserID) error {
		manual := map[nimbus.Column]presence.Presence{
			nimbus.ColBusy:         presence.Of(presence.Busy, presence.ActBusy),
			nimbus.ColDoNotDisturb: presence.Of(presence.DoNotDisturb, presence.ActDoNotDisturb),
			nimbus.ColAway:         presence.Of(presence.Away, presence.ActAway),
		}
		switch col {
		case nimbus.ColAvailable:
			if err := tm.ClearPreferred(id); err != nil {
				return err
			}
			if tm.Presence(id).Availability == presence.Offline {
				return tm.SignIn(id, teams.Desktop)
			}
			return nil
		case nimbus.ColOffline:
			for _, k := range teams.ClientKinds() {
				if err := tm.SignOut(id, k); err != nil {
					return err
				}
			}
			return nil
		}
		return tm.SetPreferred(id, manual[col], 0, teams.ViaClient)
	})
}

func (s *Scenario) nbArrive(name string) error { return s.nbArriveMany(1, name) }

func (s *Scenario) nbArriveMany(n int, name string) error {
	st, svc, err := s.nbService(name)
	if err != nil {
		return err
	}
	for range n {
		st.m.Arrive(svc)
	}
	return nil
}

func (s *Scenario) nbAnswer(name, how string) error {
	return s.nbOnUser(name, either(how == "accepts", (*nimbus.Model).Accept, (*nimbus.Model).Decline))
}

func (s *Scenario) nbRingOut(name string) error {
	return s.nbOnUser(name, func(m *nimbus.Model, id teams.UserID) error {
		c, ok := m.Ringing(id)
		if !ok {
			return fmt.Errorf("no Nimbus call is ringing at %s", name)
		}
		svc := m.Services()[c.Service]
		return s.world.Clock.Advance(svc.RingTime)
	})
}

func (s *Scenario) nbHangUp(name string) error { return s.nbOnUser(name, (*nimbus.Model).HangUp) }

func (s *Scenario) nbActive(name, service, on string) error {
	st, svc, err := s.nbService(service)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		st.m.SetActive(svc, id, on == "on")
		return nil
	})
}

func (s *Scenario) nbResetRONA(name string) error {
	return s.nbOnUser(name, (*nimbus.Model).ResetRONA)
}

func (s *Scenario) nbDialOut(name string) error { return s.nbOnUser(name, (*nimbus.Model).DialOut) }

func (s *Scenario) nbEstablished(name string) error {
	return s.nbOnUser(name, func(m *nimbus.Model, id teams.UserID) error {
		c, err := m.Established(id)
		if err != nil {
			return err
		}
		s.lastCall, s.hasCall = c, true
		return nil
	})
}

// why explains a service's routing for failure messages.
func (st *nbState) why(svc *nimbus.Service) func() string {
	return func() string { return st.m.Explain(svc) }
}

func (s *Scenario) nbDecision(name, service, want string) error {
	st, svc, err := s.nbService(service)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		v := st.m.Verdict(svc, id)
		return Check(st.why(svc), func(g gomegaG) {
			g.Expect(nimbus.DecisionWords(v.Eligible)).To(equal(want), "whether a call of %q goes to %s, whose Teams presence is %s: %s", svc.Name, name, s.world.Teams.Presence(id).Short(), v)
		})
	})
}

func (s *Scenario) nbEligible(name, want, service, rule string) error {
	st, svc, err := s.nbService(service)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		v := st.m.Verdict(svc, id)
		return Check(st.why(svc), func(g gomegaG) {
			g.Expect(v.Eligible).To(equal(want == "eligible"), "whether %s is eligible for %q: %s", name, svc.Name, v)
			if rule != "" {
				g.Expect(v.Rule).To(containSubstring(rule), "the rule that decided for %s", name)
			}
		})
	})
}

// nbOrdinal names one of several calls: "the second call", "the last
// call"; without it a step means the one call still waiting or ringing.
const nbOrdinal = `((?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last) )?`

var ordinals = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}

// ordinal is the word for the i-th call (from 0).
func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return fmt.Sprintf("#%d", i+1)
}

// nbCall finds the call a step means and words it for failure messages:
// "the second call of "Support" (arrived at 09:00)". Without an ordinal
// the step means the call still waiting or ringing; where several are, it
// has to say which.
func (s *Scenario) nbCall(which string) (*nbState, *nimbus.Call, string, error) {
	st, err := s.nb()
	if err != nil {
		return nil, nil, "", err
	}
	n := st.m.NumCalls()
	if n == 0 {
		return nil, nil, "", fmt.Errorf("no call has arrived at Nimbus yet")
	}
	at := func(i int) *nimbus.Call { c, _ := st.m.Call(nimbus.CallID(i)); return c }
	i := n - 1
	switch which = strings.TrimSpace(which); which {
	case "last":
	case "":
		var open []int
		for j := 0; j < n; j++ {
			if c := at(j); c.State == nimbus.Queued || c.State == nimbus.Ringing {
				open = append(open, j)
			}
		}
		if len(open) > 1 {
			var parts []string
			for _, j := range open {
				parts = append(parts, "the "+ordinal(j)+" call "+s.nbWhere(st, at(j)))
			}
			return nil, nil, "", fmt.Errorf("%d calls are waiting or ringing (%s); say which one the step means, e.g. \"Nimbus offers the %s call to …\" or \"the last call\"",
				len(open), strings.Join(parts, ", "), ordinal(open[0]))
		}
		if len(open) == 1 {
			i = open[0]
		}
	default:
		i = -1
		for j, w := range ordinals {
			if w == which {
				i = j
			}
		}
		if i < 0 || i >= n {
			return nil, nil, "", fmt.Errorf("the %s call has not arrived: %d call(s) have arrived at Nimbus so far", which, n)
		}
	}
	c := at(i)
	svc := st.m.Services()[c.Service]
	what := fmt.Sprintf("the %s call of %q (arrived at %s)", ordinal(i), svc.Name, c.Arrived)
	if n == 1 {
		what = fmt.Sprintf("the call of %q (arrived at %s)", svc.Name, c.Arrived)
	}
	return st, c, what, nil
}

// nbWhere says where a call is: "ringing at bob", "waiting in the queue".
func (s *Scenario) nbWhere(st *nbState, c *nimbus.Call) string {
	switch c.State {
	case nimbus.Ringing:
		return "ringing at " + s.world.Teams.Name(c.Agent)
	case nimbus.Connected:
		return "connected to " + s.world.Teams.Name(c.Agent)
	case nimbus.Queued:
		return "waiting in the queue, offered to nobody"
	}
	return c.State.String()
}

func (s *Scenario) nbOffered(which, name string) error {
	st, c, what, err := s.nbCall(which)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		svc := st.m.Services()[c.Service]
		got := "nobody"
		if c.State == nimbus.Ringing {
			got = s.world.Teams.Name(c.Agent)
		}
		return Check(st.why(svc), func(g gomegaG) {
			g.Expect(got).To(equal(s.world.Teams.Name(id)), "Nimbus should offer %s to %s; it is %s", what, name, s.nbWhere(st, c))
		})
	})
}

func (s *Scenario) nbOfferedNobody(which string) error {
	st, c, what, err := s.nbCall(which)
	if err != nil {
		return err
	}
	svc := st.m.Services()[c.Service]
	return Check(st.why(svc), func(g gomegaG) {
		g.Expect(c.State.String()).To(equal(nimbus.Queued.String()), "%s should wait in the queue, offered to nobody; it is %s", what, s.nbWhere(st, c))
	})
}

// nbOfferedCount counts the calls Nimbus has offered to an agent at least
// once, and lists every call where the count is off.
func (s *Scenario) nbOfferedCount(want int) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	got := 0
	var lines []string
	for i := 0; i < st.m.NumCalls(); i++ {
		c, _ := st.m.Call(nimbus.CallID(i))
		if c.Offers > 0 {
			got++
		}
		lines = append(lines, fmt.Sprintf("the %s call: offered %d time(s), %s", ordinal(i), c.Offers, s.nbWhere(st, c)))
	}
	return Check(func() string { return "calls so far:\n  " + strings.Join(lines, "\n  ") }, func(g gomegaG) {
		g.Expect(got).To(equal(want), "the number of calls Nimbus has offered to an agent, of %d that arrived", st.m.NumCalls())
	})
}

// nbConditionalAccess sets the tenant's policy that requires MFA except
// from trusted locations (NB-5).
func (s *Scenario) nbConditionalAccess() error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	st.m.RequireMFAExceptTrusted(true)
	return nil
}

func (s *Scenario) nbSignInFrom(name, where string) error {
	st, a, err := s.nbAccount(name)
	if err != nil {
		return err
	}
	st.m.SignInFrom(a, either(strings.HasPrefix(where, "a Microsoft"), nimbus.AzureDataCentre, nimbus.Elsewhere))
	return nil
}

func (s *Scenario) nbInCall(name string) error {
	return s.onUser(name, func(id teams.UserID) error {
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(s.world.Teams.InCall(id)).To(equal(true), "%s should be a party to a Teams call", name)
		})
	})
}

func (s *Scenario) nbRONA(name, inOut string) error {
	return s.nbOnUser(name, func(m *nimbus.Model, id teams.UserID) error {
		return Check(func() string { return m.Explain(m.Services()[0]) }, func(g gomegaG) {
			g.Expect(m.InRONA(id)).To(equal(inOut == "in"), "whether %s is in RONA (NB-9)", name)
		})
	})
}

func (s *Scenario) nbReads(name, want string) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		r := st.m.Read(id)
		return Check(func() string {
			return "presence read through: " + r.Tracking.String() + "\n" + s.world.Teams.Explain(id).String()
		}, func(g gomegaG) {
			g.Expect(r.P.Short()).To(equal(p.Short()), "what Nimbus reads of %s (Teams shows %s inside the organisation)", name, s.world.Teams.Presence(id).Short())
		})
	})
}

func (s *Scenario) nbSource(want string) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	t := st.m.Tracking()
	got := "federation"
	if t.Source == nimbus.PresenceAccount {
		got = fmt.Sprintf("the presence account %q", t.Account)
	}
	return Check(func() string { return t.String() }, func(g gomegaG) {
		g.Expect(got).To(equal(want), "where Nimbus reads presence from")
	})
}

func (s *Scenario) nbFallback(because string) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	t := st.m.Tracking()
	var msgs []string
	for _, f := range t.Failures {
		msgs = append(msgs, f.Error())
	}
	return Check(func() string { return t.String() }, func(g gomegaG) {
		g.Expect(t.Fallback()).To(equal(true), "Nimbus should read federation after every presence account failed (NB-6)")
		g.Expect(strings.Join(msgs, "\n")).To(containSubstring(because), "why the presence accounts failed")
	})
}

func (s *Scenario) nbDay(agents, calls int, seed uint64) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	d := nimbus.DefaultDay(seed)
	d.Agents, d.Calls = agents, calls
	d.Adjust = st.tune
	rep, text, err := nbRunDay(d)
	if err != nil {
		return err
	}
	st.day, st.dayText = &rep, text
	return nil
}

// nbRunDay simulates a contact-centre day and writes its report as text.
func nbRunDay(d nimbus.DayConfig) (nimbus.DayReport, string, error) {
	rep, err := nimbus.RunDay(d)
	if err != nil {
		return rep, "", err
	}
	var b strings.Builder
	err = rep.WriteText(&b)
	return rep, b.String(), err
}

func (s *Scenario) nbDayResults(a, b string) (*nbState, nimbus.Result, nimbus.Result, error) {
	st, err := s.nb()
	if err != nil {
		return nil, nimbus.Result{}, nimbus.Result{}, err
	}
	if st.day == nil {
		return nil, nimbus.Result{}, nimbus.Result{}, fmt.Errorf("no day was simulated yet; start with \"a contact-centre day with 50 agents and 2000 calls is simulated with seed 1\"")
	}
	ra, err := st.day.Result(a)
	if err != nil {
		return nil, ra, ra, err
	}
	rb := ra
	if b != "" {
		if rb, err = st.day.Result(b); err != nil {
			return nil, ra, rb, err
		}
	}
	return st, ra, rb, nil
}

func (st *nbState) dayWhy() func() string { return func() string { return st.dayText } }

func (s *Scenario) nbDayInCall(config, some string) error {
	st, r, _, err := s.nbDayResults(config, "")
	if err != nil {
		return err
	}
	return Check(st.dayWhy(), func(g gomegaG) {
		if some == "no" {
			g.Expect(r.Stats.OffersInCall).To(equal(0), "offers to agents already in a call with %s", r.Config.Name)
		} else {
			g.Expect(r.Stats.OffersInCall).To(gomega.BeNumerically(">", 0), "offers to agents already in a call with %s (NB-3)", r.Config.Name)
		}
	})
}

// nbDayCompare checks that what measure reads of the day with the
// configuration a stands in the relation op to what it reads with b.
func (s *Scenario) nbDayCompare(a, b, op, what string, measure func(nimbus.Result) any) error {
	st, ra, rb, err := s.nbDayResults(a, b)
	if err != nil {
		return err
	}
	return Check(st.dayWhy(), func(g gomegaG) {
		g.Expect(measure(ra)).To(gomega.BeNumerically(op, measure(rb)), "%s with %s against %s", what, ra.Config.Name, rb.Config.Name)
	})
}

func (s *Scenario) nbDayNobody(a, b string) error {
	return s.nbDayCompare(a, b, ">", "calls not distributable on arrival", func(r nimbus.Result) any { return r.Stats.NotDistributable })
}

func (s *Scenario) nbDayWait(a, b string) error {
	return s.nbDayCompare(a, b, ">", "mean waiting time", func(r nimbus.Result) any { return r.Mean })
}

func (s *Scenario) nbDayFewerInCall(a, b string) error {
	return s.nbDayCompare(a, b, "<", "offers to agents already in a call", func(r nimbus.Result) any { return r.Stats.OffersInCall })
}

func (s *Scenario) nbDayAgain() error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	if st.day == nil {
		return fmt.Errorf("no day was simulated yet")
	}
	_, again, err := nbRunDay(st.day.Day)
	if err != nil {
		return err
	}
	st.dayAgain = again
	return Check(nil, func(g gomegaG) {
		g.Expect(st.dayAgain).To(equal(st.dayText), "the same seed must give the same day, byte for byte")
	})
}
