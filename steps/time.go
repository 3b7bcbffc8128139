package steps

import "fmt"

func registerTime(s *Scenario, r *registry) {
	r.step(`^it is (day .+|\d.*)$`, "it is 10:00", s.itIs)
	r.step(`^(\d\S*(?: \S+)?|an? \S+) pass(?:es)?$`, "10 minutes pass", s.pass)
	r.step(`^the idle timeout is (.+)$`, "the idle timeout is 15 minutes", s.idleTimeout)
}

// itIs moves virtual time to a clock time, firing due timers.
func (s *Scenario) itIs(at string) error {
	t, err := ParseClock(at, s.world.Clock.Now())
	if err != nil {
		return err
	}
	if t < s.world.Clock.Now() {
		return fmt.Errorf("time cannot move backwards: it is %s already, the step asks for %s (write \"day 2 %s\" for the next day)", s.world.Clock.Now(), t, at)
	}
	return s.world.Clock.RunUntil(t)
}

func (s *Scenario) pass(d string) error {
	dur, err := ParseDuration(d)
	if err != nil {
		return err
	}
	return s.world.Clock.Advance(dur)
}

func (s *Scenario) idleTimeout(d string) error {
	dur, err := ParseDuration(d)
	if err != nil {
		return err
	}
	if dur <= 0 {
		return fmt.Errorf("the idle timeout must be positive, got %s", d)
	}
	set := s.world.Teams.Settings()
	set.IdleTimeout = dur
	return s.world.Teams.SetSettings(set)
}
