package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cucumber/godog"

	xphoneapi "github.com/presencesim/presencesim/fakes/xphone"
)

// xphoneConformanceSteps judge an XPhone connector under test, beside the
// conformance steps they build on.
type xphoneConformanceSteps struct{ conformanceSteps }

// The XPhone side of a conformance scenario lives on the XPhone server
// fake, which the connector under test reads; these phrases drive it and
// read what the connector wrote back. They differ from the built-in
// model's phrases (steps/xphone.go), which drive sim/xphone.
func registerXPhoneConformance(sc *Scenario, r *registry) {
	s := xphoneConformanceSteps{conformanceSteps{sc}}
	r.free(`^(\w+)'s profiles in XPhone are:$`, "alice's profiles in XPhone are:", s.profiles)
	r.free(`^(\w+) picks the profile "([^"]+)" in XPhone$`, `alice picks the profile "Nicht stören" in XPhone`, s.pick)
	r.free(`^(\w+) makes a call with XPhone$`, "alice makes a call with XPhone", s.call(true))
	r.free(`^(\w+) hangs up in XPhone$`, "alice hangs up in XPhone", s.call(false))
	r.free(`^(\w+) (joins|leaves) a meeting in XPhone$`, "alice joins a meeting in XPhone", s.meeting)
	r.free(`^the process "([^"]+)" (starts|stops) using (\w+)'s microphone in XPhone$`, `the process "Zoom" starts using alice's microphone in XPhone`, s.microphone)
	r.free(`^within (\d+) seconds?, (\w+)'s profile in XPhone is "([^"]+)"$`, `within 10 seconds, alice's profile in XPhone is "Nicht stören"`, s.withinProfile)
	r.free(`^(\w+)'s profile in XPhone stays "([^"]+)" while the connector runs for (.+)$`, `alice's profile in XPhone stays "Nicht stören" while the connector runs for 1 minute`, s.staysProfile)
	r.free(`^within (\d+) seconds?, (\w+) has the appointment "([^"]+)" with profile "([^"]+)" in XPhone$`, `within 10 seconds, alice has the appointment "Am Telefon (MS Teams)" with profile "Termin" in XPhone`, s.withinAppointment)
	r.free(`^within (\d+) seconds?, (\w+) has no appointment in XPhone$`, "within 10 seconds, alice has no appointment in XPhone", s.withinNoAppointment)
	r.free(`^(\w+) has no appointment in XPhone$`, "alice has no appointment in XPhone", s.noAppointment)
	r.free(`^within (\d+) seconds?, (\w+)'s preferred presence is (.+)$`, "within 10 seconds, alice's preferred presence is DoNotDisturb/DoNotDisturb", s.withinPreferred)
	r.free(`^within (\d+) seconds?, the connector has subscribed to presence$`, "within 10 seconds, the connector has subscribed to presence", s.withinSubscribed)
	r.free(`^within (\d+) seconds?, (\w+) has no preferred presence$`, "within 10 seconds, alice has no preferred presence", s.withinNoPreferred)
}

// xc is the XPhone server of the running session, or why there is none.
func (s xphoneConformanceSteps) xc() (*cfState, *xphoneapi.Handler, error) {
	st, err := s.session()
	if err != nil {
		return nil, nil, err
	}
	if st.s.XPhone == nil || st.s.Target().Integration != "xphone" {
		return nil, nil, errors.New(`the connector under test is not an XPhone connector; start it with "Given the XPhone connector under test is running"`)
	}
	return st, st.s.XPhone, nil
}

func (s xphoneConformanceSteps) profiles(name string, t *godog.Table) error {
	_, h, err := s.xc()
	if err != nil {
		return err
	}
	list, err := profilesTable(t)
	if err != nil {
		return err
	}
	if err := h.SetProfiles(name, list); err != nil {
		return err
	}
	// The profiles reach the connector before Teams changes; one that
	// never reads XPhone is judged by the steps that follow.
	ctx, cancel := context.WithTimeout(context.Background(), profilesReadBound)
	defer cancel()
	_ = h.AwaitRead(ctx)
	return nil
}

// profilesReadBound ends the wait for the connector to read new profiles.
const profilesReadBound = 5 * time.Second

func (s xphoneConformanceSteps) pick(name, profile string) error {
	_, h, err := s.xc()
	if err != nil {
		return err
	}
	return h.SelectProfile(name, profile)
}

func (s xphoneConformanceSteps) call(on bool) func(string) error {
	return func(name string) error {
		_, h, err := s.xc()
		if err != nil {
			return err
		}
		return h.Call(name, on)
	}
}

func (s xphoneConformanceSteps) meeting(name, what string) error {
	_, h, err := s.xc()
	if err != nil {
		return err
	}
	return h.Meeting(name, what == "joins")
}

func (s xphoneConformanceSteps) microphone(process, what, name string) error {
	_, h, err := s.xc()
	if err != nil {
		return err
	}
	return h.Microphone(name, process, what == "starts")
}

// view reads the user's XPhone side; the world is held.
func (s xphoneConformanceSteps) view(h *xphoneapi.Handler, name string) xphoneapi.UserView {
	v, _ := h.View(s.world, name)
	return v
}

func apptText(v xphoneapi.UserView) string {
	if len(v.Appointments) == 0 {
		return "no appointment"
	}
	var parts []string
	for _, a := range v.Appointments {
		parts = append(parts, fmt.Sprintf("%q with profile %q", a.Text, a.Profile))
	}
	return strings.Join(parts, ", ")
}

func (s xphoneConformanceSteps) withinProfile(n, name, want string) error {
	w, err := s.withinArgs(n, name, "")
	if err != nil {
		return err
	}
	_, h, err := s.xc()
	if err != nil {
		return err
	}
	return s.await(w, func() bool { return strings.EqualFold(s.view(h, name).Selected, want) },
		func() string { return s.view(h, name).Selected }, want,
		func() string {
			return fmt.Sprintf("%s's profile in XPhone did not become %q within %s; Teams shows %s (XP-6: Teams' Do not disturb selects the first Do-not-disturb profile; XP-14: back to the one before when it ends)",
				name, want, w.d, s.world.Teams.Presence(w.u).Short())
		})
}

func (s xphoneConformanceSteps) staysProfile(name, want, v string) error {
	st, h, err := s.xc()
	if err != nil {
		return err
	}
	d, real, err := s.realWait(st, v)
	if err != nil {
		return err
	}
	var got, at string
	if _, err := s.wait(st, real, func() bool {
		if sel := s.view(h, name).Selected; !strings.EqualFold(sel, want) && at == "" {
			got, at = sel, s.world.Clock.Now().String()
		}
		return false
	}); err != nil {
		return err
	}
	if at == "" {
		return nil
	}
	w, _ := s.withinArgs("1", name, "")
	return Check(s.cfExplain(st, w.u), func(g gomegaG) {
		g.Expect(got).To(equal(want), fmt.Sprintf("%s's profile in XPhone left %q at %s, within the %s it should have held", name, want, at, d))
	})
}

func (s xphoneConformanceSteps) withinAppointment(n, name, text, profile string) error {
	w, err := s.withinArgs(n, name, "")
	if err != nil {
		return err
	}
	_, h, err := s.xc()
	if err != nil {
		return err
	}
	want := fmt.Sprintf("%q with profile %q", text, profile)
	return s.await(w, func() bool {
		for _, a := range s.view(h, name).Appointments {
			if a.Text == text && strings.EqualFold(a.Profile, profile) {
				return true
			}
		}
		return false
	}, func() string { return apptText(s.view(h, name)) }, want,
		func() string {
			return fmt.Sprintf("no appointment %s in %s's XPhone appointment list within %s; Teams shows %s (XP-4, XP-7: a Teams call or meeting appears as an appointment)", want, name, w.d, s.world.Teams.Presence(w.u).Short())
		})
}

func (s xphoneConformanceSteps) withinNoAppointment(n, name string) error {
	w, err := s.withinArgs(n, name, "")
	if err != nil {
		return err
	}
	_, h, err := s.xc()
	if err != nil {
		return err
	}
	return s.await(w, func() bool { return len(s.view(h, name).Appointments) == 0 },
		func() string { return apptText(s.view(h, name)) }, "no appointment",
		func() string {
			return fmt.Sprintf("%s's XPhone appointment list still holds an appointment after %s; Teams shows %s (XP-8: the appointment goes when the Teams call ends)", name, w.d, s.world.Teams.Presence(w.u).Short())
		})
}

func (s xphoneConformanceSteps) noAppointment(name string) error {
	st, h, err := s.xc()
	if err != nil {
		return err
	}
	var got string
	_ = s.inWorld(func() error { got = apptText(s.view(h, name)); return nil })
	if got == "no appointment" {
		return nil
	}
	w, _ := s.withinArgs("1", name, "")
	return Check(s.cfExplain(st, w.u), func(g gomegaG) {
		g.Expect(got).To(equal("no appointment"), fmt.Sprintf("%s's XPhone appointment list holds an appointment the connector made; nothing in Teams but the connector's own write called for it (XP-13)", name))
	})
}

func (s xphoneConformanceSteps) preferred(w cfWithin) string {
	p, _, _, ok := s.world.Teams.Preferred(w.u)
	if !ok {
		return "no preferred presence"
	}
	return p.Short()
}

func (s xphoneConformanceSteps) withinPreferred(n, name, want string) error {
	w, err := s.withinArgs(n, name, want)
	if err != nil {
		return err
	}
	if _, _, err := s.xc(); err != nil {
		return err
	}
	return s.await(w, func() bool { return s.preferred(w) == w.p.Short() },
		func() string { return s.preferred(w) }, w.p.Short(),
		sprintf("%s's preferred presence did not become %s within %s (XP-10: XPhone's Do not disturb is written as preferred presence)", name, w.p.Short(), w.d))
}

func (s xphoneConformanceSteps) withinNoPreferred(n, name string) error {
	w, err := s.withinArgs(n, name, "")
	if err != nil {
		return err
	}
	if _, _, err := s.xc(); err != nil {
		return err
	}
	return s.await(w, func() bool { return s.preferred(w) == "no preferred presence" },
		func() string { return s.preferred(w) }, "no preferred presence",
		sprintf("%s's preferred presence was not cleared within %s after the Do not disturb ended in XPhone (C-4)", name, w.d))
}

// withinSubscribed waits for a live subscription of the connector's app.
// The Graph fake's subscriptions are read outside the world's lock, so
// the wait looks again every few milliseconds, bounded by the step.
func (s xphoneConformanceSteps) withinSubscribed(n string) error {
	st, err := s.session()
	if err != nil {
		return err
	}
	d, err := st.seconds(n)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(d)
	for {
		for _, sub := range st.s.Graph.Subscriptions() {
			if strings.EqualFold(sub.ApplicationID, st.s.App.AppID) {
				return nil
			}
		}
		if alive, how := st.s.Alive(); !alive {
			return fmt.Errorf("the connector under test has exited (%s)\n%s", how, st.s.OutputTail(30))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the connector has no subscription to presence after %s (C-6: a reader subscribes to change notifications)\n%s", d, st.s.OutputTail(15))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
