package steps

import (
	"fmt"

	"github.com/presencesim/presencesim/sim/presence"
)

// timeSteps move virtual time and set Teams' timers.
type timeSteps struct{ *Scenario }

func registerTime(sc *Scenario, r *registry) {
	s := timeSteps{sc}
	r.step(`^it is (day .+|\d.*)$`, "it is 10:00", s.itIs)
	r.step(`^(\d\S*(?: \S+)?|an? \S+) pass(?:es)?$`, "10 minutes pass", s.pass)
	r.step(`^the idle timeout is (.+)$`, "the idle timeout is 15 minutes", s.idleTimeout)
	r.step(`^a vanished client's session times out after (.+)$`, "a vanished client's session times out after 10 minutes", s.vanishedTimeout)
	r.step(`^focus time shows as (.+)$`, "focus time shows as Busy/InAMeeting", s.focusShows)
}

// itIs moves virtual time to a clock time, firing due timers.
func (s timeSteps) itIs(at string) error {
	t, err := ParseClock(at, s.world.Clock.Now())
	if err != nil {
		return err
	}
	if t < s.world.Clock.Now() {
		return fmt.Errorf("time cannot move backwards: it is %s already, the step asks for %s (write \"day 2 %s\" for the next day)", s.world.Clock.Now(), t, at)
	}
	return s.world.Clock.RunUntil(t)
}

func (s timeSteps) pass(d string) error {
	dur, err := ParseDuration(d)
	if err != nil {
		return err
	}
	return s.world.Clock.Advance(dur)
}

func (s timeSteps) idleTimeout(d string) error {
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

func (s timeSteps) vanishedTimeout(d string) error {
	dur, err := ParseDuration(d)
	if err != nil {
		return err
	}
	if dur <= 0 {
		return fmt.Errorf("the timeout of a vanished client must be positive, got %s", d)
	}
	set := s.world.Teams.Settings()
	set.VanishedTimeout = dur
	return s.world.Teams.SetSettings(set)
}

// focusShows chooses what focus time shows (T-CAL-2): the default
// DoNotDisturb/Focusing, or Busy/InAMeeting as seed 000 describes it.
func (s timeSteps) focusShows(want string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	set := s.world.Teams.Settings()
	switch p {
	case presence.Of(presence.DoNotDisturb, presence.Focusing):
		set.FocusAsMeeting = false
	case presence.Of(presence.Busy, presence.InAMeeting):
		set.FocusAsMeeting = true
	default:
		return fmt.Errorf("focus time shows as DoNotDisturb/Focusing (the default, seeds 002 and 003) or Busy/InAMeeting (seed 000), not %s (T-CAL-2)", p.Short())
	}
	return s.world.Teams.SetSettings(set)
}
