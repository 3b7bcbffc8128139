package steps

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/teams"
)

const pron = `(?:her|his|their|the)`

func registerClients(s *Scenario, r *registry) {
	r.step(`^the users? (.+)$`, "the users alice, bob and carol", s.theUsers)
	r.step(`^(\w+) is a federated user from (\w+)$`, "dave is a federated user from fabrikam", s.federatedUser)
	r.step(`^(\w+) is signed in to Teams on (.+)$`, "alice is signed in to Teams on desktop and mobile", s.signedIn)
	s.inputs(r, event.SignIn, event.SignOut, event.SignOutAll, event.Use, event.GoIdle, event.Lock)
	r.step(`^(\w+) tries to lock `+pron+` computer$`, "alice tries to lock her computer", s.tryLock)
	s.inputs(r, event.Unlock, event.Sleep, event.Wake, event.Crash, event.Background, event.LoseNetwork, event.RestoreNetwork, event.Indicator)
	r.step(`^(\w+) sees "([^"]*)" on `+pron+` (\w+) client$`, `alice sees "noNetwork" on her desktop client`, s.seesIndicator)
	r.step(`^(\w+) has (\d+) presence sessions?$`, "alice has 2 presence sessions", s.sessionCount)
}

// inputs registers the steps of inputs of the event table: the pattern and
// the example are the table's, and the step applies the event it reads
// through World.Apply.
func (s *Scenario) inputs(r *registry, ops ...event.Op) {
	for _, o := range ops {
		s.inputAs(r, o, s.apply)
	}
}

// apply applies an event to the scenario's world of the moment, its
// people introduced first.
func (s *Scenario) apply(ev event.Event) error {
	if err := s.known(ev); err != nil {
		return err
	}
	return s.world.Apply(ev)
}

// known says which of an event's people the scenario has not introduced.
func (s *Scenario) known(ev event.Event) error {
	for _, n := range ev.Users {
		if _, err := s.user(n); err != nil {
			return err
		}
	}
	return nil
}

// inputAs registers the step of an input of the event table whose step
// does more than apply it (readies a model, says more on a failure): fn
// gets the event the step reads, its people known, and applies it.
func (s *Scenario) inputAs(r *registry, o event.Op, fn func(event.Event) error) {
	n := compiled(o.Pattern()).NumSubexp()
	in := make([]reflect.Type, n)
	for i := range in {
		in[i] = reflect.TypeOf("")
	}
	typ := reflect.FuncOf(in, []reflect.Type{reflect.TypeOf((*error)(nil)).Elem()}, false)
	step := reflect.MakeFunc(typ, func(args []reflect.Value) []reflect.Value {
		groups := make([]string, len(args))
		for i, a := range args {
			groups[i] = a.String()
		}
		err := s.input(o, groups, fn)
		return []reflect.Value{reflect.ValueOf(&err).Elem()}
	})
	r.step(o.Pattern(), o.Example().Phrase(), step.Interface())
}

// input reads the event a step's groups say and hands it to apply.
func (s *Scenario) input(o event.Op, groups []string, apply func(event.Event) error) error {
	ev, err := o.FromGroups(groups, s.world.Clock.Now())
	if err != nil {
		return err
	}
	return apply(ev)
}

func (s *Scenario) theUsers(list string) error {
	for _, n := range splitNames(list) {
		if _, err := s.introduce(n, ""); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scenario) federatedUser(name, org string) error {
	if strings.EqualFold(org, sim.DefaultOrg) {
		return fmt.Errorf("%s is the home organisation; name another tenant for a federated user", org)
	}
	_, err := s.introduce(name, org)
	return err
}

func parseKinds(list string) ([]teams.ClientKind, error) {
	var out []teams.ClientKind
	for _, n := range splitNames(list) {
		k, err := teams.ParseClientKind(n)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (s *Scenario) signedIn(name, list string) error {
	kinds, err := parseKinds(list)
	if err != nil {
		return err
	}
	id, err := s.introduce(name, "")
	if err != nil {
		return err
	}
	for _, k := range kinds {
		if err := s.world.Apply(event.Event{Op: event.SignIn, Users: []string{s.world.Teams.Name(id)}, Client: k}); err != nil {
			return err
		}
	}
	return nil
}

// onClient resolves a user and a client kind and applies fn.
func (s *Scenario) onClient(name, kind string, fn func(teams.UserID, teams.ClientKind) error) error {
	id, err := s.user(name)
	if err != nil {
		return err
	}
	k, err := teams.ParseClientKind(kind)
	if err != nil {
		return err
	}
	return fn(id, k)
}

// onUser resolves a user and applies fn.
func (s *Scenario) onUser(name string, fn func(teams.UserID) error) error {
	id, err := s.user(name)
	if err != nil {
		return err
	}
	return fn(id)
}

// tryLock locks the computer, expecting the model to refuse (T-ACT-2).
func (s *Scenario) tryLock(name string) error {
	return s.try(event.Event{Op: event.Lock, Users: []string{name}})
}

func (s *Scenario) seesIndicator(name, want, kind string) error {
	return s.onClient(name, kind, func(id teams.UserID, k teams.ClientKind) error {
		p, ind := s.world.Teams.OwnView(id, k)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(string(ind)).To(equal(want), "%s's own %s client shows presence %s with local indicator %q (T-LOCAL-1)", name, k, p.Short(), ind)
		})
	})
}

func (s *Scenario) sessionCount(name string, n int) error {
	return s.onUser(name, func(id teams.UserID) error {
		e := s.world.Teams.Explain(id)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(e.Sessions).To(equal(n), "number of live presence sessions of %s", name)
		})
	})
}
