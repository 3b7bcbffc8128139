package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	pbxapi "github.com/presencesim/presencesim/fakes/pbx"
	xphoneapi "github.com/presencesim/presencesim/fakes/xphone"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/live/certs"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/live/served"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/teams"
)

// AppName is the display name of the connector's app registration.
const AppName = "connector under test"

// Session is one world served to one connector.
type Session struct {
	w      *sim.World // reached only through lw once the session runs
	lw     *live.World
	srv    *served.Server
	target Target

	Graph *graph.Handler
	PBX   *pbxapi.Handler
	// XPhone is the XPhone Connect server an XPhone connector syncs.
	XPhone *xphoneapi.Handler
	App    *graph.App
	// AppSession is the connector's app in the Teams model.
	AppSession teams.AppID
	Env        connector.Env

	deliver *deliverer
	wire    *Wire
	inputs  inputs
	inj     injector
	views   views
	xp      xpRecord

	out     *tailBuffer
	proc    *exec.Cmd
	exited  chan struct{}
	exitErr error
	cancel  context.CancelFunc // in-process reference
	done    chan struct{}

	serviceID string

	stopOnce sync.Once
	stopped  bool
}

// Start serves the world and starts the connector. The world passes to
// the session: from here on the caller reaches it through World().Do. It
// returns when the connector has made its first requests to both fakes,
// or with an error that says why not (with the connector's output) after
// the target's connect timeout.
func Start(w *sim.World, t Target) (*Session, error) {
	t = t.withDefaults()
	s := &Session{w: w, target: t, out: newTailBuffer(1 << 20), wire: newWire(), deliver: &deliverer{}}
	id := graph.IdentityOf(w)
	app, err := id.AddApp(sim.DefaultOrg, AppName, []string{graph.PresenceReadWriteAll, graph.PresenceReadAll, graph.UserReadAll}, []string{graph.PresenceReadAll, graph.UserReadBasicAll})
	if err != nil {
		return nil, fmt.Errorf("registering the connector's app: %w", err)
	}
	var account, password string
	if t.Integration == "nimbus" || t.Integration == "xphone" {
		// a reader signs in as a presence account (NB-5); so does the
		// reading side of a two-way sync, which subscribes (G-SUB-1)
		u, err := w.AddUser(PresenceAccount, "")
		if err != nil {
			return nil, fmt.Errorf("adding the presence account: %w", err)
		}
		account, password = w.Teams.Dir(u).UPN, id.Account(u).Password
	}
	var sipUser, sipPassword string
	if t.Integration == "pbx" {
		// a PBX connector registers and subscribes as an extension of its own
		if sipUser, sipPassword, err = addSIPAccount(w); err != nil {
			return nil, err
		}
	}
	s.App, s.AppSession = app, w.Teams.App(app.DisplayName)
	tenant := id.Tenant(sim.DefaultOrg)
	s.inputs.pbx = pbx.Of(w)
	s.inputs.pbx.Listen(&s.inputs)
	if t.Integration == "xphone" {
		s.xp.w = w
		w.Teams.Listen(&s.xp)
	}

	lc := live.Clock{Scale: t.Scale}
	if t.Pace != nil {
		if t.Integration != "cloudlink" && t.Integration != "nimbus" || len(t.Command) > 0 || t.URL != "" {
			return nil, fmt.Errorf("only the in-process reference CloudLink connector and Nimbus reader run paced, not %s", t.Label())
		}
		lc = live.Clock{Manual: true}
	}
	lw, err := live.New(w, lc)
	if err != nil {
		return nil, err
	}
	s.lw = lw
	if t.Pace != nil {
		t.Pace.Now = func() time.Time { return lw.Now().Wall() }
	}
	ca, caFile, err := runCA()
	if err != nil {
		return nil, err
	}
	srv, err := served.Serve(lw, served.Options{
		CA:         ca,
		Graph:      graph.Options{Deliverer: s.deliver},
		PBX:        pbxapi.Options{KeepAlive: time.Second},
		SIP:        "127.0.0.1:0",
		SIPOptions: t.SIP,
		Wrap:       func(next http.Handler) http.Handler { return s.wire.handler(s, next) },
		// timers (a session's expiry) fire on time even when nobody asks
		Tick: 10 * time.Millisecond,
	})
	if err != nil {
		return nil, err
	}
	s.srv, s.Graph, s.PBX, s.XPhone = srv, srv.Graph(), srv.PBX(), srv.XPhone()
	s.XPhone.Configure(xphoneapi.Options{Exclude: []string{PresenceAccount}, OnChange: s.xphoneChanged})
	base := srv.URL
	s.Env = connector.Env{Integration: t.Integration, GraphURL: base + "/v1.0", LoginURL: base, TenantID: tenant.ID,
		ClientID: app.AppID, ClientSecret: app.Secret, PBXURL: base + "/pbx", TimeScale: t.Scale,
		Username: account, Password: password, CAFile: caFile, SIPAddr: srv.SIPAddr,
		SIPUser: sipUser, SIPPassword: sipPassword, XPhoneURL: base + "/xphone", GraphLimit: t.Limit}
	if t.Limit > 0 {
		s.Graph.SetThrottle(graph.Throttle{Limit: t.Limit, Window: graph.DefaultThrottle.Window})
	}
	if account != "" {
		s.Env.ReportURL = base + ViewPath
	}

	if err := s.startConnector(); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.awaitConnect(); err != nil {
		out := s.Stop()
		return nil, fmt.Errorf("%w\n%s", err, outputTail(out, 40))
	}
	return s, nil
}

// runCA is the CA every session of this process serves HTTPS with, and
// the file a connector trusts it by (G-TLS-1, C-11).
func runCA() (*certs.CA, string, error) {
	caOnce.Do(func() {
		ca, err := certs.NewCA("presencesim conformance")
		if err != nil {
			caErr = err
			return
		}
		f := filepath.Join(os.TempDir(), fmt.Sprintf("presencesim-conformance-ca-%d.pem", os.Getpid()))
		theCA, caFile, caErr = ca, f, ca.WriteFile(f)
	})
	return theCA, caFile, caErr
}

var (
	caOnce sync.Once
	theCA  *certs.CA
	caFile string
	caErr  error
)

// ReaderSubscriptionLife is how far ahead the in-process reference reader
// lets its subscriptions expire, short so that a scenario sees a renewal.
const ReaderSubscriptionLife = 4 * time.Minute

// PresenceAccount is the user a reader signs in as.
const PresenceAccount = "presenceaccount"

// readsPBX says whether the integration's connector reads the PBX.
func (s *Session) readsPBX() bool {
	return s.target.Integration == "cloudlink" || s.target.Integration == "pbx"
}

// World is the served world; Do is the way in while the session runs.
func (s *Session) World() *live.World { return s.lw }

// Target is what runs.
func (s *Session) Target() Target { return s.target }

// Wire is the record of the connector's Graph requests.
func (s *Session) Wire() *Wire { return s.wire }

// Real is the real time a virtual duration takes.
func (s *Session) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.target.Scale)
}

func (s *Session) startConnector() error {
	s.exited = make(chan struct{})
	if s.target.URL != "" {
		return s.startService()
	}
	if len(s.target.Command) == 0 {
		ctx, cancel := context.WithCancel(context.Background())
		s.cancel = cancel
		go func() {
			defer close(s.exited)
			var err error
			switch s.target.Integration {
			case "cloudlink":
				err = connector.RunCloudLink(ctx, s.Env, connector.CloudLinkOptions{Fault: s.target.Fault, Pace: s.target.Pace}, s.out)
			case "nimbus":
				err = connector.RunNimbus(ctx, s.Env, connector.NimbusOptions{SubscriptionLife: ReaderSubscriptionLife, Fault: s.target.Fault, Pace: s.target.Pace}, s.out)
			case "pbx":
				err = connector.RunPBX(ctx, s.Env, connector.PBXOptions{Fault: s.target.Fault}, s.out)
			case "xphone":
				err = connector.RunXPhone(ctx, s.Env, connector.XPhoneOptions{Fault: s.target.Fault}, s.out)
			default:
				err = fmt.Errorf("no reference connector for %q; valid: %s", s.target.Integration, strings.Join(connector.Integrations, ", "))
			}
			s.exitErr = err
		}()
		return nil
	}
	cmd := exec.Command(s.target.Command[0], s.target.Command[1:]...)
	cmd.Env = append(os.Environ(), s.Env.Vars()...)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.target.Label(), err)
	}
	s.proc = cmd
	go func() {
		s.exitErr = cmd.Wait()
		close(s.exited)
	}()
	return nil
}

// awaitConnect waits for a request to each fake. ConnectTimeout bounds a
// connector that shows no sign of life: the wait starts again whenever it
// makes any request (the identity platform's discovery and tokens too) or
// writes output, since a connector starting on a busy machine is slow, not
// broken; one that keeps busy without connecting still fails after
// maxConnectRounds timeouts.
func (s *Session) awaitConnect() error {
	deadline := time.NewTimer(s.target.ConnectTimeout)
	defer deadline.Stop()
	progress := func() int { return s.wire.touched() + s.out.written() }
	last, rounds, start := progress(), 1, time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		g, p := s.contacts()
		x := s.wire.xphoneContacts()
		if g > 0 && (p > 0 || !s.readsPBX()) && (x > 0 || !s.readsXPhone()) {
			return nil
		}
		select {
		case <-s.exited:
			if g, p := s.contacts(); g > 0 && (p > 0 || !s.readsPBX()) && (s.wire.xphoneContacts() > 0 || !s.readsXPhone()) {
				return nil // it connected, then ended; the steps say so
			}
			return fmt.Errorf("%s exited before it connected to the fakes (%s)", s.target.Label(), exitText(s.exitErr))
		case <-deadline.C:
			if p := progress(); p != last && rounds < maxConnectRounds {
				last, rounds = p, rounds+1
				deadline.Reset(s.target.ConnectTimeout)
				continue
			}
			var missing []string
			if g == 0 {
				missing = append(missing, "no request to Graph ("+s.Env.GraphURL+")")
			}
			if p == 0 && s.readsPBX() {
				missing = append(missing, "no request to the PBX ("+s.Env.PBXURL+s.sipWhere()+")")
			}
			if x == 0 && s.readsXPhone() {
				missing = append(missing, "no request to the XPhone server ("+s.Env.XPhoneURL+")")
			}
			return fmt.Errorf("%s did not connect within %s (%s without a sign of life): %s", s.target.Label(), time.Since(start).Round(time.Millisecond), s.target.ConnectTimeout, strings.Join(missing, ", "))
		case <-tick.C:
		}
	}
}

// maxConnectRounds bounds how often a connector's progress may extend the
// wait for its connection.
const maxConnectRounds = 6

func exitText(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee):
		return ee.String()
	}
	return err.Error()
}

// Exited is closed when the connector has ended.
func (s *Session) Exited() <-chan struct{} { return s.exited }

// Alive says whether the connector still runs, and if not, how it ended.
func (s *Session) Alive() (bool, string) {
	select {
	case <-s.exited:
		return false, exitText(s.exitErr)
	default:
		return true, ""
	}
}

// Note adds a line of the harness's own to the connector's output.
func (s *Session) Note(line string) { fmt.Fprintf(s.out, "presencesim: %s\n", line) }

// Output is the connector's output so far.
func (s *Session) Output() string { return s.out.String() }

// Stop ends the connector (SIGTERM, then SIGKILL to its process group
// after StopGrace), closes the fakes' ports and stops the clock; it returns
// the connector's output. The caller must not hold the world's lock.
func (s *Session) Stop() string {
	s.stopOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
			<-s.exited
		}
		if s.serviceID != "" {
			s.stopService()
		}
		if s.proc != nil {
			pg := -s.proc.Process.Pid
			_ = syscall.Kill(pg, syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(StopGrace):
				_ = syscall.Kill(pg, syscall.SIGKILL)
				<-s.exited
				fmt.Fprintf(s.out, "presencesim: the connector did not exit within %s of SIGTERM and was killed\n", StopGrace)
			}
			// children left in the group go too
			_ = syscall.Kill(pg, syscall.SIGKILL)
		}
		if s.srv != nil {
			s.srv.Close()
		}
		s.stopped = true
	})
	return s.out.String()
}

// SaveOutput writes the connector's output to dir/<name>.log.
func (s *Session) SaveOutput(dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, fileName(name)+".log")
	return p, os.WriteFile(p, []byte(s.out.String()), 0o644)
}

func fileName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 80 {
		out = out[:80]
	}
	if out == "" {
		out = "scenario"
	}
	return out
}

// outputTail is the last n lines of a connector's output, indented.
func outputTail(out string, n int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… (%d earlier lines)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	if len(lines) == 1 && lines[0] == "" {
		return "connector output: (none)"
	}
	return "connector output:\n    " + strings.Join(lines, "\n    ")
}

// OutputTail is the last lines of the connector's output, for failures.
func (s *Session) OutputTail(n int) string { return outputTail(s.out.String(), n) }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu      sync.Mutex
	buf     []byte
	max     int
	dropped int
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		// Drop down to three quarters at once: a connector logging a
		// line per change of 20,000 people would otherwise move the whole
		// tail for every line.
		over := len(b.buf) - b.max*3/4
		b.buf = append(b.buf[:0], b.buf[over:]...)
		b.dropped += over
	}
	return len(p), nil
}

// written is how many bytes the connector has written so far.
func (b *tailBuffer) written() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped + len(b.buf)
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped > 0 {
		return fmt.Sprintf("… (%d earlier bytes dropped)\n", b.dropped) + string(b.buf)
	}
	return string(b.buf)
}

// inputs records the PBX changes, the inputs a connector reacts to: the
// last MaxInputs of them, for a session may serve a tenant's day.
type inputs struct {
	list []Input
	pbx  *pbx.Model
	// upTo, once older inputs were dropped, is the time of the last one
	// dropped: what the session can no longer tell before it.
	upTo clock.Time
	cut  bool
}

// MaxInputs is how many inputs a session keeps; beyond it the older half
// is dropped.
const MaxInputs = 1 << 16

func (in *inputs) add(i Input) {
	if len(in.list) >= MaxInputs {
		half := len(in.list) / 2
		in.upTo, in.cut = in.list[half-1].At, true
		in.list = append(in.list[:0], in.list[half:]...)
	}
	in.list = append(in.list, i)
}

// between says whether the user had an input in (a, b]; where the window
// reaches back past the inputs dropped it says yes, so that no reaction
// is judged unprovoked for want of what was dropped.
func (in *inputs) between(user string, a, b clock.Time) bool {
	if in.cut && a < in.upTo {
		return true
	}
	for _, i := range in.list {
		if i.User == user && i.At > a && i.At <= b {
			return true
		}
	}
	return false
}

// Input is one change the connector should react to.
type Input struct {
	At   clock.Time
	User string
	What string
}

// PBXChanged records a change (pbx.Listener); called with the world locked.
func (in *inputs) PBXChanged(now clock.Time, ev pbx.Event) {
	if ev.User < 0 {
		return
	}
	name := ""
	if in.pbx != nil && ev.User < in.pbx.Len() {
		name = in.pbx.UserAt(ev.User).Name
	}
	in.add(Input{At: now, User: name, What: ev.Kind.String()})
}
