package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/fakes/pbx"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

func init() {
	commands["serve"] = command{summary: "serve the fake Microsoft Graph and PBX APIs on loopback, with a control API", run: serveCmd}
}

// worldFile is the JSON a served world is loaded from.
type worldFile struct {
	Seed    uint64       `json:"seed"`
	Start   string       `json:"start"` // virtual time to start at, "09:00"
	Tenants []tenantFile `json:"tenants"`
}

type tenantFile struct {
	Name  string     `json:"name"`
	Users []userFile `json:"users"`
	Apps  []appFile  `json:"apps"`
}

type userFile struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"displayName,omitempty"`
	Password    string   `json:"password,omitempty"`
	MFA         bool     `json:"mfa,omitempty"`
	Guest       bool     `json:"guest,omitempty"`
	SignedIn    []string `json:"signedIn,omitempty"` // Teams clients: desktop, web, mobile
}

type appFile struct {
	DisplayName            string   `json:"displayName"`
	ApplicationPermissions []string `json:"applicationPermissions"`
	DelegatedPermissions   []string `json:"delegatedPermissions"`
}

// demoWorld is the built-in world: contoso with alice, bob and carol, an app
// with read and write permissions and one that only reads.
var demoWorld = worldFile{
	Seed:  1,
	Start: "09:00",
	Tenants: []tenantFile{{
		Name: "contoso",
		Users: []userFile{
			{Name: "alice", SignedIn: []string{"desktop"}},
			{Name: "bob", SignedIn: []string{"mobile"}},
			{Name: "carol"},
		},
		Apps: []appFile{
			{DisplayName: "presencesim demo", ApplicationPermissions: []string{graph.PresenceReadAll, graph.PresenceReadWriteAll},
				DelegatedPermissions: []string{graph.PresenceRead, graph.PresenceReadAll, graph.PresenceReadWrite}},
			{DisplayName: "presence reader", ApplicationPermissions: []string{graph.PresenceReadAll}},
		},
	}},
}

func loadWorldFile(path string) (worldFile, error) {
	if path == "" {
		return demoWorld, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return worldFile{}, err
	}
	var wf worldFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wf); err != nil {
		return worldFile{}, fmt.Errorf("world file %s: %v (fields: seed, start, tenants[name, users[name, displayName, password, mfa, guest, signedIn], apps[displayName, applicationPermissions, delegatedPermissions]])", path, err)
	}
	return wf, nil
}

// buildWorld creates the world a file describes.
func buildWorld(wf worldFile) (*sim.World, error) {
	w := sim.MustNew(wf.Seed)
	id := graph.IdentityOf(w)
	if wf.Start != "" {
		t, err := parseClockArg(wf.Start, 0)
		if err != nil {
			return nil, err
		}
		if err := w.Clock.RunUntil(t); err != nil {
			return nil, err
		}
	}
	if len(wf.Tenants) == 0 {
		return nil, errors.New("the world has no tenant")
	}
	for _, t := range wf.Tenants {
		id.Tenant(t.Name)
		for _, u := range t.Users {
			uid, err := w.AddUser(u.Name, t.Name)
			if err != nil {
				return nil, err
			}
			d := w.Teams.Dir(uid)
			if u.DisplayName != "" {
				d.DisplayName = u.DisplayName
			}
			if u.Guest {
				d.Guest = true
				d.UPN = strings.ReplaceAll(d.UPN, "@", "_") + "#EXT#@" + strings.ToLower(t.Name) + ".onmicrosoft.com"
			}
			w.Teams.SetDir(uid, d)
			acc := id.Account(uid)
			if u.Password != "" {
				acc.Password = u.Password
			}
			acc.MFA = u.MFA
			id.SetAccount(uid, acc)
			for _, c := range u.SignedIn {
				k, err := teams.ParseClientKind(c)
				if err != nil {
					return nil, fmt.Errorf("user %s: %v", u.Name, err)
				}
				if err := w.Teams.SignIn(uid, k); err != nil {
					return nil, err
				}
			}
		}
		for _, a := range t.Apps {
			if _, err := id.AddApp(t.Name, a.DisplayName, a.ApplicationPermissions, a.DelegatedPermissions); err != nil {
				return nil, fmt.Errorf("tenant %s: %v", t.Name, err)
			}
		}
	}
	return w, w.Clock.RunUntil(w.Clock.Now())
}

func parseClockArg(s string, now clock.Time) (clock.Time, error) {
	var day, h, m int
	if n, _ := fmt.Sscanf(s, "day %d %d:%d", &day, &h, &m); n == 3 {
		return clock.At(day, h, m), nil
	}
	if n, _ := fmt.Sscanf(s, "%d:%d", &h, &m); n == 2 && h < 24 && m < 60 {
		return clock.At(now.Day(), h, m), nil
	}
	return 0, fmt.Errorf("malformed time %q; write hh:mm or \"day 2 09:30\"", s)
}

// server is the served world: the Graph and PBX fakes and the control API
// over one world, which a reset replaces.
type server struct {
	wf     worldFile
	manual bool
	opts   graph.Options

	mu   sync.RWMutex
	w    *sim.World
	g    *graph.Handler
	p    *pbx.Handler
	stop context.CancelFunc
	f    *follower
}

// follower ties one world's clock to wall time: world time = orig +
// since(wall0) + shift. Its fields are guarded by the world's lock.
type follower struct {
	w     *sim.World
	wall0 time.Time
	orig  clock.Time
	shift time.Duration
}

// sync brings the world's clock up to wall time (called with w.Mu held).
func (f *follower) sync() {
	target := f.orig.Add(time.Since(f.wall0) + f.shift)
	if target > f.w.Clock.Now() {
		_ = f.w.Clock.RunUntil(target)
	}
}

func newServer(wf worldFile, manual bool, opts graph.Options) (*server, error) {
	s := &server{wf: wf, manual: manual, opts: opts}
	return s, s.reset()
}

// reset builds the world anew from the world file.
func (s *server) reset() error {
	w, err := buildWorld(s.wf)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
	if s.p != nil {
		s.p.Close() // ends the old world's event streams and webhook workers
	}
	s.w, s.f = w, &follower{w: w, wall0: time.Now(), orig: w.Clock.Now()}
	o := s.opts
	po := pbx.Options{}
	if !s.manual {
		o.Sync, po.Sync = s.f.sync, s.f.sync
	}
	s.g = graph.NewHandler(w, o)
	s.p = pbx.New(w, po)
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go s.g.Run(ctx, 200*time.Millisecond)
	if !s.manual {
		go tick(ctx, s.f)
	}
	return nil
}

// tick fires the world's timers as wall time passes, when no request does.
func tick(ctx context.Context, f *follower) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.w.Mu.Lock()
			f.sync()
			f.w.Mu.Unlock()
		}
	}
}

func (s *server) current() (*sim.World, *graph.Handler, *pbx.Handler) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.w, s.g, s.p
}

func (s *server) follower() *follower {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.f
}

// ServeHTTP routes the control API, the PBX fake and Graph.
func (s *server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	_, g, p := s.current()
	switch {
	case strings.HasPrefix(r.URL.Path, "/_presencesim/"):
		s.control(rw, r)
	case strings.HasPrefix(r.URL.Path, "/pbx/"):
		p.ServeHTTP(rw, r)
	default:
		g.ServeHTTP(rw, r)
	}
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	enc := json.NewEncoder(rw)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func controlError(rw http.ResponseWriter, status int, msg string) {
	writeJSON(rw, status, map[string]string{"error": msg})
}

type worldView struct {
	Tenants []tenantView `json:"tenants"`
	Clock   clockView    `json:"clock"`
}

type tenantView struct {
	ID            string       `json:"id"`
	Name          string       `json:"name"`
	TokenEndpoint string       `json:"tokenEndpoint"`
	Users         []userView   `json:"users"`
	Apps          []*graph.App `json:"apps"`
}

type userView struct {
	ID                string            `json:"id"`
	UserPrincipalName string            `json:"userPrincipalName"`
	DisplayName       string            `json:"displayName"`
	Name              string            `json:"name"`
	Password          string            `json:"password"`
	MFA               bool              `json:"mfa"`
	Guest             bool              `json:"guest"`
	Presence          presence.Presence `json:"-"`
	Availability      string            `json:"availability"`
	Activity          string            `json:"activity"`
}

type clockView struct {
	Now     time.Time `json:"now"`
	Virtual string    `json:"virtual"`
	Mode    string    `json:"mode"`
}

func (s *server) clockView(w *sim.World) clockView {
	mode := "wall"
	if s.manual {
		mode = "manual"
	}
	return clockView{Now: w.Clock.Now().Wall(), Virtual: w.Clock.Now().String(), Mode: mode}
}

func (s *server) worldView(w *sim.World, base string) worldView {
	id := graph.IdentityOf(w)
	var out worldView
	for _, t := range id.Tenants() {
		tv := tenantView{ID: t.ID, Name: t.Name, TokenEndpoint: base + "/" + t.ID + "/oauth2/v2.0/token", Users: []userView{}, Apps: []*graph.App{}}
		for _, u := range w.Teams.Users() {
			d := w.Teams.Dir(u)
			if id.Tenant(d.Org).ID != t.ID {
				continue
			}
			acc := id.Account(u)
			p := w.Teams.Presence(u)
			tv.Users = append(tv.Users, userView{ID: d.ID, UserPrincipalName: d.UPN, DisplayName: d.DisplayName, Name: d.Name, Password: acc.Password, MFA: acc.MFA, Guest: d.Guest,
				Availability: p.Availability.String(), Activity: p.Activity.String()})
		}
		for _, a := range id.Apps() {
			if a.Tenant == t.ID {
				tv.Apps = append(tv.Apps, a)
			}
		}
		out.Tenants = append(out.Tenants, tv)
	}
	out.Clock = s.clockView(w)
	return out
}

func baseURL(r *http.Request) string { return "http://" + r.Host }

// control serves /_presencesim/: world, reset, clock, events, explain,
// journal, notifications, faults, throttle.
func (s *server) control(rw http.ResponseWriter, r *http.Request) {
	w, g, _ := s.current()
	path := strings.TrimPrefix(r.URL.Path, "/_presencesim/")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		controlError(rw, http.StatusBadRequest, err.Error())
		return
	}
	decode := func(v any) bool {
		if len(strings.TrimSpace(string(body))) == 0 {
			return true
		}
		if err := json.Unmarshal(body, v); err != nil {
			controlError(rw, http.StatusBadRequest, "invalid JSON body: "+err.Error())
			return false
		}
		return true
	}
	need := func(method string) bool {
		if r.Method != method {
			controlError(rw, http.StatusMethodNotAllowed, "use "+method+" for /_presencesim/"+path)
			return false
		}
		return true
	}
	switch {
	case path == "world":
		if !need(http.MethodGet) {
			return
		}
		f := s.follower()
		f.w.Mu.Lock()
		if !s.manual {
			f.sync()
		}
		v := s.worldView(f.w, baseURL(r))
		f.w.Mu.Unlock()
		writeJSON(rw, http.StatusOK, v)
	case path == "reset":
		if !need(http.MethodPost) {
			return
		}
		if err := s.reset(); err != nil {
			controlError(rw, http.StatusInternalServerError, err.Error())
			return
		}
		w, _, _ = s.current()
		w.Mu.Lock()
		v := s.worldView(w, baseURL(r))
		w.Mu.Unlock()
		writeJSON(rw, http.StatusOK, v)
	case path == "clock":
		if r.Method == http.MethodGet {
			f := s.follower()
			f.w.Mu.Lock()
			if !s.manual {
				f.sync()
			}
			v := s.clockView(f.w)
			f.w.Mu.Unlock()
			writeJSON(rw, http.StatusOK, v)
			return
		}
		if !need(http.MethodPost) {
			return
		}
		var req struct {
			Advance string `json:"advance"` // "10m", "1h30m"
			To      string `json:"to"`      // "10:30", "day 2 09:00"
		}
		if !decode(&req) {
			return
		}
		f := s.follower()
		f.w.Mu.Lock()
		err := s.moveClock(f, req.Advance, req.To)
		v := s.clockView(f.w)
		f.w.Mu.Unlock()
		if err != nil {
			controlError(rw, http.StatusBadRequest, err.Error())
			return
		}
		g.Flush(r.Context())
		writeJSON(rw, http.StatusOK, v)
	case path == "events":
		if !need(http.MethodPost) {
			return
		}
		var ev event
		if !decode(&ev) {
			return
		}
		f := s.follower()
		w.Mu.Lock()
		if !s.manual && f.w == w {
			f.sync()
		}
		err := ev.apply(w)
		if err == nil {
			err = w.Clock.RunUntil(w.Clock.Now())
		}
		var ex any
		if err == nil && ev.User != "" {
			if id, e := w.Teams.User(ev.User); e == nil {
				ex = explainView(w, id)
			}
		}
		w.Mu.Unlock()
		if err != nil {
			controlError(rw, http.StatusBadRequest, err.Error())
			return
		}
		g.Flush(r.Context())
		writeJSON(rw, http.StatusOK, ex)
	case strings.HasPrefix(path, "explain/"):
		if !need(http.MethodGet) {
			return
		}
		w.Mu.Lock()
		id, err := w.Teams.User(strings.TrimPrefix(path, "explain/"))
		var v any
		if err == nil {
			v = explainView(w, id)
		}
		w.Mu.Unlock()
		if err != nil {
			controlError(rw, http.StatusNotFound, err.Error())
			return
		}
		writeJSON(rw, http.StatusOK, v)
	case path == "journal":
		if !need(http.MethodGet) {
			return
		}
		since, _ := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
		writeJSON(rw, http.StatusOK, map[string]any{"total": g.Journal.Len(), "entries": g.Journal.Since(since)})
	case path == "notifications":
		if !need(http.MethodGet) {
			return
		}
		writeJSON(rw, http.StatusOK, map[string]any{"subscriptions": g.Subscriptions(), "deliveries": g.Notices()})
	case path == "faults":
		if r.Method == http.MethodGet {
			writeJSON(rw, http.StatusOK, faultsView(g.Faults()))
			return
		}
		if !need(http.MethodPost) {
			return
		}
		var fv faultsJSON
		if !decode(&fv) {
			return
		}
		f, err := fv.faults()
		if err != nil {
			controlError(rw, http.StatusBadRequest, err.Error())
			return
		}
		g.SetFaults(f)
		writeJSON(rw, http.StatusOK, faultsView(f))
	case path == "throttle":
		if !need(http.MethodPost) {
			return
		}
		var req struct {
			Off    bool   `json:"off"`
			Limit  int    `json:"limit"`
			Window string `json:"window"`
		}
		if !decode(&req) {
			return
		}
		t := graph.Throttle{Off: req.Off, Limit: req.Limit}
		if req.Window != "" {
			d, err := time.ParseDuration(req.Window)
			if err != nil || d <= 0 {
				controlError(rw, http.StatusBadRequest, "window: write a Go duration such as 30s")
				return
			}
			t.Window = d
		}
		if t.Limit < 0 {
			controlError(rw, http.StatusBadRequest, "limit must be positive")
			return
		}
		g.SetThrottle(t)
		writeJSON(rw, http.StatusOK, t)
	default:
		controlError(rw, http.StatusNotFound, "unknown control endpoint /_presencesim/"+path+"; see: world, reset, clock, events, explain/{user}, journal, notifications, faults, throttle")
	}
}

func (s *server) moveClock(f *follower, advance, to string) error {
	w := f.w
	if !s.manual {
		f.sync()
	}
	now := w.Clock.Now()
	var target clock.Time
	switch {
	case advance != "" && to == "":
		d, err := time.ParseDuration(advance)
		if err != nil || d < 0 {
			return fmt.Errorf("advance: write a positive Go duration such as 10m or 1h30m")
		}
		target = now.Add(d)
	case to != "" && advance == "":
		t, err := parseClockArg(to, now)
		if err != nil {
			return err
		}
		if t < now {
			return fmt.Errorf("the clock is at %s already; it cannot go back to %s", now, t)
		}
		target = t
	default:
		return errors.New(`give either "advance" (a duration) or "to" (a clock time)`)
	}
	if err := w.Clock.RunUntil(target); err != nil {
		return err
	}
	f.shift += target.Sub(now)
	return nil
}

type explainJSON struct {
	User         string   `json:"user"`
	At           string   `json:"at"`
	Availability string   `json:"availability"`
	Activity     string   `json:"activity"`
	OutOfOffice  bool     `json:"outOfOffice"`
	Rule         string   `json:"rule"`
	Winner       string   `json:"winner"`
	Sources      []string `json:"sources"`
	Timers       []string `json:"pendingTimers"`
	Text         string   `json:"text"`
}

func explainView(w *sim.World, id teams.UserID) explainJSON {
	e := w.Teams.Explain(id)
	v := explainJSON{User: e.User, At: e.At.String(), Availability: e.Presence.Availability.String(), Activity: e.Presence.Activity.String(),
		OutOfOffice: e.Presence.OutOfOffice, Rule: e.Rule, Winner: e.Winner, Sources: []string{}, Timers: []string{}, Text: e.String()}
	for _, src := range e.Sources {
		v.Sources = append(v.Sources, fmt.Sprintf("%s: %s [%s] %s", src.Name, src.Presence, src.Rule, src.Detail))
	}
	for _, t := range e.Timers {
		v.Timers = append(v.Timers, t.At.String()+" "+t.Label)
	}
	return v
}

// event is a simulated happening posted to /_presencesim/events.
type event struct {
	Event    string   `json:"event"`
	User     string   `json:"user"`
	Client   string   `json:"client"`   // desktop, web, mobile
	Users    []string `json:"users"`    // startCall
	Presence string   `json:"presence"` // setPreferred: "Busy", "DoNotDisturb"
	Duration string   `json:"duration"` // setPreferred: "2h"
}

var eventNames = []string{"signIn", "signOut", "use", "idle", "lock", "unlock", "sleep", "wake", "background", "loseNetwork", "restoreNetwork",
	"startCall", "endCall", "joinMeeting", "leaveMeeting", "startPresenting", "stopPresenting", "autoRepliesOn", "autoRepliesOff", "setPreferred", "clearPreferred"}

// clientEvents happen on one of the user's clients, the desktop unless the
// event names another.
var clientEvents = map[string]func(*teams.Model, teams.UserID, teams.ClientKind) error{
	"signIn":         (*teams.Model).SignIn,
	"signOut":        (*teams.Model).SignOut,
	"use":            (*teams.Model).Use,
	"idle":           (*teams.Model).GoIdle,
	"lock":           (*teams.Model).Lock,
	"unlock":         (*teams.Model).Unlock,
	"sleep":          (*teams.Model).Sleep,
	"wake":           (*teams.Model).Wake,
	"loseNetwork":    (*teams.Model).LoseNetwork,
	"restoreNetwork": (*teams.Model).RestoreNetwork,
}

// userEvents happen to the user and need nothing more.
var userEvents = map[string]func(*teams.Model, teams.UserID) error{
	"background":      (*teams.Model).Background,
	"joinMeeting":     (*teams.Model).JoinMeeting,
	"leaveMeeting":    (*teams.Model).LeaveMeeting,
	"startPresenting": (*teams.Model).StartPresenting,
	"stopPresenting":  (*teams.Model).StopPresenting,
	"clearPreferred":  (*teams.Model).ClearPreferred,
}

func (ev event) apply(w *sim.World) error {
	m := w.Teams
	if ev.Event == "startCall" {
		var ids []teams.UserID
		for _, n := range ev.Users {
			id, err := m.User(n)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		_, err := m.StartCall(ids...)
		return err
	}
	id, err := m.User(ev.User)
	if err != nil {
		return fmt.Errorf("event %q: %v", ev.Event, err)
	}
	if fn, ok := clientEvents[ev.Event]; ok {
		k := teams.Desktop
		if ev.Client != "" {
			if k, err = teams.ParseClientKind(ev.Client); err != nil {
				return err
			}
		}
		return fn(m, id, k)
	}
	if fn, ok := userEvents[ev.Event]; ok {
		return fn(m, id)
	}
	switch ev.Event {
	case "endCall":
		c, ok := m.CallOf(id)
		if !ok {
			return fmt.Errorf("%s is in no call", ev.User)
		}
		return m.EndCall(c)
	case "autoRepliesOn", "autoRepliesOff":
		return m.SetAutoReplies(id, ev.Event == "autoRepliesOn")
	case "setPreferred":
		p, err := presence.Parse(ev.Presence)
		if err != nil {
			return err
		}
		var d time.Duration
		if ev.Duration != "" {
			if d, err = time.ParseDuration(ev.Duration); err != nil {
				return fmt.Errorf("duration: %v", err)
			}
		}
		return m.SetPreferred(id, p, d, teams.ViaClient)
	}
	return fmt.Errorf("unknown event %q; valid: %s", ev.Event, strings.Join(eventNames, ", "))
}

type faultsJSON struct {
	ErrorRate   float64 `json:"errorRate"`
	Statuses    []int   `json:"statuses"`
	RetryAfter  int     `json:"retryAfter"`
	LatencyRate float64 `json:"latencyRate"`
	Latency     string  `json:"latency"`
}

func (f faultsJSON) faults() (graph.Faults, error) {
	out := graph.Faults{ErrorRate: f.ErrorRate, Statuses: f.Statuses, RetryAfter: f.RetryAfter, LatencyRate: f.LatencyRate}
	if f.ErrorRate < 0 || f.ErrorRate > 1 || f.LatencyRate < 0 || f.LatencyRate > 1 {
		return out, errors.New("errorRate and latencyRate are shares between 0 and 1")
	}
	for _, st := range f.Statuses {
		ok := false
		for _, v := range graph.FaultStatuses {
			ok = ok || v == st
		}
		if !ok {
			return out, fmt.Errorf("cannot inject status %d; valid: %v", st, graph.FaultStatuses)
		}
	}
	if f.ErrorRate > 0 && len(f.Statuses) == 0 {
		out.Statuses = graph.FaultStatuses
	}
	if f.Latency != "" {
		d, err := time.ParseDuration(f.Latency)
		if err != nil || d < 0 || d > time.Minute {
			return out, errors.New("latency: write a Go duration up to 1m, e.g. 250ms")
		}
		out.Latency = d
	}
	return out, nil
}

func faultsView(f graph.Faults) faultsJSON {
	return faultsJSON{ErrorRate: f.ErrorRate, Statuses: f.Statuses, RetryAfter: f.RetryAfter, LatencyRate: f.LatencyRate, Latency: f.Latency.String()}
}

func serveCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", "127.0.0.1:8080", "address to listen on (loopback unless --public)")
	public := fl.Bool("public", false, "allow a non-loopback --addr")
	worldPath := fl.String("world", "", "world file (JSON); the built-in demo world when empty")
	clockMode := fl.String("clock", "wall", "wall: the world's clock follows wall time; manual: it moves only through /_presencesim/clock")
	throttle := fl.Bool("throttle", true, "apply Graph's limit of 1,500 requests per 30 s per app and tenant")
	seed := fl.Int64("seed", -1, "override the world file's seed")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim serve [flags]\n\nServes Microsoft Graph presence (/v1.0/...), tokens (/{tenant}/oauth2/v2.0/token),\nthe PBX fake (/pbx/...) and the control API (/_presencesim/...).")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *clockMode != "wall" && *clockMode != "manual" {
		fmt.Fprintf(stderr, "presencesim serve: --clock %q; valid: wall, manual\n", *clockMode)
		return 2
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: --addr %q: %v\n", *addr, err)
		return 2
	}
	if ip := net.ParseIP(host); !*public && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(stderr, "presencesim serve: %s is not a loopback address; add --public to serve other hosts\n", host)
		return 2
	}
	wf, err := loadWorldFile(*worldPath)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
		return 2
	}
	if *seed >= 0 {
		wf.Seed = uint64(*seed)
	}
	srv, err := newServer(wf, *clockMode == "manual", graph.Options{Throttle: graph.Throttle{Off: !*throttle}})
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
		return 1
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "presencesim: serving Graph at %s/v1.0, tokens at %s/{tenant}/oauth2/v2.0/token, PBX at %s/pbx/, control at %s/_presencesim/ (clock %s)\n", base, base, base, base, *clockMode)
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
		return 1
	}
	srv.mu.Lock()
	if srv.stop != nil {
		srv.stop()
	}
	srv.mu.Unlock()
	fmt.Fprintln(stdout, "presencesim: stopped")
	return 0
}
