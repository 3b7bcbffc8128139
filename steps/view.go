package steps

import (
	"fmt"
	"time"

	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/sim/presence"
)

// View is one thing a step looks at — a user's presence, what a viewer, a
// federated user or a viewer's client shows, what an integration reads —
// with the value the step expects. One View serves the three shapes of a
// view step: "… is X" (Is), "… stays X until 09:45" (StaysUntil) and
// "within 60 seconds … is X" (Within), so every view gains all three.
type View struct {
	// Name says what is looked at: "alice's presence", "bob's view of alice".
	Name string
	// Want is the expected value: a typed value (presence.Presence) or its
	// text ("Away/Away, last seen 09:00").
	Want any
	// Read returns the value now, of Want's type, and whether it is the
	// expected one; detail, when set, says how it was derived ("by T-FED-1
	// from internal Busy/InACall").
	Read func() (got any, ok bool, detail string)
	// Why, when set, explains the model's state for failure messages.
	Why func() string
}

// fail is the failure: a sentence saying what was expected and what the
// model derived, then gomega's comparison of the two values (by name), which
// reports read as the expected and derived values.
func (v View) fail(got any, format string, args ...any) error {
	why := ""
	if v.Why != nil {
		why = v.Why()
	}
	cmp := gomega.Equal(v.Want).FailureMessage(got)
	return &AssertionError{Message: fmt.Sprintf(format, args...) + "\n" + cmp, Why: why}
}

// described prints a value for the sentence of a failure: a presence with
// its Teams label.
func described(v any) string {
	if p, ok := v.(presence.Presence); ok {
		return p.Described()
	}
	return fmt.Sprint(v)
}

func withDetail(got any, detail string) string {
	if detail == "" {
		return described(got)
	}
	return described(got) + " " + detail
}

// Is checks the view now.
func (s *Scenario) Is(v View) error {
	got, ok, detail := v.Read()
	if ok {
		return nil
	}
	return v.fail(got, "%s at %s: expected %s, the model derived %s", v.Name, s.world.Clock.Now(), described(v.Want), withDetail(got, detail))
}

// StaysUntil checks the view now, after every event before until and at
// every second in between (what a viewer's client shows moves with its
// refresh, not only with events), and leaves the clock at until. Events due
// at until itself fire after the step: "stays Busy until 09:45" allows a
// change at 09:45.
func (s *Scenario) StaysUntil(v View, until string) error {
	clk := s.world.Clock
	start := clk.Now()
	end, err := ParseClock(until, start)
	if err != nil {
		return err
	}
	if end <= start {
		return fmt.Errorf("%s is not after now (%s); \"stays … until\" needs a time ahead", end, start)
	}
	check := func() error {
		got, ok, detail := v.Read()
		if ok {
			return nil
		}
		return v.fail(got, "%s was to stay %s from %s until %s, but at %s it is %s", v.Name, described(v.Want), start, end, clk.Now(), withDetail(got, detail))
	}
	if err := check(); err != nil {
		return err
	}
	for t := start; ; {
		next := t.Add(time.Second)
		if next > end {
			next = end
		}
		for clk.Step(next - 1) {
			if err := check(); err != nil {
				return err
			}
		}
		if next == end {
			return clk.RunUntil(end)
		}
		if err := clk.RunUntil(next); err != nil {
			return err
		}
		if err := check(); err != nil {
			return err
		}
		t = next
	}
}

// Within advances time a second at a time until the view shows the
// expected value, failing when the bound passes first. Time stays where the
// view first showed it.
func (s *Scenario) Within(v View, bound string) error {
	d, err := ParseDuration(bound)
	if err != nil {
		return err
	}
	clk := s.world.Clock
	start := clk.Now()
	deadline := start.Add(d)
	for {
		got, ok, detail := v.Read()
		if ok {
			return nil
		}
		if clk.Now() >= deadline {
			return v.fail(got, "within %s of %s: expected %s to show %s, but at %s it still is %s", duration(d), start, v.Name, described(v.Want), clk.Now(), withDetail(got, detail))
		}
		if err := clk.Advance(time.Second); err != nil {
			return err
		}
	}
}

// duration prints a bound the way steps write it: "90 seconds", "1 minute",
// "2 hours".
func duration(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d >= u.d && d%u.d == 0 {
			n := int64(d / u.d)
			if n == 1 {
				return "1 " + u.name
			}
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return d.String()
}
