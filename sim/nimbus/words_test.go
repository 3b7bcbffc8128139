package nimbus

import (
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
)

func TestSetTiming(t *testing.T) {
	for _, tc := range []struct {
		word   string
		d      time.Duration
		get    func(*Service) time.Duration
		refuse string // in the error; "" when accepted
	}{
		{"ring time", 20 * time.Second, func(s *Service) time.Duration { return s.RingTime }, ""},
		{"Ring Time", 0, nil, "must be positive"},
		{"after-call work", time.Minute, func(s *Service) time.Duration { return s.ACW }, ""},
		{"after-call work", -time.Second, nil, "negative"},
		{"RONA reset time", 10 * time.Minute, func(s *Service) time.Duration { return s.RONAReset }, ""},
		{"RONA reset time", 5 * time.Second, nil, "RONA"},
		{"maximum wait", time.Hour, func(s *Service) time.Duration { return s.MaxWait }, ""},
	} {
		timing, err := ParseTiming(tc.word)
		if err != nil {
			t.Fatal(err)
		}
		svc := &Service{}
		err = svc.SetTiming(timing, tc.d)
		switch {
		case tc.refuse == "" && err != nil:
			t.Errorf("%s of %s: %v", tc.word, tc.d, err)
		case tc.refuse == "" && tc.get(svc) != tc.d:
			t.Errorf("%s of %s set %s", tc.word, tc.d, tc.get(svc))
		case tc.refuse != "" && (err == nil || !strings.Contains(err.Error(), tc.refuse)):
			t.Errorf("%s of %s: %v, want an error saying %q", tc.word, tc.d, err, tc.refuse)
		}
	}
	if _, err := ParseTiming("hold music"); err == nil || !strings.Contains(err.Error(), "ring time") {
		t.Errorf("an unknown timing: %v, want the list of timings", err)
	}
	for _, timing := range []Timing{RingTime, AfterCallWork, RONAResetTime, MaxWaitTime} {
		if back, err := ParseTiming(timing.String()); err != nil || back != timing {
			t.Errorf("%s does not read back: %v, %v", timing, back, err)
		}
	}
}

// Every column but Available and Offline is reached by a presence set by
// hand, and that presence falls into the column.
func TestByHandFallsIntoItsColumn(t *testing.T) {
	for _, c := range Columns() {
		p, ok := c.ByHand()
		if ok != (c != ColAvailable && c != ColOffline) {
			t.Errorf("%s: set by hand %v", c, ok)
		}
		if ok {
			if got, _ := ColumnOf(p.Availability); got != c {
				t.Errorf("%s by hand is %s, which falls into %s", c, p.Short(), got)
			}
		}
	}
}

func TestOrdinals(t *testing.T) {
	for i := 0; i < 10; i++ {
		if back, err := ParseOrdinal(Ordinal(i)); err != nil || back != i {
			t.Errorf("%d: %q reads back as %d, %v", i, Ordinal(i), back, err)
		}
	}
	if Ordinal(10) != "#11" {
		t.Errorf("Ordinal(10) = %q", Ordinal(10))
	}
	if _, err := ParseOrdinal("eleventh"); err == nil {
		t.Error("eleventh was read")
	}
}

func TestOpenCallsAndWhere(t *testing.T) {
	w := sim.MustNew(1)
	bob, err := w.AddUser("bob", "")
	if err != nil {
		t.Fatal(err)
	}
	m := Of(w)
	svc, err := m.AddService("Support", TeamBased, AvailableOnly)
	if err != nil {
		t.Fatal(err)
	}
	m.AddMember(svc, bob)
	m.Arrive(svc)
	m.Arrive(svc)
	open := m.OpenCalls()
	if len(open) != 2 {
		t.Fatalf("%d open calls, want 2", len(open))
	}
	for _, id := range open {
		c, _ := m.Call(id)
		if where := m.Where(c); !strings.Contains(where, "queue") {
			t.Errorf("a call with no agent signed in is %s", where)
		}
	}
	if d := m.Describe(open[1]); !strings.HasPrefix(d, `the second call of "Support"`) {
		t.Errorf("Describe = %q", d)
	}
}
