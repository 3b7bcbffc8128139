package steps

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/nimbus"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

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

// nimbusSteps are the steps of Luware Nimbus: services, presence accounts,
// routing and the simulated contact-centre day.
type nimbusSteps struct {
	*Scenario
	st nbState
}

func (s *nimbusSteps) nb() (*nbState, error) {
	st := &s.st
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

func registerNimbus(sc *Scenario, r *registry) {
	s := &nimbusSteps{Scenario: sc}
	if r.sc != nil {
		r.sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
			if tune, ok := ctx.Value(nimbusTuneKey{}).(func(*nimbus.Settings)); ok {
				s.st.tune = tune
			}
			return ctx, nil
		})
	}
	// configuration
	r.step(`^a Nimbus service `+nbService+` with the agents? (.+)$`, `a Nimbus service "Support" with the agents alice and bob`, s.teamService)
	r.step(`^a skill-based Nimbus service `+nbService+` requiring (.+)$`, `a skill-based Nimbus service "Billing" requiring German and invoices`, s.skillService)
	r.step(`^(\w+) has the Nimbus skills? (.+)$`, "alice has the Nimbus skills German and invoices", s.skills)
	r.step(`^(\w+) switches to (?:an? )?(On|Off) Duty profile$`, "alice switches to an Off Duty profile", s.duty)
	r.step(`^the Conversations Distribution of `+nbService+` is:$`, "the Conversations Distribution of \"Support\" is:", s.distribution)
	r.step(`^the Conversations Distribution of `+nbService+` sets "([^"]+)" to "([^"]+)"$`, `the Conversations Distribution of "Support" sets "Busy *" to "Distributed to the user"`, s.distributionLine)
	r.step(`^the service `+nbService+` has (?:a|an) (ring time|after-call work|RONA reset time|maximum wait) of (.+)$`, `the service "Support" has a RONA reset time of 10 minutes`, s.timing)
	r.step(`^the service `+nbService+` refuses a RONA reset time of (.+)$`, `the service "Support" refuses a RONA reset time of 5 seconds`, s.refusesRONA)
	sc.inputAs(r, event.NimbusAccount, s.input)
	r.step(`^Nimbus has the presence accounts (.+)$`, `Nimbus has the presence accounts "pa1" and "pa2"`, s.accounts)
	r.step(`^Nimbus refuses a third presence account "([^"]+)"$`, `Nimbus refuses a third presence account "pa3"`, s.thirdAccount)
	r.step(`^the presence account "([^"]+)" has MFA (enabled|disabled)$`, `the presence account "pa1" has MFA enabled`, s.mFA)
	r.step(`^the presence account "([^"]+)" (lacks|is granted) the delegated permission (\S+)$`, `the presence account "pa1" lacks the delegated permission Presence.Read.All`, s.permission)
	r.step(`^the presence account "([^"]+)" holds (\S+) only as an application permission$`, `the presence account "pa1" holds Presence.Read.All only as an application permission`, s.applicationOnly)
	r.step(`^the tenant changes and no longer has the Nimbus guests$`, "the tenant changes and no longer has the Nimbus guests", s.tenantChange)
	r.step(`^the presence account "([^"]+)" is invited to the tenant again$`, `the presence account "pa1" is invited to the tenant again`, s.reinvite)

	// what agents and callers do
	r.step(`^(\w+) is "([^"]+)" in Teams$`, `bob is "Busy *" in Teams`, s.teamsState)
	sc.inputAs(r, event.NimbusArrive, s.input)
	r.step(`^(\d+) calls arrive (?:at|for) `+nbService+`$`, `2 calls arrive at "Support"`, s.arriveMany)
	sc.inputAs(r, event.NimbusAccept, s.input)
	sc.inputAs(r, event.NimbusDecline, s.input)
	r.step(`^(\w+) lets the Nimbus call ring out$`, "bob lets the Nimbus call ring out", s.ringOut)
	sc.inputAs(r, event.NimbusHangUp, s.input)
	r.step(`^(\w+) turns `+pron+` Active toggle in `+nbService+` (on|off)$`, `bob turns his Active toggle in "Support" off`, s.active)
	r.step(`^(\w+) resets `+pron+` RONA state$`, "bob resets his RONA state", s.resetRONA)
	r.step(`^(\w+) dials out from Teams$`, "bob dials out from Teams", s.dialOut)
	r.step(`^(\w+)'s outbound call is established$`, "bob's outbound call is established", s.established)

	// what Nimbus decides
	r.step(`^for (\w+) a call (?:at|for|in) `+nbService+` is (Distributed to the user|NOT distributed to the user)$`, `for bob a call in "Support" is NOT distributed to the user`, s.decision)
	r.step(`^(\w+) is (eligible|not eligible) for `+nbService+`(?: by (NB-\d+))?$`, `bob is not eligible for "Support" by NB-4`, s.eligible)
	r.step(`^Nimbus offers the `+nbOrdinal+`call to (\w+)$`, "Nimbus offers the second call to bob", s.offered)
	r.step(`^Nimbus offers the `+nbOrdinal+`call to no agent$`, "Nimbus offers the last call to no agent", s.offeredNobody)
	r.step(`^Nimbus has offered (\d+) calls?$`, "Nimbus has offered 3 calls", s.offeredCount)
	r.step(`^the tenant requires MFA except from trusted locations$`, "the tenant requires MFA except from trusted locations", s.conditionalAccess)
	r.step(`^the presence account "([^"]+)" signs in from (a Microsoft Azure data centre|an address outside the trusted locations)$`, `the presence account "pa1" signs in from a Microsoft Azure data centre`, s.signInFrom)
	r.step(`^(\w+) (?:is already|is still) in a Teams call$`, "bob is already in a Teams call", s.isInCall)
	r.step(`^(\w+) is (in|out of) RONA$`, "bob is in RONA", s.rONA)
	r.step(`^Nimbus reads (\w+) as (.+)$`, "Nimbus reads bob as Busy/InACall", s.reads)
	r.step(`^Nimbus reads presence through (federation|the presence account "[^"]+")$`, `Nimbus reads presence through the presence account "pa1"`, s.source)
	r.step(`^Nimbus falls back to federation because (.+)$`, "Nimbus falls back to federation because AADSTS50076", s.fallback)

	// the contact-centre day
	r.step(`^a contact-centre day with (\d+) agents and (\d+) calls is simulated with seed (\d+)$`, "a contact-centre day with 50 agents and 2000 calls is simulated with seed 1", s.day)
	r.step(`^with (.+?), (no|some) calls? (?:is|are) offered to agents already in a call$`, "with federation and Busy distributed, some calls are offered to agents already in a call", s.dayInCall)
	r.step(`^more calls find nobody to distribute to with (.+?) than with (.+)$`, "more calls find nobody to distribute to with federation and Busy not distributed than with presence accounts and Busy distributed", s.dayNobody)
	r.step(`^callers wait longer on average with (.+?) than with (.+)$`, "callers wait longer on average with federation and Busy not distributed than with presence accounts and Busy distributed", s.dayWait)
	r.step(`^fewer calls are offered to agents already in a call with (.+?) than with (.+)$`, "fewer calls are offered to agents already in a call with presence accounts and Busy distributed than with federation and Busy distributed", s.dayFewerInCall)
	r.step(`^the simulated day gives the same report when run again$`, "the simulated day gives the same report when run again", s.dayAgain)
}

// nbGet returns the Nimbus state and what get finds in its model.
func nbGet[T any](s *nimbusSteps, get func(*nimbus.Model) (T, error)) (*nbState, T, error) {
	st, err := s.nb()
	if err != nil {
		var zero T
		return nil, zero, err
	}
	v, err := get(st.m)
	return st, v, err
}

func (s *nimbusSteps) service(name string) (*nbState, *nimbus.Service, error) {
	return nbGet(s, func(m *nimbus.Model) (*nimbus.Service, error) { return m.Service(name) })
}

// withAgent runs fn on the Nimbus model and a user the scenario knows.
func (s *nimbusSteps) withAgent(name string, fn func(*nimbus.Model, teams.UserID) error) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { return fn(st.m, id) })
}

// addService adds a service that distributes to Available agents only
// until the scenario says otherwise.
func (s *nimbusSteps) addService(name string, a nimbus.Assignment) (*nbState, *nimbus.Service, error) {
	return nbGet(s, func(m *nimbus.Model) (*nimbus.Service, error) { return m.AddService(name, a, nimbus.AvailableOnly) })
}

func (s *nimbusSteps) teamService(name, list string) error {
	st, svc, err := s.addService(name, nimbus.TeamBased)
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

func (s *nimbusSteps) skillService(name, list string) error {
	_, svc, err := s.addService(name, nimbus.SkillBased)
	if err != nil {
		return err
	}
	svc.Skills = splitNames(list)
	return nil
}

func (s *nimbusSteps) skills(name, list string) error {
	return s.withAgent(name, func(m *nimbus.Model, id teams.UserID) error {
		m.SetSkills(id, splitNames(list)...)
		return nil
	})
}

func (s *nimbusSteps) duty(name, duty string) error {
	return s.withAgent(name, func(m *nimbus.Model, id teams.UserID) error {
		m.SetDuty(id, duty == "On")
		return nil
	})
}

// distribution reads the setting as the seed lays it out: one line per
// presence group, its name and the decision in the document's words.
func (s *nimbusSteps) distribution(name string, t *godog.Table) error {
	st, svc, err := s.service(name)
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

func (s *nimbusSteps) distributionLine(name, col, decision string) error {
	st, svc, err := s.service(name)
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

func (s *nimbusSteps) timing(name, what, dur string) error {
	_, svc, err := s.service(name)
	if err != nil {
		return err
	}
	t, err := nimbus.ParseTiming(what)
	if err != nil {
		return err
	}
	d, err := ParseDuration(dur)
	if err != nil {
		return err
	}
	return svc.SetTiming(t, d)
}

func (s *nimbusSteps) refusesRONA(name, dur string) error {
	if _, _, err := s.service(name); err != nil {
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

func (s *nimbusSteps) accounts(list string) error {
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

func (s *nimbusSteps) thirdAccount(name string) error {
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

func (s *nimbusSteps) account(name string) (*nbState, *nimbus.Account, error) {
	return nbGet(s, func(m *nimbus.Model) (*nimbus.Account, error) { return m.Account(name) })
}

func (s *nimbusSteps) mFA(name, state string) error {
	st, a, err := s.account(name)
	if err != nil {
		return err
	}
	a.MFA = state == "enabled"
	st.m.AccountChanged()
	return nil
}

// changePermission changes how a presence account holds a permission and
// tells Nimbus the account changed.
func (s *nimbusSteps) changePermission(name, perm string, change func(*nimbus.Account, nimbus.Permission)) error {
	st, a, err := s.account(name)
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

func (s *nimbusSteps) permission(name, change, perm string) error {
	return s.changePermission(name, perm, func(a *nimbus.Account, p nimbus.Permission) {
		if change == "lacks" {
			a.Revoke(p)
		} else {
			a.Grant(p)
		}
	})
}

func (s *nimbusSteps) applicationOnly(name, perm string) error {
	return s.changePermission(name, perm, func(a *nimbus.Account, p nimbus.Permission) {
		a.Revoke(p)
		a.Grant(nimbus.Permission{Name: p.Name, Type: nimbus.Application})
	})
}

func (s *nimbusSteps) tenantChange() error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	st.m.ChangeTenant()
	return nil
}

func (s *nimbusSteps) reinvite(name string) error {
	st, a, err := s.account(name)
	if err != nil {
		return err
	}
	st.m.Reinvite(a)
	return nil
}

// teamsState puts the agent into a line of the distribution setting the
// way a person does it in Teams: Available by resetting the status (signed
// in), Busy, Do not Disturb and Away by hand, Offline by signing out.
func (s *nimbusSteps) teamsState(name, word string) error {
	col, err := nimbus.ParseColumn(word)
	if err != nil {
		return err
	}
	tm := s.world.Teams
	return s.onUser(name, func(id teams.UserID) error {
		if p, ok := col.ByHand(); ok {
			return tm.SetPreferred(id, p, 0, teams.ViaClient)
		}
		if col == nimbus.ColOffline {
			for _, k := range teams.ClientKinds() {
				if err := tm.SignOut(id, k); err != nil {
					return err
				}
			}
			return nil
		}
		if err := tm.ClearPreferred(id); err != nil {
			return err
		}
		if tm.Presence(id).Availability == presence.Offline {
			return tm.SignIn(id, teams.Desktop)
		}
		return nil
	})
}

// input applies a Nimbus input with the model readied with the
// scenario's settings, saying why one is refused.
func (s *nimbusSteps) input(ev event.Event) error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	err = s.apply(ev)
	if !errors.Is(err, event.ErrRefused) {
		return err
	}
	switch ev.Op {
	case event.NimbusArrive:
		if _, e := st.m.Service(ev.Name); e != nil {
			return e
		}
	case event.NimbusAccount:
		return fmt.Errorf("the presence account %q comes first or with the others: Nimbus has %d already (%w)", ev.Name, len(st.m.Accounts()), err)
	case event.NimbusAccept, event.NimbusDecline:
		return fmt.Errorf("no Nimbus call is ringing at %s (%w)", ev.User(), err)
	}
	return err
}

func (s *nimbusSteps) arriveMany(n int, name string) error {
	st, svc, err := s.service(name)
	if err != nil {
		return err
	}
	for range n {
		st.m.Arrive(svc)
	}
	return nil
}

func (s *nimbusSteps) ringOut(name string) error {
	return s.withAgent(name, func(m *nimbus.Model, id teams.UserID) error {
		c, ok := m.Ringing(id)
		if !ok {
			return fmt.Errorf("no Nimbus call is ringing at %s", name)
		}
		svc := m.Services()[c.Service]
		return s.world.Clock.Advance(svc.RingTime)
	})
}

func (s *nimbusSteps) active(name, service, on string) error {
	st, svc, err := s.service(service)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		st.m.SetActive(svc, id, on == "on")
		return nil
	})
}

func (s *nimbusSteps) resetRONA(name string) error {
	return s.withAgent(name, (*nimbus.Model).ResetRONA)
}

func (s *nimbusSteps) dialOut(name string) error { return s.withAgent(name, (*nimbus.Model).DialOut) }

func (s *nimbusSteps) established(name string) error {
	return s.withAgent(name, func(m *nimbus.Model, id teams.UserID) error {
		c, err := m.Established(id)
		if err != nil {
			return err
		}
		event.RememberCall(s.world, c)
		return nil
	})
}

// why explains a service's routing for failure messages.
func (st *nbState) why(svc *nimbus.Service) func() string {
	return func() string { return st.m.Explain(svc) }
}

func (s *nimbusSteps) decision(name, service, want string) error {
	st, svc, err := s.service(service)
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

func (s *nimbusSteps) eligible(name, want, service, rule string) error {
	st, svc, err := s.service(service)
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

// call finds the call a step means and words it for failure messages.
// Without an ordinal the step means the call still waiting or ringing;
// where several are, it has to say which.
func (s *nimbusSteps) call(which string) (*nbState, *nimbus.Call, string, error) {
	st, err := s.nb()
	if err != nil {
		return nil, nil, "", err
	}
	n := st.m.NumCalls()
	if n == 0 {
		return nil, nil, "", fmt.Errorf("no call has arrived at Nimbus yet")
	}
	i := n - 1
	switch which = strings.TrimSpace(which); which {
	case "last":
	case "":
		open := st.m.OpenCalls()
		if len(open) > 1 {
			var parts []string
			for _, j := range open {
				c, _ := st.m.Call(j)
				parts = append(parts, "the "+nimbus.Ordinal(int(j))+" call "+st.m.Where(c))
			}
			return nil, nil, "", fmt.Errorf("%d calls are waiting or ringing (%s); say which one the step means, e.g. \"Nimbus offers the %s call to …\" or \"the last call\"",
				len(open), strings.Join(parts, ", "), nimbus.Ordinal(int(open[0])))
		}
		if len(open) == 1 {
			i = int(open[0])
		}
	default:
		if i, err = nimbus.ParseOrdinal(which); err != nil {
			return nil, nil, "", err
		}
		if i >= n {
			return nil, nil, "", fmt.Errorf("the %s call has not arrived: %d call(s) have arrived at Nimbus so far", which, n)
		}
	}
	c, err := st.m.Call(nimbus.CallID(i))
	if err != nil {
		return nil, nil, "", err
	}
	return st, c, st.m.Describe(nimbus.CallID(i)), nil
}

func (s *nimbusSteps) offered(which, name string) error {
	st, c, what, err := s.call(which)
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
			g.Expect(got).To(equal(s.world.Teams.Name(id)), "Nimbus should offer %s to %s; it is %s", what, name, st.m.Where(c))
		})
	})
}

func (s *nimbusSteps) offeredNobody(which string) error {
	st, c, what, err := s.call(which)
	if err != nil {
		return err
	}
	svc := st.m.Services()[c.Service]
	return Check(st.why(svc), func(g gomegaG) {
		g.Expect(c.State.String()).To(equal(nimbus.Queued.String()), "%s should wait in the queue, offered to nobody; it is %s", what, st.m.Where(c))
	})
}

// offeredCount counts the calls Nimbus has offered to an agent at least
// once, and lists every call where the count is off.
func (s *nimbusSteps) offeredCount(want int) error {
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
		lines = append(lines, fmt.Sprintf("the %s call: offered %d time(s), %s", nimbus.Ordinal(i), c.Offers, st.m.Where(c)))
	}
	return Check(func() string { return "calls so far:\n  " + strings.Join(lines, "\n  ") }, func(g gomegaG) {
		g.Expect(got).To(equal(want), "the number of calls Nimbus has offered to an agent, of %d that arrived", st.m.NumCalls())
	})
}

// conditionalAccess sets the tenant's policy that requires MFA except
// from trusted locations (NB-5).
func (s *nimbusSteps) conditionalAccess() error {
	st, err := s.nb()
	if err != nil {
		return err
	}
	st.m.RequireMFAExceptTrusted(true)
	return nil
}

func (s *nimbusSteps) signInFrom(name, where string) error {
	st, a, err := s.account(name)
	if err != nil {
		return err
	}
	st.m.SignInFrom(a, either(strings.HasPrefix(where, "a Microsoft"), nimbus.AzureDataCentre, nimbus.Elsewhere))
	return nil
}

func (s *nimbusSteps) isInCall(name string) error {
	return s.onUser(name, func(id teams.UserID) error {
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(s.world.Teams.InCall(id)).To(equal(true), "%s should be a party to a Teams call", name)
		})
	})
}

func (s *nimbusSteps) rONA(name, inOut string) error {
	return s.withAgent(name, func(m *nimbus.Model, id teams.UserID) error {
		return Check(func() string { return m.Explain(m.Services()[0]) }, func(g gomegaG) {
			g.Expect(m.InRONA(id)).To(equal(inOut == "in"), "whether %s is in RONA (NB-9)", name)
		})
	})
}

func (s *nimbusSteps) reads(name, want string) error {
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

func (s *nimbusSteps) source(want string) error {
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

func (s *nimbusSteps) fallback(because string) error {
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

func (s *nimbusSteps) day(agents, calls int, seed uint64) error {
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
	text, err := rep.Text()
	return rep, text, err
}

func (s *nimbusSteps) dayResults(a, b string) (*nbState, nimbus.Result, nimbus.Result, error) {
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

func (s *nimbusSteps) dayInCall(config, some string) error {
	st, r, _, err := s.dayResults(config, "")
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

// dayCompare checks that what measure reads of the day with the
// configuration a stands in the relation op to what it reads with b.
func (s *nimbusSteps) dayCompare(a, b, op, what string, measure func(nimbus.Result) any) error {
	st, ra, rb, err := s.dayResults(a, b)
	if err != nil {
		return err
	}
	return Check(st.dayWhy(), func(g gomegaG) {
		g.Expect(measure(ra)).To(gomega.BeNumerically(op, measure(rb)), "%s with %s against %s", what, ra.Config.Name, rb.Config.Name)
	})
}

func (s *nimbusSteps) dayNobody(a, b string) error {
	return s.dayCompare(a, b, ">", "calls not distributable on arrival", func(r nimbus.Result) any { return r.Stats.NotDistributable })
}

func (s *nimbusSteps) dayWait(a, b string) error {
	return s.dayCompare(a, b, ">", "mean waiting time", func(r nimbus.Result) any { return r.Mean })
}

func (s *nimbusSteps) dayFewerInCall(a, b string) error {
	return s.dayCompare(a, b, "<", "offers to agents already in a call", func(r nimbus.Result) any { return r.Stats.OffersInCall })
}

func (s *nimbusSteps) dayAgain() error {
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
