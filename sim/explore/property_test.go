package explore_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/explore"
)

// TestMain runs a few hundred generated worlds per property unless the
// command line asks for another number (-rapid.checks).
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		_ = flag.Set("rapid.checks", "300")
	}
	// a failing property prints its seed; the planted-fault test fails on
	// purpose and must not leave files behind
	_ = flag.Set("rapid.nofailfile", "true")
	os.Exit(m.Run())
}

// drawn lets the property-testing library make every choice of a run, so
// that it shrinks the choices (fewer actions, earlier options) itself.
type drawn struct{ t *rapid.T }

func (d drawn) IntN(n int) int { return rapid.IntRange(0, n-1).Draw(d.t, "choice") }

func generate(t *rapid.T, fault string, most int) explore.Result {
	n := rapid.IntRange(1, most).Draw(t, "actions")
	res, err := explore.Generate(1, drawn{t}, explore.Config{Actions: n, Fault: fault})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPropertyInvariantsHold(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		if res := generate(t, "", 40); res.Violation != nil {
			t.Fatalf("%v\nsteps:\n%s", res.Violation, strings.Join(res.Case.Steps(), "\n"))
		}
	})
}

// TestPropertyFindsPlantedFault runs the same property with a fault
// planted: the library must find a counterexample, and explore.Shrink must
// reduce it to a handful of actions. The library's own shrinking is turned
// off because it is bounded by wall time alone, so how far it got depended
// on the machine's load; Shrink's bound is a count of replays, so a found
// case always shrinks to the same result.
func TestPropertyFindsPlantedFault(t *testing.T) {
	if f := flag.Lookup("rapid.shrinktime"); f != nil {
		old := f.Value.String()
		_ = f.Value.Set("0s")
		defer func() { _ = f.Value.Set(old) }()
	}
	rec := &recorder{TB: t}
	var found explore.Result
	rapid.Check(rec, func(t *rapid.T) {
		res := generate(t, "available-above-busy", 20)
		if res.Violation != nil {
			found = res
			t.Fatalf("%s after %d actions", res.Violation.Invariant, len(res.Case.Actions))
		}
	})
	if !rec.failed {
		t.Fatal("the property held with a fault planted that breaks T-AGG-2")
	}
	// rec.msg carries rapid's seed, which reproduces the found case
	if found.Violation == nil || found.Violation.Invariant != "highest-source-wins" {
		t.Fatalf("the property failed for another reason: %s", rec.msg)
	}
	shrunk, replays := explore.Shrink(found, explore.ShrinkBudget)
	if shrunk.Violation == nil || shrunk.Violation.Invariant != found.Violation.Invariant {
		t.Fatalf("shrinking lost the violation: %v\n%s", shrunk.Violation, rec.msg)
	}
	acted := 0
	for _, a := range shrunk.Case.Actions {
		if a.Op != event.Wait {
			acted++
		}
	}
	if acted > 5 {
		t.Fatalf("shrank the counterexample from %d to %d actions only in %d replays:\n%s\n%s",
			len(found.Case.Actions), acted, replays, strings.Join(shrunk.Case.Steps(), "\n"), rec.msg)
	}
}

// recorder is a rapid.TB that keeps the failure instead of failing the
// test, so a test can expect a property to fail.
type recorder struct {
	rapid.TB
	failed bool
	msg    string
}

func (r *recorder) Helper()             {}
func (r *recorder) Name() string        { return "planted-fault" }
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Log(...any)          {}
func (r *recorder) Fail()               { r.failed = true }
func (r *recorder) FailNow()            { r.failed = true }
func (r *recorder) Failed() bool        { return r.failed }
func (r *recorder) Error(args ...any)   { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, args ...any) {
	r.failed = true
	r.msg += fmt.Sprintf(f, args...) + "\n"
}
func (r *recorder) Fatal(args ...any)            { r.Error(args...) }
func (r *recorder) Fatalf(f string, args ...any) { r.Errorf(f, args...) }
func (r *recorder) Skipf(string, ...any)         {}
func (r *recorder) Skip(...any)                  {}
func (r *recorder) SkipNow()                     {}
