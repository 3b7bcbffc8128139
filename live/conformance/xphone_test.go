package conformance_test

import (
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
)

// TestXPhoneProcesses runs the XPhone features against the reference
// XPhone connector as its own process, and each planted fault on the
// scenarios that catch it, expecting the failures to name the fault's
// rules. It is not parallel: it runs before the other process tests, so
// that the machine carries one integration's processes at a time.
func TestXPhoneProcesses(t *testing.T) {
	ref := process(t)
	ref.Integration, ref.Command[2] = "xphone", "xphone"
	// a race-built process starting on a machine others load too may take
	// longer than the default to make its first requests
	ref.ConnectTimeout = 3 * eventually.Bound
	targets, tags := []conformance.Target{ref}, []string{"@connector-xphone"}
	faults := connector.FaultsOf("xphone")
	for _, f := range faults {
		tag, ok := faultTags[f]
		if !ok {
			t.Fatalf("no scenarios chosen for the fault %s", f)
		}
		target := process(t, "--fault", f.String())
		target.Integration, target.Command[2] = "xphone", "xphone"
		target.MaxWait = 2 * time.Second
		target.ConnectTimeout = 3 * eventually.Bound
		target.Scale = conformance.DefaultScale / 2
		targets, tags = append(targets, target), append(tags, "@connector-xphone && "+tag)
	}
	res := runAll(targets, tags)
	if res[0].status != 0 {
		t.Errorf("the reference xphone connector process fails its conformance features (status %d):\n%s", res[0].status, res[0].out)
	}
	for i, f := range faults {
		r := res[i+1]
		t.Run(f.String(), func(t *testing.T) {
			if r.status == 0 {
				t.Fatalf("the connector with the fault %s passes the scenarios %s:\n%s", f, tags[i+1], r.out)
			}
			for _, rule := range f.Info().Rules {
				if !strings.Contains(r.out, rule+" at ") && !strings.Contains(r.out, "checks "+rule) && !strings.Contains(r.out, ", "+rule) {
					t.Errorf("the failures do not name %s:\n%s", rule, r.out)
				}
			}
		})
	}
}
