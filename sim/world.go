package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/guid"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// DefaultOrg is the tenant users belong to unless a step says otherwise.
const DefaultOrg = "contoso"

// Component is an integration model attached to a world. Each integration
// package attaches itself on first use (see Attach), so the world does not
// need to know them all.
type Component interface {
	ComponentName() string
}

// World is one simulated world.
type World struct {
	Seed  clock.Seed
	Clock *clock.Clock
	Trace *trace.Trace
	Teams *teams.Model

	components []Component
	dirRand    *rand.Rand
	seams      []appSeam
	faults     *graph.Layer
}

type appSeam struct {
	app  string
	seam graph.Seam
}

// New builds an empty world from a seed and the Teams settings.
func New(seed uint64, s teams.Settings) (*World, error) {
	w := &World{Seed: clock.Seed(seed), Clock: clock.New(), Trace: &trace.Trace{}}
	m, err := teams.New(w.Clock, w.Trace, s)
	if err != nil {
		return nil, err
	}
	w.Teams = m
	w.dirRand = w.Seed.Stream("directory")
	return w, nil
}

// MustNew is New with the default settings; it panics only on a broken
// default table.
func MustNew(seed uint64) *World {
	w, err := New(seed, teams.DefaultSettings())
	if err != nil {
		panic(err)
	}
	return w
}

// Stream returns the named component's random stream.
func (w *World) Stream(name string) *rand.Rand { return w.Seed.Stream(name) }

// AddUser adds a user of the given organisation (DefaultOrg when empty) with
// a display name, UPN, mail address and object id derived from the name
// and the seed.
func (w *World) AddUser(name, org string) (teams.UserID, error) {
	if org == "" {
		org = DefaultOrg
	}
	if err := validName(name); err != nil {
		return 0, err
	}
	d := teams.Directory{
		Name:        name,
		DisplayName: title(name),
		UPN:         strings.ToLower(name) + "@" + strings.ToLower(org) + ".com",
		Mail:        strings.ToLower(name) + "@" + strings.ToLower(org) + ".com",
		ID:          w.NewGUID(),
		Org:         org,
	}
	return w.Teams.AddUser(d)
}

// User returns the user by name, adding a user of DefaultOrg if there is
// none; steps use it so that a scenario may name people without a Given.
func (w *World) User(name string) (teams.UserID, error) {
	if id, err := w.Teams.User(name); err == nil {
		return id, nil
	}
	return w.AddUser(name, "")
}

// NewGUID draws an object id from the world's directory stream.
func (w *World) NewGUID() string {
	return guid.New(w.dirRand)
}

func validName(s string) error {
	if s == "" {
		return fmt.Errorf("a user needs a name")
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '-' && r != '_' {
			return fmt.Errorf("user name %q: use letters, digits, '.', '-' or '_'", s)
		}
	}
	return nil
}

func title(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// Attach returns the world's component of type T, creating it with mk on
// first use.
func Attach[T Component](w *World, mk func(*World) T) T {
	for _, c := range w.components {
		if t, ok := c.(T); ok {
			return t
		}
	}
	t := mk(w)
	w.components = append(w.components, t)
	return t
}

// Find returns the world's component of type T, if attached.
func Find[T Component](w *World) (T, bool) {
	for _, c := range w.components {
		if t, ok := c.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// Components lists the attached integration models in order of attachment.
func (w *World) Components() []Component { return append([]Component(nil), w.components...) }

// Explain explains a user's presence now.
func (w *World) Explain(name string) (teams.Explanation, error) {
	id, err := w.Teams.User(name)
	if err != nil {
		return teams.Explanation{}, err
	}
	return w.Teams.Explain(id), nil
}

// Graph returns the Graph seam of the named application: the only way an
// integration model reaches Teams. One seam per app, made on first use,
// through the world's Graph limits and faults (GraphFaults).
func (w *World) Graph(app string) graph.Seam {
	for _, s := range w.seams {
		if s.app == app {
			return s.seam
		}
	}
	s := graph.NewFaulty(graph.NewDirect(w.Teams, app), w.GraphFaults(), app)
	w.seams = append(w.seams, appSeam{app: app, seam: s})
	return s
}

// GraphFaults is the world's Graph limits and faults: G-THR-1, injected
// errors and latency, notification faults, drawn from the world's stream
// "graph faults". The seams of Graph and the Graph fake serving HTTP over
// this world share it.
func (w *World) GraphFaults() *graph.Layer {
	if w.faults == nil {
		w.faults = graph.NewLayer(w.Teams, w.Clock, w.Trace, w.Stream("graph faults"))
	}
	return w.faults
}
