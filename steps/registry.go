package steps

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cucumber/godog"
)

// Step is one entry of the step catalogue.
type Step struct {
	Group   string
	Pattern string
	Example string
}

// registry collects the steps of a scenario and, for the catalogue, their
// examples.
type registry struct {
	sc    *godog.ScenarioContext
	group string
	steps []Step
}

// step registers a phrase. The example must match the pattern; a test checks
// every example against its pattern, so the catalogue never lies.
func (r *registry) step(pattern, example string, fn any) {
	r.steps = append(r.steps, Step{Group: r.group, Pattern: pattern, Example: example})
	if r.sc != nil {
		r.sc.Step(pattern, fn)
	}
}

// registrars lists the step groups; each integration adds its own.
var registrars = []struct {
	group string
	fn    func(*Scenario, *registry)
}{
	{"time and settings", registerTime},
	{"Teams clients", registerClients},
	{"calls, meetings and calendar", registerActivity},
	{"presence set by hand and by apps", registerManual},
	{"what people see", registerViews},
}

// Catalog returns every step with its example, grouped.
func Catalog() []Step {
	s := newScenario(Options{})
	r := &registry{}
	for _, g := range registrars {
		r.group = g.group
		g.fn(s, r)
	}
	out := append([]Step(nil), r.steps...)
	sort.SliceStable(out, func(i, j int) bool { return groupIndex(out[i].Group) < groupIndex(out[j].Group) })
	return out
}

func groupIndex(g string) int {
	for i, r := range registrars {
		if r.group == g {
			return i
		}
	}
	return len(registrars)
}

// WriteCatalog formats the catalogue for people.
func WriteCatalog(b *strings.Builder) {
	group := ""
	for _, s := range Catalog() {
		if s.Group != group {
			group = s.Group
			fmt.Fprintf(b, "\n## %s\n", group)
		}
		fmt.Fprintf(b, "  %s\n      e.g. %s\n", s.Pattern, s.Example)
	}
}
