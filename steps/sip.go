package steps

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	siplib "github.com/emiago/sipgo/sip"

	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim/pbx"
)

// sipSteps are the steps of the PBX over SIP: a watcher's subscriptions and
// the NOTIFYs it receives.
type sipSteps struct {
	*Scenario
	st *sipState // nil until the scenario uses SIP
}

// The SIP steps serve the scenario's PBX over SIP on a loopback port and
// talk to it with a real SIP client (fakes/pbx/sip/watch), so what they
// check went through the SIP stack: REGISTER and SUBSCRIBE over UDP or
// TCP, NOTIFYs answered. The server's goroutines share the world from the
// first SIP step on, so every other step then runs inside the live
// world's Do (see Scenario.inWorld); these steps take the world only for
// the moments they read it.
func registerSIP(sc *Scenario, r *registry) {
	s := &sipSteps{Scenario: sc}
	r.step(`^(\w+)'s `+device+` is extension (\d+) with the SIP password "([^"]*)"$`, `alice's desk phone is extension 201 with the SIP password "alice-201"`, s.extension)
	r.free(`^a SIP client registers as (\d+) with the SIP password "([^"]*)"$`, `a SIP client registers as 201 with the SIP password "alice-201"`, s.register)
	r.free(`^the REGISTER is answered (\d{3})$`, "the REGISTER is answered 200", s.registerAnswered)
	r.free(`^a SIP client subscribes to the (dialog state|presence|"[^"]+" events) of (\d+)(?: over (UDP|TCP))?$`, "a SIP client subscribes to the dialog state of 201 over TCP", s.subscribe)
	r.free(`^the SUBSCRIBE is answered (\d{3})$`, "the SUBSCRIBE is answered 489", s.subscribeAnswered)
	r.free(`^the subscriber (refreshes|ends) its subscription to the (dialog state|presence) of (\d+)$`, "the subscriber refreshes its subscription to the dialog state of 201", s.refresh)
	r.free(`^the subscriber refreshes a subscription the PBX does not know$`, "the subscriber refreshes a subscription the PBX does not know", s.refreshUnknown)
	r.free(`^the subscriber is notified that (\d+) is (trying|proceeding|early|confirmed|terminated)(?: \((initiator|recipient)\))? within (\d+) seconds?$`, "the subscriber is notified that 201 is confirmed (initiator) within 1 second", s.notifiedDialog)
	r.free(`^the subscriber is notified that (\d+) has no call within (\d+) seconds?$`, "the subscriber is notified that 201 has no call within 1 second", s.notifiedIdle)
	r.free(`^the subscriber is notified that (\d+) is (away|busy|meeting|do-not-disturb|on-the-phone|available) within (\d+) seconds?$`, "the subscriber is notified that 201 is away within 1 second", s.notifiedPresence)
	r.free(`^the subscriber is notified that its subscription to the (dialog state|presence) of (\d+) is terminated within (\d+) seconds?$`, "the subscriber is notified that its subscription to the dialog state of 201 is terminated within 1 second", s.notifiedEnded)
	if r.sc == nil {
		return
	}
	// The server and the clients stop at the scenario's last or failed
	// step, before the scenario's own end hooks read the world.
	r.sc.StepContext().After(func(ctx context.Context, step *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		st := s.of()
		last := s.pickle != nil && len(s.pickle.Steps) > 0 && s.pickle.Steps[len(s.pickle.Steps)-1].Id == step.Id
		if st != nil && (last || status == godog.StepFailed || err != nil) {
			st.close()
		}
		return ctx, nil
	})
	r.sc.After(func(ctx context.Context, _ *godog.Scenario, _ error) (context.Context, error) {
		if st := s.of(); st != nil {
			st.close()
		}
		return ctx, nil
	})
}

// MaxSIPWait bounds a SIP step's "within n seconds".
const MaxSIPWait = 30 * time.Second

// sipState is a scenario's SIP server and clients.
type sipState struct {
	srv  *pbxsip.Server
	addr string
	// creds are the extensions the scenario gave SIP passwords, in order:
	// the client authenticates as the first.
	creds [][2]string
	// clients by transport; subs by "event ext"
	clients map[string]*watch.Watcher
	subs    map[string]*sipSub
	reg     *siplib.Response
	lastSub *siplib.Response
	lastErr error
	closed  bool
}

// sipSub is one subscription and how far the steps have read its NOTIFYs.
type sipSub struct {
	w    *watch.Watcher
	sub  *watch.Subscription
	read int
}

func (s *sipSteps) of() *sipState { return s.st }

// made returns the SIP state, making it on first use.
func (s *sipSteps) made() *sipState {
	if s.st == nil {
		s.st = &sipState{}
	}
	return s.st
}

func (st *sipState) close() {
	if st.closed {
		return
	}
	st.closed = true
	if st.srv != nil {
		st.srv.Close() // final NOTIFYs first, while the clients answer
	}
	for _, w := range st.clients {
		w.Close()
	}
}

// sip returns the scenario's SIP server, starting it on first use.
func (s *sipSteps) sip() (*sipState, error) {
	st := s.made()
	if st.closed {
		return nil, errors.New("the PBX's SIP server has stopped")
	}
	if st.srv != nil {
		return st, nil
	}
	if s.live != nil {
		return nil, errors.New("the SIP steps serve the scenario's own PBX; they do not run beside a connector under test, which gets the PBX's SIP address in its environment")
	}
	lw, err := live.New(s.world, live.Clock{Manual: true})
	if err != nil {
		return nil, err
	}
	srv, err := pbxsip.New(lw, pbxsip.Options{NotifyTimeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("starting the PBX's SIP server: %w", err)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("starting the PBX's SIP server: %w", err)
	}
	st.srv, st.addr = srv, addr
	st.clients, st.subs = map[string]*watch.Watcher{}, map[string]*sipSub{}
	// from here on the world is shared with the server's goroutines
	s.live = lw
	return st, nil
}

func (s *sipSteps) extension(ctx context.Context, name, dev, ext, password string) error {
	d, err := pbx.ParseDevice(dev)
	if err != nil {
		return err
	}
	if d != pbx.DeskPhone {
		return fmt.Errorf("an extension is a desk phone's: write \"%s's desk phone is extension %s …\", not %s", name, ext, d)
	}
	st, i, err := s.pbxUser(ctx, name)
	if err != nil {
		return err
	}
	if err := st.cl.PBX().SetSIP(i, ext, password); err != nil {
		return err
	}
	sst := s.made()
	sst.creds = append(sst.creds, [2]string{ext, password})
	return nil
}

// client returns the scenario's SIP client on a transport, authenticating
// as the first extension the scenario gave a SIP password.
func (s *sipSteps) client(st *sipState, transport string) (*watch.Watcher, error) {
	if transport == "" {
		transport = "UDP"
	}
	if w := st.clients[transport]; w != nil {
		return w, nil
	}
	if len(st.creds) == 0 {
		return nil, errors.New(`the SIP client authenticates as an extension: give one first, e.g. "alice's desk phone is extension 201 with the SIP password \"alice-201\""`)
	}
	w, err := watch.New(st.addr, transport, st.creds[0][0], st.creds[0][1])
	if err != nil {
		return nil, fmt.Errorf("starting the SIP client: %w", err)
	}
	st.clients[transport] = w
	return w, nil
}

func sipContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), MaxSIPWait)
}

func (s *sipSteps) register(ext, password string) error {
	st, err := s.sip()
	if err != nil {
		return err
	}
	w, err := watch.New(st.addr, "udp", ext, password)
	if err != nil {
		return err
	}
	st.clients["register "+ext+" "+strconv.Itoa(len(st.clients))] = w
	ctx, cancel := sipContext()
	defer cancel()
	st.reg, err = w.Register(ctx, 600)
	return err
}

func answered(what string, res *siplib.Response, err error, code string) error {
	want, _ := strconv.Atoi(code)
	if res == nil {
		if err != nil {
			return fmt.Errorf("expected the %s answered %d; it got no answer: %v", what, want, err)
		}
		return fmt.Errorf("expected the %s answered %d; no %s was sent in this scenario", what, want, what)
	}
	if res.StatusCode != want {
		return fmt.Errorf("expected the %s answered %d, the PBX answered %d %s", what, want, res.StatusCode, res.Reason)
	}
	return nil
}

func (s *sipSteps) registerAnswered(code string) error {
	st := s.of()
	if st == nil {
		return answered("REGISTER", nil, nil, code)
	}
	return answered("REGISTER", st.reg, nil, code)
}

// sipEvent maps the step's wording to the event package.
func sipEvent(what string) string {
	switch what {
	case "dialog state":
		return "dialog"
	case "presence":
		return "presence"
	}
	return strings.Trim(strings.TrimSuffix(what, " events"), `"`)
}

func (s *sipSteps) subscribe(what, ext, transport string) error {
	st, err := s.sip()
	if err != nil {
		return err
	}
	w, err := s.client(st, transport)
	if err != nil {
		return err
	}
	ev := sipEvent(what)
	ctx, cancel := sipContext()
	defer cancel()
	sub, res, err := w.Subscribe(ctx, ext, ev, 3600)
	st.lastSub, st.lastErr = res, err
	if err != nil && !errors.Is(err, watch.ErrRefused) {
		return fmt.Errorf("SUBSCRIBE %s of %s: %w", ev, ext, err)
	}
	if sub != nil {
		st.subs[ev+" "+ext] = &sipSub{w: w, sub: sub}
	}
	return nil
}

func (s *sipSteps) subscribeAnswered(code string) error {
	st := s.of()
	if st == nil {
		return answered("SUBSCRIBE", nil, nil, code)
	}
	return answered("SUBSCRIBE", st.lastSub, st.lastErr, code)
}

// subscription finds the scenario's subscription to an extension's event
// package, or says why there is none.
func (st *sipState) subscription(ev, ext string) (*sipSub, error) {
	if st == nil {
		return nil, fmt.Errorf(`no SIP subscription in this scenario; start one with "a SIP client subscribes to the dialog state of %s"`, ext)
	}
	if sub := st.subs[ev+" "+ext]; sub != nil {
		return sub, nil
	}
	if st.lastSub != nil && !st.lastSub.IsSuccess() {
		return nil, fmt.Errorf("no %s subscription to %s: the last SUBSCRIBE was answered %d %s", ev, ext, st.lastSub.StatusCode, st.lastSub.Reason)
	}
	return nil, fmt.Errorf(`no %s subscription to %s; start one with "a SIP client subscribes to the %s of %s"`, ev, ext, map[string]string{"dialog": "dialog state", "presence": "presence"}[ev], ext)
}

func (s *sipSteps) refresh(verb, what, ext string) error {
	ev := sipEvent(what)
	sub, err := s.of().subscription(ev, ext)
	if err != nil {
		return err
	}
	expires := 3600
	if verb == "ends" {
		expires = 0
	}
	ctx, cancel := sipContext()
	defer cancel()
	res, err := sub.w.Refresh(ctx, sub.sub, expires)
	if err != nil {
		return fmt.Errorf("SUBSCRIBE in the dialog of the %s subscription to %s: %w", ev, ext, err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("expected the SUBSCRIBE in the dialog of the %s subscription to %s answered 200, the PBX answered %d %s", ev, ext, res.StatusCode, res.Reason)
	}
	return nil
}

// refreshUnknown sends a SUBSCRIBE in a dialog the PBX never made: a
// subscription of the scenario's with another Call-ID and tags.
func (s *sipSteps) refreshUnknown() error {
	st := s.of()
	var known *sipSub
	if st != nil {
		for _, sub := range st.subs {
			known = sub
			break // any one will do: only its target is kept
		}
	}
	if known == nil {
		return errors.New(`no SIP subscription in this scenario to refresh; start one with "a SIP client subscribes to the dialog state of 201"`)
	}
	bogus := *known.sub
	bogus.CallID, bogus.FromTag, bogus.ToTag = "unknown-"+siplib.GenerateTagN(12), siplib.GenerateTagN(12), siplib.GenerateTagN(12)
	ctx, cancel := sipContext()
	defer cancel()
	st.lastSub, st.lastErr = known.w.Refresh(ctx, &bogus, 3600)
	if st.lastErr != nil {
		return fmt.Errorf("SUBSCRIBE in an unknown dialog: %w", st.lastErr)
	}
	return nil
}

// sipWait waits, for at most the step's seconds, for a NOTIFY of the
// subscription after those earlier steps read that match holds for; the
// steps read on from it, so NOTIFYs are checked in order.
func (s *sipSteps) sipWait(ev, ext, secs, want string, match func(watch.Notify) bool) error {
	n, err := strconv.Atoi(secs)
	if err != nil || n <= 0 || time.Duration(n)*time.Second > MaxSIPWait {
		return fmt.Errorf("a wait of %q seconds: give 1 to %d", secs, int(MaxSIPWait/time.Second))
	}
	sub, err := s.of().subscription(ev, ext)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(n)*time.Second)
	defer cancel()
	found := -1
	var mine []watch.Notify
	werr := sub.w.Wait(ctx, func(all []watch.Notify) bool {
		mine = mine[:0]
		for _, no := range all {
			if no.CallID == sub.sub.CallID {
				mine = append(mine, no)
			}
		}
		for i := sub.read; i < len(mine); i++ {
			if match(mine[i]) {
				found = i
				return true
			}
		}
		return false
	})
	if werr == nil {
		sub.read = found + 1
		return nil
	}
	var seen []string
	for i := sub.read; i < len(mine); i++ {
		seen = append(seen, describeNotify(mine[i]))
	}
	got := "none"
	if len(seen) > 0 {
		got = strings.Join(seen, "; ")
	}
	return &AssertionError{
		Message: fmt.Sprintf("expected a NOTIFY that %s is %s within %s; the NOTIFYs since the last one checked: %s", ext, want, time.Duration(n)*time.Second, got),
		Why:     fmt.Sprintf("%d NOTIFYs of this %s subscription in all, %d read by earlier steps", len(mine), ev, sub.read),
	}
}

func describeNotify(n watch.Notify) string {
	state := " (" + n.SubscriptionState + ")"
	switch {
	case n.Dialog != nil:
		var ds []string
		for _, d := range n.Dialog.Dialogs {
			ds = append(ds, d.State+" "+d.Direction)
		}
		if len(ds) == 0 {
			ds = []string{"no call"}
		}
		return fmt.Sprintf("dialog-info version %d: %s%s", n.Dialog.Version, strings.Join(ds, ", "), state)
	case n.Event == "presence":
		p, err := watch.ParsePresence(n.Body)
		if err != nil {
			return fmt.Sprintf("PIDF that does not parse (%v)%s", err, state)
		}
		basic, acts := "closed", p.Activities
		if p.Open {
			basic = "open"
		}
		if len(acts) == 0 {
			acts = []string{"no activity"}
		}
		return fmt.Sprintf("PIDF %s, %s%s", basic, strings.Join(acts, ", "), state)
	}
	return fmt.Sprintf("%s body %q%s", n.Event, n.Body, state)
}

func (s *sipSteps) notifiedDialog(ext, state, dir, secs string) error {
	want := state
	if dir != "" {
		want += " (" + dir + ")"
	}
	return s.sipWait("dialog", ext, secs, want, func(n watch.Notify) bool {
		if n.Dialog == nil {
			return false
		}
		for _, d := range n.Dialog.Dialogs {
			if d.State == state && (dir == "" || d.Direction == dir) {
				return true
			}
		}
		return false
	})
}

func (s *sipSteps) notifiedIdle(ext, secs string) error {
	return s.sipWait("dialog", ext, secs, "without a call", func(n watch.Notify) bool {
		return n.Dialog != nil && len(n.Dialog.Dialogs) == 0
	})
}

func (s *sipSteps) notifiedPresence(ext, activity, secs string) error {
	return s.sipWait("presence", ext, secs, activity, func(n watch.Notify) bool {
		p, err := watch.ParsePresence(n.Body)
		if err != nil {
			return false
		}
		if activity == "available" {
			return len(p.Activities) == 0
		}
		for _, a := range p.Activities {
			if a == activity {
				return true
			}
		}
		return false
	})
}

func (s *sipSteps) notifiedEnded(what, ext, secs string) error {
	ev := sipEvent(what)
	return s.sipWait(ev, ext, secs, "no longer watched (Subscription-State: terminated)", func(n watch.Notify) bool {
		return strings.HasPrefix(strings.ToLower(n.SubscriptionState), "terminated")
	})
}
