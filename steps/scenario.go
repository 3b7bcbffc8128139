package steps

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// Options configure every scenario of a run.
type Options struct {
	// Seed is the root seed; each scenario's world seed is derived from it
	// and the scenario's name, so a scenario's trace does not depend on
	// which scenarios ran before it or beside it.
	Seed uint64
	// Settings, when set, adjusts the Teams settings of every world; tests
	// use it to break the model on purpose.
	Settings func(*teams.Settings)
	// OnScenarioEnd, when set, receives every finished scenario's world (for
	// reports); it may be called from several goroutines.
	OnScenarioEnd func(name string, w *sim.World, err error)
	// OnWorld, OnStep and OnScenario, when set, follow a scenario for
	// reports and explanations (see observe.go); they may be called from
	// several goroutines, but in order for any one scenario.
	OnWorld    func(p *godog.Scenario, w *sim.World)
	OnStep     func(StepEnd)
	OnScenario func(ScenarioEnd)
}

// Scenario is the state of one running scenario.
type Scenario struct {
	opts   Options
	name   string
	world  *sim.World
	live   *live.World // set while a connector under test shares the world
	pickle *godog.Scenario

	observers map[string]teams.Observer
	refused   error // the last refused action, for "it is refused"
	outcome   string

	// ext holds the state of integration step groups, keyed by group.
	ext map[string]any
}

func newScenario(o Options) *Scenario {
	return &Scenario{opts: o, observers: map[string]teams.Observer{}, ext: map[string]any{}}
}

// Initializer returns godog's scenario initializer for the given options.
func Initializer(o Options) func(*godog.ScenarioContext) {
	return func(sc *godog.ScenarioContext) {
		s := newScenario(o)
		sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
			s.name, s.pickle = p.Name, p
			h := fnv.New64a()
			h.Write([]byte(p.Uri + "\x00" + p.Name))
			set := teams.DefaultSettings()
			if o.Settings != nil {
				o.Settings(&set)
			}
			w, err := sim.New(o.Seed^h.Sum64(), set)
			if err != nil {
				return ctx, err
			}
			s.world = w
			if o.OnWorld != nil {
				o.OnWorld(p, w)
			}
			return ctx, nil
		})
		// Events due at the current instant (a calendar entry that starts
		// now, a notification with no delay) fire before the next step, so
		// a step sees the world settled.
		sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
			_ = s.inWorld(func() error {
				if s.world != nil {
					_ = s.world.Clock.RunUntil(s.world.Clock.Now())
				}
				if o.OnStep != nil {
					o.OnStep(s.stepEnd(st, status, err))
				}
				return nil
			})
			// godog keeps the step's own error; a hook returns only what
			// it adds, or the message would print twice.
			return ctx, nil
		})
		sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
			if o.OnScenarioEnd != nil && s.world != nil {
				o.OnScenarioEnd(p.Name, s.world, err)
			}
			if o.OnScenario != nil {
				o.OnScenario(ScenarioEnd{Scenario: p, World: s.world, Err: err})
			}
			return ctx, nil
		})
		r := &registry{sc: sc, hold: s.inWorld}
		for _, g := range registrars {
			r.group = g.name
			g.fn(s, r)
		}
	}
}

// World is the scenario's world.
func (s *Scenario) World() *sim.World { return s.world }

// inWorld runs fn with the scenario's world held. Once a connector under
// test shares the world with the fakes' goroutines, that is the live
// world's Do; before, the scenario's goroutine is the world's only user.
func (s *Scenario) inWorld(fn func() error) error {
	if s.live == nil {
		return fn()
	}
	return s.live.Do(func(*sim.World) error { return fn() })
}

// Ext returns the state of an integration's step group, creating it.
func Ext[T any](s *Scenario, key string, mk func() T) T {
	if v, ok := s.ext[key]; ok {
		return v.(T)
	}
	v := mk()
	s.ext[key] = v
	return v
}

// user resolves a name the scenario has introduced.
func (s *Scenario) user(name string) (teams.UserID, error) {
	id, err := s.world.Teams.User(name)
	if err != nil && len(s.world.Teams.UserNames()) == 0 {
		return 0, fmt.Errorf("%w (introduce users first, e.g. \"Given the users alice and bob\" or \"Given alice is signed in to Teams on desktop\")", err)
	}
	return id, err
}

// introduce adds a user unless known.
func (s *Scenario) introduce(name, org string) (teams.UserID, error) {
	if id, err := s.world.Teams.User(name); err == nil {
		return id, nil
	}
	return s.world.AddUser(name, org)
}

// failure carries a gomega failure out of the assertion.
type failure struct{ msg string }

// Check runs assertions with a gomega whose failures become the returned
// error, prefixed with why: what the model derived and which rule decided.
func Check(why func() string, assert func(g gomega.Gomega)) (err error) {
	g := gomega.NewGomega(func(msg string, _ ...int) { panic(failure{msg}) })
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			explanation := ""
			if why != nil {
				explanation = why()
			}
			err = &AssertionError{Message: strings.TrimSpace(f.msg), Why: explanation}
		}
	}()
	assert(g)
	return nil
}

// explain is the explanation of a user's presence, for failure messages.
func (s *Scenario) explain(id teams.UserID) func() string {
	return func() string { return s.world.Teams.Explain(id).String() }
}
