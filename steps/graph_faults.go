package steps

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

func init() { register("Graph faults", 73, registerGraphFaults) }

// Graph's faults are the world's Graph layer: the Graph fake serving HTTP
// and the seams of in-process models meet the same settings and draw.
func registerGraphFaults(s *Scenario, r *registry) {
	r.step(`^Graph delays notifications about (\w+) by (.+)$`, "Graph delays notifications about alice by 30 seconds", s.gfDelay)
	r.step(`^Graph delivers notifications about (\w+) in reverse order$`, "Graph delivers notifications about alice in reverse order", s.gfReverse)
	r.step(`^Graph drops the next (?:(\d+) )?notifications? about (\w+)$`, "Graph drops the next notification about alice", s.gfDrop)
	r.step(`^Graph duplicates notifications about (\w+)$`, "Graph duplicates notifications about alice", s.gfDuplicate)
	r.step(`^a reader app subscribes to (\w+)'s presence through Graph$`, "a reader app subscribes to alice's presence through Graph", s.gfSubscribe)
	r.step(`^the reader app got (\d+) notifications? about (\w+)$`, "the reader app got 2 notifications about alice", s.gfGotCount)
	r.step(`^the reader app got the notifications about (\w+) in the order (.+)$`, "the reader app got the notifications about alice in the order Busy/InACall, Available", s.gfGotOrder)
	r.step(`^the reader app got every notification about (\w+) at least (.+) after its change$`, "the reader app got every notification about alice at least 30 seconds after its change", s.gfGotLate)
	r.step(`^the reader app, keeping the newest sequenceNumber, shows (\w+) as (.+)$`, "the reader app, keeping the newest sequenceNumber, shows alice as Busy/InACall", s.gfReaderShows)
	r.free(`^within `+within+` of virtual time, (\w+)'s presence is (.+)$`, "within 1 minute of virtual time, alice's presence is Busy/InACall", s.gfWithinVirtual)
	r.free(`^(CloudLink|the connector) backs off exponentially while Graph fails$`, "CloudLink backs off exponentially while Graph fails", s.gfBacksOff)
	r.free(`^no request of (CloudLink|the connector) comes sooner than the Retry-After$`, "no request of CloudLink comes sooner than the Retry-After", s.gfNoSooner)
}

// gfLayer is the world's Graph layer, journalling from the first fault
// step on so the checks below can read what was asked and answered.
func (s *Scenario) gfLayer() *graph.Layer {
	l := s.world.GraphFaults()
	l.Watch()
	return l
}

// gfFaults is "the Graph fake answers 100% of requests with 503": the
// share, the statuses and the Retry-After (5 s unless said) of every
// request to Graph, over HTTP and from in-process models.
func (s *Scenario) gfFaults(pct int, list, retryAfter string) error {
	if pct < 0 || pct > 100 {
		return fmt.Errorf("a share is 0%% to 100%%, got %d%%", pct)
	}
	var codes []int
	for _, part := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if part == "or" {
			continue
		}
		c, err := strconv.Atoi(part)
		if err != nil {
			return fmt.Errorf("cannot inject %q; valid: %v", part, graph.FaultStatuses)
		}
		codes = append(codes, c)
	}
	ra := 5
	if retryAfter != "" {
		d, err := ParseDuration(retryAfter)
		if err != nil {
			return err
		}
		if d < time.Second || d%time.Second != 0 {
			return fmt.Errorf("Retry-After %q: Graph sends whole seconds, at least 1", retryAfter)
		}
		ra = int(d / time.Second)
	}
	return s.gfLayer().SetFaults(graph.Faults{ErrorRate: float64(pct) / 100, Statuses: codes, RetryAfter: ra})
}

func (s *Scenario) gfNoFaults() error { return s.gfLayer().SetFaults(graph.Faults{}) }

// gfLimit is "the Graph limit is 1 request per 30 seconds" (G-THR-1).
func (s *Scenario) gfLimit(n int, per string) error {
	d, err := ParseDuration(per)
	if err != nil {
		return err
	}
	if n <= 0 || d <= 0 {
		return fmt.Errorf("the limit needs a positive count and window, got %d per %s", n, per)
	}
	s.gfLayer().SetThrottle(graph.Throttle{Limit: n, Window: d})
	return nil
}

// gfNotify changes the notification faults about a user.
func (s *Scenario) gfNotify(name string, change func(*graph.NotifyFaults) error) error {
	return s.onUser(name, func(id teams.UserID) error {
		l := s.gfLayer()
		nf := l.NotifyFaultsOf(id)
		if err := change(&nf); err != nil {
			return err
		}
		return l.SetNotifyFaults(id, nf)
	})
}

func (s *Scenario) gfDelay(name, by string) error {
	d, err := ParseDuration(by)
	if err != nil {
		return err
	}
	return s.gfNotify(name, func(nf *graph.NotifyFaults) error { nf.Delay = d; return nil })
}

func (s *Scenario) gfReverse(name string) error {
	return s.gfNotify(name, func(nf *graph.NotifyFaults) error { nf.Reverse = true; return nil })
}

func (s *Scenario) gfDuplicate(name string) error {
	return s.gfNotify(name, func(nf *graph.NotifyFaults) error { nf.Duplicate = true; return nil })
}

func (s *Scenario) gfDrop(n, name string) error {
	count := 1
	if n != "" {
		var err error
		if count, err = strconv.Atoi(n); err != nil || count < 1 || count > 1000 {
			return fmt.Errorf("drop the next %q notifications: give 1 to 1000", n)
		}
	}
	return s.gfNotify(name, func(nf *graph.NotifyFaults) error { nf.DropNext += count; return nil })
}

// gfReader is the scenario's reader app: it records every notification
// and keeps, per user, the one with the highest sequenceNumber (C-8).
type gfReader struct {
	got    []gfNote
	newest map[teams.UserID]graph.Presence
}

type gfNote struct {
	at clock.Time
	n  graph.Notification
}

// maxReaderNotes caps what the reader keeps; a scenario reads a handful.
const maxReaderNotes = 10_000

func (r *gfReader) Notified(now clock.Time, n graph.Notification) {
	if len(r.got) < maxReaderNotes {
		r.got = append(r.got, gfNote{at: now, n: n})
	}
	if old, ok := r.newest[n.Presence.User]; !ok || n.Presence.Sequence > old.Sequence {
		r.newest[n.Presence.User] = n.Presence
	}
}

func (s *Scenario) gfReaderState() *gfReader {
	return Ext(s, "graph faults reader", func() *gfReader { return &gfReader{newest: map[teams.UserID]graph.Presence{}} })
}

func (s *Scenario) gfSubscribe(name string) error {
	return s.onUser(name, func(id teams.UserID) error {
		_, err := s.world.Graph("presencesim reader").Subscribe([]teams.UserID{id}, s.gfReaderState())
		return err
	})
}

// gfNotes lists the reader's notifications about a user.
func (s *Scenario) gfNotes(name string) (teams.UserID, []gfNote, error) {
	id, err := s.user(name)
	if err != nil {
		return 0, nil, err
	}
	st, ok := s.ext["graph faults reader"].(*gfReader)
	if !ok {
		return 0, nil, fmt.Errorf(`no reader app in this scenario; add "a reader app subscribes to %s's presence through Graph"`, name)
	}
	var out []gfNote
	for _, n := range st.got {
		if n.n.Presence.User == id {
			out = append(out, n)
		}
	}
	return id, out, nil
}

func gfNotesText(ns []gfNote) string {
	var b strings.Builder
	b.WriteString("the reader app's notifications:\n")
	for _, n := range ns {
		fmt.Fprintf(&b, "  at %s: %s, sequenceNumber %d, changed at %s\n", n.at, n.n.Presence.Presence.Short(), n.n.Presence.Sequence, n.n.Changed)
	}
	return b.String()
}

func (s *Scenario) gfWhy(id teams.UserID, ns []gfNote) func() string {
	return func() string { return gfNotesText(ns) + s.world.Teams.Explain(id).String() }
}

func (s *Scenario) gfGotCount(n int, name string) error {
	id, ns, err := s.gfNotes(name)
	if err != nil {
		return err
	}
	return Check(s.gfWhy(id, ns), func(g gomegaG) {
		g.Expect(len(ns)).To(equal(n), "notifications about %s the reader app got", name)
	})
}

func (s *Scenario) gfGotOrder(name, list string) error {
	var want []string
	for _, part := range strings.Split(list, ",") {
		p, err := presence.Parse(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "then ")))
		if err != nil {
			return err
		}
		want = append(want, p.Short())
	}
	id, ns, err := s.gfNotes(name)
	if err != nil {
		return err
	}
	var got []string
	for _, n := range ns {
		got = append(got, n.n.Presence.Presence.Short())
	}
	return Check(s.gfWhy(id, ns), func(g gomegaG) {
		g.Expect(got).To(equal(want), "the presences of the notifications about %s, in the order the reader app got them", name)
	})
}

func (s *Scenario) gfGotLate(name, least string) error {
	d, err := ParseDuration(least)
	if err != nil {
		return err
	}
	id, ns, err := s.gfNotes(name)
	if err != nil {
		return err
	}
	return Check(s.gfWhy(id, ns), func(g gomegaG) {
		g.Expect(len(ns)).NotTo(equal(0), "the reader app got no notification about %s", name)
		for _, n := range ns {
			g.Expect(n.at.Sub(n.n.Changed) >= d).To(equal(true), "the notification of %s (changed at %s) reached the reader app at %s, %s after its change; expected at least %s",
				n.n.Presence.Presence.Short(), n.n.Changed, n.at, n.at.Sub(n.n.Changed), d)
		}
	})
}

func (s *Scenario) gfReaderShows(name, want string) error {
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	id, ns, err := s.gfNotes(name)
	if err != nil {
		return err
	}
	got, ok := s.gfReaderState().newest[id]
	return Check(s.gfWhy(id, ns), func(g gomegaG) {
		g.Expect(ok).To(equal(true), "the reader app got no notification about %s", name)
		g.Expect(got.Presence).To(equal(p), "the reader app keeping the newest sequenceNumber (C-8) shows %s as %s (sequenceNumber %d), expected %s", name, got.Presence.Short(), got.Sequence, p.Short())
	})
}

// gfWithinVirtual waits until the user's presence is want, by at most the
// bound of virtual time: in process the clock moves a second at a time;
// with a connector under test the clock runs live and the step waits in
// real time, then judges by the virtual time the presence was first seen.
func (s *Scenario) gfWithinVirtual(bound, name, want string) error {
	if s.live == nil {
		return s.presenceWithin(bound, name, want)
	}
	st, err := s.session()
	if err != nil {
		return err
	}
	d, err := ParseDuration(bound)
	if err != nil {
		return err
	}
	p, err := presence.Parse(want)
	if err != nil {
		return err
	}
	var u teams.UserID
	var start clock.Time
	if err := s.inWorld(func() error { u, err = s.user(name); start = s.world.Clock.Now(); return err }); err != nil {
		return err
	}
	var seen clock.Time
	ok, err := s.wait(st, min(MaxRealWait, 4*st.s.Real(d)+2*time.Second), func() bool {
		if s.world.Teams.Presence(u) == p {
			seen = s.world.Clock.Now()
			return true
		}
		return false
	})
	if err != nil {
		return err
	}
	var got presence.Presence
	_ = s.inWorld(func() error { got = s.world.Teams.Presence(u); return nil })
	return Check(s.cfExplain(st, u), func(g gomega.Gomega) {
		g.Expect(ok).To(gomega.BeTrue(), "%s's presence did not become %s with %s; it is %s", name, p.Short(), st.s.Target().Label(), got.Short())
		g.Expect(seen.Sub(start) <= d).To(gomega.BeTrue(), "%s's presence became %s %s of virtual time after %s, later than %s", name, p.Short(), seen.Sub(start), start, d)
	})
}

// gfAttempt is one request to Graph as a check of retries reads it.
type gfAttempt struct {
	at         clock.Time
	what       string
	status     int
	retryAfter time.Duration
}

func (a gfAttempt) failed() bool { return a.status == 429 || a.status >= 500 }

// gfAttempts lists the Graph requests of the built-in CloudLink (from the
// world's Graph journal) or of the connector under test (from the wire),
// oldest first; token and identity requests are not Graph's.
func (s *Scenario) gfAttempts(who string) ([]gfAttempt, error) {
	var out []gfAttempt
	if who == "the connector" {
		st, err := s.session()
		if err != nil {
			return nil, err
		}
		for _, c := range st.s.Wire().Calls() {
			if c.Action == "token" || c.Action == "identity" {
				continue
			}
			out = append(out, gfAttempt{at: c.At, what: c.Method + " " + c.Action, status: c.Status, retryAfter: time.Duration(c.RetryAfter) * time.Second})
		}
		return out, nil
	}
	err := s.inWorld(func() error {
		cl, ok := sim.Find[*cloudlink.Model](s.world)
		if !ok {
			return errors.New("no built-in CloudLink in this scenario")
		}
		if !s.world.GraphFaults().Journalling() {
			return errors.New("the Graph journal is off: set a Graph fault or limit first")
		}
		for _, r := range s.world.GraphFaults().Requests(cl.Settings().AppID) {
			out = append(out, gfAttempt{at: r.At, what: r.Op.String(), status: r.Status, retryAfter: r.RetryAfter})
		}
		return nil
	})
	return out, err
}

func gfAttemptsText(as []gfAttempt) string {
	var b strings.Builder
	b.WriteString("requests to Graph:\n")
	for i, a := range as {
		gap := ""
		if i > 0 {
			gap = fmt.Sprintf(" (+%s)", a.at.Sub(as[i-1].at).Round(time.Millisecond))
		}
		ra := ""
		if a.retryAfter > 0 {
			ra = fmt.Sprintf(", Retry-After %s", a.retryAfter)
		}
		fmt.Fprintf(&b, "  %s%s %s → %d%s\n", a.at, gap, a.what, a.status, ra)
	}
	return b.String()
}

// The back-off a check of retries holds a connector to: after the k-th
// failure in a row it waits at least 2 s · 2^k, up to 30 s.
const (
	gfFirstBackoff = 2 * time.Second
	gfMaxBackoff   = 30 * time.Second
)

// gfBacksOff checks C-5's back-off over the longest run of failed
// requests: at least four retries, each after no less than an exponential
// back-off (gfFirstBackoff doubling up to gfMaxBackoff). On the world's own
// clock the waits must also never shrink; a connector's waits, measured on
// a clock that runs live at the time scale, are allowed a tenth less for
// the jitter of real time.
func (s *Scenario) gfBacksOff(who string) error {
	as, err := s.gfAttempts(who)
	if err != nil {
		return err
	}
	var waits, best []time.Duration
	for i := 0; i+1 < len(as); i++ {
		if !as[i].failed() {
			waits = waits[:0]
			continue
		}
		waits = append(waits, as[i+1].at.Sub(as[i].at))
		if len(waits) > len(best) {
			best = append(best[:0], waits...)
		}
	}
	live := who == "the connector"
	return Check(func() string { return gfAttemptsText(as) }, func(g gomegaG) {
		g.Expect(len(best) >= 4).To(equal(true), "%s made %d retries in a row while Graph failed; expected at least 4 to judge the back-off (C-5)", who, len(best))
		least := gfFirstBackoff
		for k, w := range best {
			floor := least
			if live {
				floor -= least / 10
			}
			g.Expect(w >= floor).To(equal(true), "after failure %d in a row %s waited %s; an exponential back-off (%s doubling up to %s) waits at least %s (C-5)", k+1, who, w, gfFirstBackoff, gfMaxBackoff, least)
			if !live && k > 0 {
				g.Expect(w >= best[k-1]).To(equal(true), "%s waited %s after a failure, less than the %s before it: the back-off shrank (C-5)", who, w, best[k-1])
			}
			least = min(2*least, gfMaxBackoff)
		}
	})
}

// gfNoSooner checks C-5's Retry-After: no request follows an answer with
// Retry-After before it has passed. It needs at least one such answer
// followed by a request, or it would judge nothing.
func (s *Scenario) gfNoSooner(who string) error {
	if who == "the connector" {
		st, err := s.session()
		if err != nil {
			return err
		}
		vs := st.s.Judge(s.live.Now(), "C-5")
		if len(vs) > 0 {
			return Check(nil, func(g gomega.Gomega) {
				g.Expect(conformance.RuleIDs(vs)).To(gomega.BeEmpty(), "%s broke C-5:\n%s", st.s.Target().Label(), conformance.Report(vs))
			})
		}
	}
	as, err := s.gfAttempts(who)
	if err != nil {
		return err
	}
	judged := 0
	return Check(func() string { return gfAttemptsText(as) }, func(g gomegaG) {
		for i := 0; i+1 < len(as); i++ {
			if as[i].retryAfter <= 0 {
				continue
			}
			judged++
			gap := as[i+1].at.Sub(as[i].at)
			g.Expect(gap >= as[i].retryAfter).To(equal(true), "%s sent %s %s after a %d with Retry-After %s (C-5)", who, as[i+1].what, gap, as[i].status, as[i].retryAfter)
		}
		g.Expect(judged).NotTo(equal(0), "no answer of Graph to %s carried a Retry-After followed by another request: nothing to judge", who)
	})
}
