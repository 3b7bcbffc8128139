package graph

import (
	"errors"
	"testing"

	"github.com/presencesim/presencesim/sim"
	sgraph "github.com/presencesim/presencesim/sim/graph"
)

// The Graph fake and the in-process seams share the world's Graph layer:
// a fault set on either side reaches both, and both draw from one seeded
// stream in the order the requests come.
func TestHTTPAndInProcessShareTheLayer(t *testing.T) {
	readHTTP := func(f *fixture, tok string) int {
		st, _, _ := f.do("GET", "/v1.0/users/"+f.ids["alice"]+"/presence", tok, "")
		return st
	}
	readSeam := func(w *sim.World) int {
		_, err := w.Graph("pbx").Read(0)
		var ge *sgraph.Error
		if errors.As(err, &ge) {
			return ge.Status
		}
		if err != nil {
			return -1
		}
		return 200
	}

	f := newFixture(t, Options{Throttle: Throttle{Off: true}})
	tok := f.appToken()
	if err := f.h.SetFaults(Faults{ErrorRate: 1, Statuses: []int{503}, RetryAfter: 5}); err != nil {
		t.Fatal(err)
	}
	if got := readSeam(f.w); got != 503 {
		t.Errorf("a fault set on the Graph fake gave an in-process read %d, want 503", got)
	}
	if err := f.h.SetFaults(Faults{ErrorRate: 1, Statuses: []int{404}}); err == nil {
		t.Error("the Graph fake took a fault of status 404")
	}
	_ = f.lw.Do(func(w *sim.World) error { return w.GraphFaults().SetFaults(Faults{}) })
	if got := readHTTP(f, tok); got != 200 {
		t.Errorf("faults lifted on the world's layer: the Graph fake answered %d, want 200", got)
	}

	// the same seed and faults give the same answers whichever path asks
	draws := func(viaHTTP bool) []int {
		f := newFixture(t, Options{Throttle: Throttle{Off: true}})
		tok := f.appToken()
		if err := f.h.SetFaults(Faults{ErrorRate: 0.5, Statuses: []int{500}}); err != nil {
			t.Fatal(err)
		}
		var out []int
		for i := 0; i < 32; i++ {
			if viaHTTP {
				out = append(out, readHTTP(f, tok))
			} else {
				_ = f.lw.Do(func(w *sim.World) error { out = append(out, readSeam(w)); return nil })
			}
		}
		return out
	}
	a, b := draws(true), draws(false)
	n500 := 0
	for _, st := range a {
		if st == 500 {
			n500++
		}
	}
	if n500 == 0 || n500 == len(a) {
		t.Fatalf("at an error rate of 0.5, %d of %d answers were 500: %v", n500, len(a), a)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("the draw differs by path:\n HTTP %v\n seam %v", a, b)
		}
	}
}
