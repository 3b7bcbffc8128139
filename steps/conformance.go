package steps

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// conformanceSteps judge a connector under test against a served world: they
// start the connector, wait for its sessions and check what it wrote.
type conformanceSteps struct{ *Scenario }

// MaxRealWait bounds a step's real wait; a step that would need longer (a
// long stretch of virtual time at a slow time scale) is skipped and says
// why.
const MaxRealWait = 20 * time.Second

// cfState is a scenario's connector under test. While the connector runs,
// the fakes serve the scenario's world from other goroutines: every other
// step runs inside the live world's Do, and these steps take it only for
// the moments they read the world (see registry.free).
type cfState struct {
	s      *conformance.Session
	ended  bool
	output string
}

func registerConformance(sc *Scenario, r *registry) {
	s := conformanceSteps{sc}
	r.free(`^the (CloudLink|Nimbus|PBX|XPhone) connector under test is running$`, "the CloudLink connector under test is running", s.start)
	r.free(`^within (\d+) seconds?, the connector sees (\w+) as (.+)$`, "within 10 seconds, the connector sees alice as Busy", s.withinSees)
	r.free(`^notifications to the connector (stop|resume)$`, "notifications to the connector stop", s.notifications)
	r.free(`^within (\d+) seconds?, (\w+)'s presence is (.+)$`, "within 10 seconds, alice's presence is Busy/InACall", s.withinPresence)
	r.free(`^within (\d+) seconds?, the connector's session for (\w+) is (.+)$`, "within 10 seconds, the connector's session for alice is Busy/InACall", s.withinSession)
	r.free(`^within (\d+) seconds?, the connector has no session for (\w+)$`, "within 10 seconds, the connector has no session for alice", s.withinNoSession)
	r.free(`^the connector keeps running for (.+)$`, "the connector keeps running for 6 minutes", s.runFor)
	r.free(`^(\w+)'s presence stays (.+) while the connector runs for (.+)$`, "alice's presence stays Busy/InACall while the connector runs for 6 minutes", s.stays)
	r.free(`^the connector keeps (?:the )?rules? (.+)$`, "the connector keeps the rules C-1, C-2 and C-3", s.keeps)
	r.free(`^Graph throttles the connector's next (\d+) requests? with Retry-After (\d+) seconds?$`, "Graph throttles the connector's next 3 requests with Retry-After 30 seconds", s.throttle)
	r.free(`^Graph becomes unavailable to the connector$`, "Graph becomes unavailable to the connector", s.outage)
	r.free(`^Graph is available to the connector again$`, "Graph is available to the connector again", s.recover)
	r.free(`^Graph refuses every token the connector has got so far$`, "Graph refuses every token the connector has got so far", s.revoke)
	if r.sc == nil {
		return
	}
	// The connector is stopped at the scenario's last or failed step,
	// before the scenario's own end hooks read the world.
	r.sc.StepContext().After(func(ctx context.Context, step *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		st := s.cf()
		if st == nil || st.s == nil {
			return ctx, nil
		}
		last := s.pickle != nil && len(s.pickle.Steps) > 0 && s.pickle.Steps[len(s.pickle.Steps)-1].Id == step.Id
		if st.ended || !(last || status == godog.StepFailed || err != nil) {
			return ctx, nil
		}
		return s.end(ctx, st), nil
	})
	r.sc.After(func(ctx context.Context, _ *godog.Scenario, _ error) (context.Context, error) {
		if st := s.cf(); st != nil && st.s != nil && !st.ended {
			ctx = s.end(ctx, st)
		}
		return ctx, nil
	})
}

func (s *Scenario) cf() *cfState {
	st, _ := s.ext["conformance"].(*cfState)
	return st
}

// end stops the connector, keeps its output beside the report and
// attaches it to the step.
func (s conformanceSteps) end(ctx context.Context, st *cfState) context.Context {
	st.ended = true
	st.output = st.s.Stop()
	body := st.output
	if dir := st.s.Target().LogDir; dir != "" {
		if p, err := st.s.SaveOutput(dir, s.name); err == nil {
			body = "saved as " + p + "\n" + body
		}
	}
	return godog.Attach(ctx, godog.Attachment{Body: []byte(body), FileName: "connector output", MediaType: "text/plain"})
}

// session returns the running session or says why there is none.
func (s *Scenario) session() (*cfState, error) {
	st := s.cf()
	if st == nil || st.s == nil {
		return nil, errors.New(`no connector under test in this scenario; start it with "Given the CloudLink connector under test is running"`)
	}
	if st.ended {
		return nil, errors.New("the connector under test has been stopped")
	}
	return st, nil
}

func (s conformanceSteps) start(ctx context.Context, integration string) error {
	if st := s.cf(); st != nil && st.s != nil {
		return errors.New("the connector under test is running already")
	}
	t := conformance.TargetOf(ctx)
	name := strings.ToLower(integration)
	if t.Integration != name {
		if len(t.Command) > 0 || t.URL != "" {
			return fmt.Errorf("%w: this run judges %s, not a %s connector", godog.ErrSkip, t.Label(), integration)
		}
		// the built-in suite runs each integration's reference connector
		t.Integration, t.Fault = name, 0
	}
	if name == "cloudlink" || name == "pbx" {
		// The built-in model of the integration is switched off: the PBX
		// steps still act on the world's PBX, and the connector under test
		// does the syncing.
		cl := cloudlink.Of(s.world)
		if cl.Writes() > 0 || cl.Clears() > 0 {
			return errors.New("the built-in CloudLink has written already; start the connector under test before the first PBX step")
		}
		cl.Stop()
	}
	sess, err := conformance.Start(s.world, t)
	if err != nil {
		return err
	}
	st := Ext(s.Scenario, "conformance", func() *cfState { return &cfState{} })
	st.s = sess
	// from here on the world is shared: it is reached through Do
	s.live = sess.World()
	return nil
}

// wait waits until cond holds (run with the world held at every change of
// it), the connector ends, or d passes.
func (s *Scenario) wait(st *cfState, d time.Duration, cond func() bool) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	go func() {
		select {
		case <-st.s.Exited():
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := s.live.Await(ctx, func(*sim.World) bool { return cond() }); err == nil {
		return true, nil
	}
	if alive, how := st.s.Alive(); !alive {
		return false, fmt.Errorf("the connector under test has exited (%s)\n%s", how, st.s.OutputTail(30))
	}
	return false, nil
}

func (st *cfState) seconds(n string) (time.Duration, error) {
	v, err := strconv.Atoi(n)
	if err != nil || v <= 0 || v > 600 {
		return 0, fmt.Errorf("a wait of %q seconds: give 1 to 600", n)
	}
	d := time.Duration(v) * time.Second
	if m := st.s.Target().MaxWait; m > 0 && d > m {
		d = m
	}
	return d, nil
}

// cfWithin is a "within n seconds" step about one user, its arguments
// resolved: the running session, the real wait, the user and, where the
// step names one, the presence awaited.
type cfWithin struct {
	st *cfState
	d  time.Duration
	u  teams.UserID
	p  presence.Presence
}

// withinArgs resolves a "within n seconds" step's arguments; want is ""
// where the step awaits no presence.
func (s conformanceSteps) withinArgs(n, name, want string) (cfWithin, error) {
	var w cfWithin
	var err error
	if w.st, err = s.session(); err != nil {
		return w, err
	}
	if w.d, err = w.st.seconds(n); err != nil {
		return w, err
	}
	if err = s.inWorld(func() error { w.u, err = s.user(name); return err }); err != nil || want == "" {
		return w, err
	}
	w.p, err = presence.Parse(want)
	return w, err
}

// await waits until cond holds; when it does not within the wait, the step
// fails with what now() reads against want, saying msg (both read with the
// world held).
func (s conformanceSteps) await(w cfWithin, cond func() bool, now func() string, want string, msg func() string) error {
	ok, err := s.wait(w.st, w.d, cond)
	if err != nil || ok {
		return err
	}
	var got, why string
	_ = s.inWorld(func() error { got, why = now(), msg(); return nil })
	return Check(s.cfExplain(w.st, w.u), func(g gomega.Gomega) {
		g.Expect(got).To(gomega.Equal(want), why)
	})
}

// sprintf defers a failure message until it is needed.
func sprintf(format string, a ...any) func() string {
	return func() string { return fmt.Sprintf(format, a...) }
}

func (s conformanceSteps) withinPresence(n, name, want string) error {
	w, err := s.withinArgs(n, name, want)
	if err != nil {
		return err
	}
	return s.await(w, func() bool { return s.world.Teams.Presence(w.u) == w.p },
		func() string { return s.world.Teams.Presence(w.u).Short() }, w.p.Short(),
		sprintf("%s's presence did not become %s within %s of real time with %s", name, w.p.Short(), w.d, w.st.s.Target().Label()))
}

// checks names the rules the scenario is tagged with, for failures.
func (s *Scenario) checks() string {
	if s.pickle == nil {
		return ""
	}
	var ids []string
	for _, t := range s.pickle.Tags {
		if id := strings.TrimPrefix(t.Name, "@"); strings.Contains(id, "-") && !strings.HasPrefix(id, "connector-") {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return "this scenario checks " + strings.Join(ids, ", ") + "\n"
}

func (s *Scenario) cfExplain(st *cfState, u teams.UserID) func() string {
	return func() string {
		vs := st.s.Judge(s.live.Now())
		var out string
		_ = s.inWorld(func() error { out = s.checks() + s.world.Teams.Explain(u).String(); return nil })
		if len(vs) > 0 {
			out += "\nrules the connector broke so far:\n" + conformance.Report(vs) + "\n" + st.s.Evidence(vs)
		}
		return out + "\n" + st.s.OutputTail(15)
	}
}

func (s conformanceSteps) sessionOf(st *cfState, u teams.UserID) (presence.Presence, bool) {
	p, _, ok := s.world.Teams.AppSession(u, st.s.AppSession)
	return p, ok
}

func (s conformanceSteps) withinSession(n, name, want string) error {
	w, err := s.withinArgs(n, name, want)
	if err != nil {
		return err
	}
	return s.await(w, func() bool { got, ok := s.sessionOf(w.st, w.u); return ok && got == w.p },
		func() string {
			if got, has := s.sessionOf(w.st, w.u); has {
				return got.Short()
			}
			return "no session"
		}, w.p.Short(),
		sprintf("the connector's session for %s did not become %s within %s (CL-6, CL-8)", name, w.p.Short(), w.d))
}

func (s conformanceSteps) withinNoSession(n, name string) error {
	w, err := s.withinArgs(n, name, "")
	if err != nil {
		return err
	}
	return s.await(w, func() bool { _, has := s.sessionOf(w.st, w.u); return !has },
		func() string { got, _ := s.sessionOf(w.st, w.u); return got.Short() }, "no session",
		sprintf("the connector still holds a session for %s after %s; the state has ended, so it must clear it (C-3, CL-8)", name, w.d))
}

// realWait converts a stretch of virtual time into the real wait, or skips
// the step when that is longer than MaxRealWait.
func (s conformanceSteps) realWait(st *cfState, v string) (time.Duration, time.Duration, error) {
	d, err := ParseDuration(v)
	if err != nil {
		return 0, 0, err
	}
	real := st.s.Real(d)
	if real > MaxRealWait {
		why := fmt.Sprintf("skipped: %s of virtual time takes %s of real time at the time scale %g, more than a step may wait (%s); run with a faster --time-scale if the connector honours %s",
			d, real.Round(time.Second), st.s.Target().Scale, MaxRealWait, "PRESENCESIM_TIME_SCALE")
		st.s.Note(why)
		return 0, 0, fmt.Errorf("%w: %s", godog.ErrSkip, why)
	}
	return d, real, nil
}

func (s conformanceSteps) runFor(v string) error {
	st, err := s.session()
	if err != nil {
		return err
	}
	_, real, err := s.realWait(st, v)
	if err != nil {
		return err
	}
	_, err = s.wait(st, real, func() bool { return false })
	return err
}

func (s conformanceSteps) stays(name, want, v string) error {
	st, err := s.session()
	if err != nil {
		return err
	}
	var u teams.UserID
	if err := s.inWorld(func() error { u, err = s.user(name); return err }); err != nil {
		return err
	}
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	d, real, err := s.realWait(st, v)
	if err != nil {
		return err
	}
	var broke presence.Presence
	var at string
	if _, err := s.wait(st, real, func() bool {
		if got := s.world.Teams.Presence(u); got != p && at == "" {
			broke, at = got, s.world.Clock.Now().String()
		}
		return false
	}); err != nil {
		return err
	}
	if at == "" {
		return nil
	}
	return Check(s.cfExplain(st, u), func(g gomega.Gomega) {
		g.Expect(broke.Short()).To(gomega.Equal(p.Short()),
			fmt.Sprintf("%s's presence left %s at %s, within the %s it should have held", name, p.Short(), at, d))
	})
}

func (s conformanceSteps) keeps(list string) error {
	st, err := s.session()
	if err != nil {
		return err
	}
	var rules []string
	known := map[string]bool{}
	for _, r := range conformance.Rules {
		known[r.ID] = true
	}
	for _, r := range splitNames(list) {
		r = strings.TrimPrefix(r, "the ")
		if !known[r] {
			ids := make([]string, 0, len(conformance.Rules))
			for _, x := range conformance.Rules {
				ids = append(ids, x.ID)
			}
			return fmt.Errorf("the harness cannot judge %q from the fakes; it judges %s", r, strings.Join(ids, ", "))
		}
		rules = append(rules, r)
	}
	vs := st.s.Judge(s.live.Now(), rules...)
	if len(vs) == 0 {
		return nil
	}
	evidence := st.s.Evidence(vs)
	return Check(func() string { return s.checks() + st.s.OutputTail(15) }, func(g gomega.Gomega) {
		g.Expect(conformance.RuleIDs(vs)).To(gomega.BeEmpty(), fmt.Sprintf("%s broke %s:\n%s\n%s", st.s.Target().Label(), strings.Join(conformance.RuleIDs(vs), ", "), conformance.Report(vs), evidence))
	})
}

func (s conformanceSteps) throttle(n, ra string) error {
	st, err := s.session()
	if err != nil {
		return err
	}
	count, err := strconv.Atoi(n)
	if err != nil || count < 1 || count > 100 {
		return fmt.Errorf("throttle %q requests: give 1 to 100", n)
	}
	secs, err := strconv.Atoi(ra)
	if err != nil || secs < 1 || secs > 3600 {
		return fmt.Errorf("Retry-After %q: give 1 to 3600 seconds", ra)
	}
	s.inject(st, count, graph.Faults{ErrorRate: 1, Statuses: []int{429}, RetryAfter: secs})
	return nil
}

// inject gives the connector's next n requests the faults f (-1: every
// request until told otherwise; 0 with no faults: none).
func (s conformanceSteps) inject(st *cfState, n int, f graph.Faults) { st.s.InjectFaults(n, f) }

// faults is a step that sets the connector's faults and nothing else.
func (s conformanceSteps) faults(n int, f graph.Faults) error {
	st, err := s.session()
	if err != nil {
		return err
	}
	s.inject(st, n, f)
	return nil
}

func (s conformanceSteps) outage() error {
	return s.faults(-1, graph.Faults{ErrorRate: 1, Statuses: []int{503}, RetryAfter: 5})
}

func (s conformanceSteps) recover() error { return s.faults(0, graph.Faults{}) }

// revoke revokes the connector's tokens; one that has none yet cannot be
// judged on its recovery, so the step says so.
func (s conformanceSteps) revoke() error {
	st, err := s.session()
	if err != nil {
		return err
	}
	if st.s.RevokeTokens() == 0 {
		return fmt.Errorf("the connector has got no token from the identity platform yet, so there is none to refuse\n%s", st.s.OutputTail(15))
	}
	return nil
}

func (s conformanceSteps) withinSees(n, name, want string) error {
	w, err := s.withinArgs(n, name, want)
	if err != nil {
		return err
	}
	var id string
	_ = s.inWorld(func() error { id = s.world.Teams.Dir(w.u).ID; return nil })
	sees := func() (presence.Presence, bool) {
		v, ok := w.st.s.Sees(id)
		if !ok {
			return presence.Presence{}, false
		}
		return v.Presence()
	}
	return s.await(w, func() bool { got, ok := sees(); return ok && got == w.p.Pair() },
		func() string {
			if got, has := sees(); has {
				return got.Short()
			}
			return "nothing reported"
		}, w.p.Short(),
		func() string {
			return fmt.Sprintf("the connector did not come to see %s as %s within %s; Teams shows %s (a reader converges to the true presence, C-7)", name, w.p.Short(), w.d, s.world.Teams.Presence(w.u).Short())
		})
}

func (s conformanceSteps) notifications(what string) error {
	st, err := s.session()
	if err != nil {
		return err
	}
	st.s.StopNotifications(what == "stop")
	return nil
}
