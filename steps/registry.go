package steps

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

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
	// hold runs a step with the scenario's world held: inside the live
	// world's Do while a connector under test shares it, else directly.
	hold func(func() error) error
}

// step registers a phrase. The example must match the pattern; a test checks
// every example against its pattern, so the catalogue never lies. The step
// runs with the world held (see hold).
func (r *registry) step(pattern, example string, fn any) {
	r.add(pattern, example, held(r.hold, fn))
}

// free registers a phrase whose step holds the world itself, only for the
// moments it reads it: a step that waits in real time, or that calls the
// fakes, which take the world in turn.
func (r *registry) free(pattern, example string, fn any) { r.add(pattern, example, fn) }

func (r *registry) add(pattern, example string, fn any) {
	r.steps = append(r.steps, Step{Group: r.group, Pattern: pattern, Example: example})
	if r.sc != nil {
		r.sc.Step(compiled(pattern), fn)
	}
}

// held wraps a step function of any signature godog accepts so that its
// body runs inside hold; the wrapper has the same type, so godog reads the
// same arguments from it.
func held(hold func(func() error) error, fn any) any {
	if hold == nil {
		return fn
	}
	v := reflect.ValueOf(fn)
	return reflect.MakeFunc(v.Type(), func(args []reflect.Value) []reflect.Value {
		var out []reflect.Value
		_ = hold(func() error { out = v.Call(args); return nil })
		return out
	}).Interface()
}

// patterns caches compiled step patterns: every scenario registers every
// step, and compiling them anew each time cost a third of a suite run.
var patterns sync.Map // string → *regexp.Regexp

func compiled(pattern string) *regexp.Regexp {
	if re, ok := patterns.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(pattern)
	patterns.Store(pattern, re)
	return re
}

// group is a named set of steps with an order that places it in the
// catalogue. The groups are registered in one place (init below); a group
// of its own file may still call register from its init.
type group struct {
	name  string
	order int
	fn    func(*Scenario, *registry)
}

var registrars []group

// register adds a step group. Files call it from init; the list is sorted by
// order (then name) so registration never depends on file order.
func register(name string, order int, fn func(*Scenario, *registry)) {
	registrars = append(registrars, group{name, order, fn})
	sort.SliceStable(registrars, func(i, j int) bool {
		if registrars[i].order != registrars[j].order {
			return registrars[i].order < registrars[j].order
		}
		return registrars[i].name < registrars[j].name
	})
}

// The step groups, in the catalogue's order; each builds its step type
// over the scenario and registers its phrases.
func init() {
	register("time and settings", 10, registerTime)
	register("Teams clients", 20, registerClients)
	register("calls, meetings and calendar", 30, registerActivity)
	register("presence set by hand and by apps", 40, registerManual)
	register("work location", 45, registerLocation)
	register("what people see", 50, registerViews)
	register("the seed state tables", 55, registerStates)
	register("PBX lines and presence", 60, registerPBX)
	register("Mitel CloudLink", 61, registerCloudLink)
	register("the PBX over SIP", 62, registerSIP)
	register("Microsoft Graph", 70, registerGraph)
	register("XPhone Connect", 70, registerXPhone)
	register("Microsoft Graph notifications", 71, registerGraphNotify)
	register("Microsoft Graph users and batching", 71, registerGraphUsers)
	register("Microsoft Entra ID", 72, registerIdentity)
	register("invariants and planted faults", 90, registerInvariants)
	register("Luware Nimbus", 90, registerNimbus)
	register("connector conformance", 95, registerConformance)
	register("XPhone connector conformance", 96, registerXPhoneConformance)
}

// Catalog returns every step with its example, grouped.
func Catalog() []Step {
	s := newScenario(Options{})
	r := &registry{}
	for _, g := range registrars {
		r.group = g.name
		g.fn(s, r)
	}
	return append([]Step(nil), r.steps...)
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
