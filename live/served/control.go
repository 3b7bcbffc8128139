package served

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

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
	// AuthorityHost is what Microsoft's identity libraries take as their
	// authority host (azidentity's AuthorityHost, MSAL's authority without
	// the tenant); GraphURL the Graph service root.
	AuthorityHost string       `json:"authorityHost"`
	GraphURL      string       `json:"graphUrl"`
	PBXURL        string       `json:"pbxUrl"`
	Tenants       []tenantView `json:"tenants"`
	Clock         clockView    `json:"clock"`
}

type tenantView struct {
	ID                  string       `json:"id"`
	Name                string       `json:"name"`
	Authority           string       `json:"authority"`
	OpenIDConfiguration string       `json:"openidConfiguration"`
	TokenEndpoint       string       `json:"tokenEndpoint"`
	Users               []userView   `json:"users"`
	Apps                []*graph.App `json:"apps"`
}

type userView struct {
	ID                string            `json:"id"`
	UserPrincipalName string            `json:"userPrincipalName"`
	Mail              string            `json:"mail"`
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

func (s *Server) clockView(w *sim.World) clockView {
	return clockView{Now: w.Clock.Now().Wall(), Virtual: w.Clock.Now().String(), Mode: s.opt.Clock.Mode()}
}

func (s *Server) worldView(w *sim.World, base string) worldView {
	id := graph.IdentityOf(w)
	out := worldView{AuthorityHost: base + "/", GraphURL: base + "/v1.0", PBXURL: base + "/pbx"}
	for _, t := range id.Tenants() {
		tv := tenantView{ID: t.ID, Name: t.Name, Authority: base + "/" + t.ID, OpenIDConfiguration: base + "/" + t.ID + "/v2.0/.well-known/openid-configuration",
			TokenEndpoint: base + "/" + t.ID + "/oauth2/v2.0/token", Users: []userView{}, Apps: []*graph.App{}}
		for _, u := range w.Teams.Users() {
			d := w.Teams.Dir(u)
			if id.Tenant(d.Org).ID != t.ID {
				continue
			}
			acc := id.Account(u)
			p := w.Teams.Presence(u)
			tv.Users = append(tv.Users, userView{ID: d.ID, UserPrincipalName: d.UPN, Mail: d.Mail, DisplayName: d.DisplayName, Name: d.Name, Password: acc.Password, MFA: acc.MFA, Guest: d.Guest,
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

func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// maxControlBody bounds a control request's body; its requests are small.
const maxControlBody = 64 << 10

// maxPage bounds one page of a journal or delivery dump.
const maxPage = 1000

// control serves /_presencesim/: world, reset, clock, events, explain,
// journal, notifications, faults, throttle.
func (s *Server) control(rw http.ResponseWriter, r *http.Request) {
	in := s.current()
	path := strings.TrimPrefix(r.URL.Path, "/_presencesim/")
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxControlBody))
	if err != nil {
		controlError(rw, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxControlBody))
		return
	}
	decode := func(v any) bool {
		if len(bytes.TrimSpace(body)) == 0 {
			return true
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			controlError(rw, http.StatusBadRequest, "invalid JSON body: "+err.Error())
			return false
		}
		return true
	}
	need := func(method string) bool {
		if r.Method != method {
			controlError(rw, http.StatusMethodNotAllowed, "use "+method+" for /_presencesim/"+truncate(path, 80))
			return false
		}
		return true
	}
	switch {
	case path == "world":
		if !need(http.MethodGet) {
			return
		}
		var v worldView
		_ = in.lw.Do(func(w *sim.World) error { v = s.worldView(w, baseURL(r)); return nil })
		writeJSON(rw, http.StatusOK, v)
	case path == "reset":
		if !need(http.MethodPost) {
			return
		}
		if err := s.Reset(); err != nil {
			controlError(rw, http.StatusConflict, err.Error())
			return
		}
		var v worldView
		_ = s.World().Do(func(w *sim.World) error { v = s.worldView(w, baseURL(r)); return nil })
		writeJSON(rw, http.StatusOK, v)
	case path == "clock":
		if r.Method == http.MethodGet {
			var v clockView
			_ = in.lw.Do(func(w *sim.World) error { v = s.clockView(w); return nil })
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
		if err := moveClock(in.lw, req.Advance, req.To); err != nil {
			controlError(rw, http.StatusBadRequest, err.Error())
			return
		}
		var v clockView
		_ = in.lw.Do(func(w *sim.World) error { v = s.clockView(w); return nil })
		writeJSON(rw, http.StatusOK, v)
	case path == "events":
		if !need(http.MethodPost) {
			return
		}
		// the event is read inside the world: its times of day are of the
		// world's current day
		var ex any
		err := in.lw.Do(func(w *sim.World) error {
			ev, err := event.DecodeJSON(body, w.Clock.Now())
			if err == nil {
				err = w.Apply(ev)
			}
			if err != nil {
				return err
			}
			ex = explainEvent(w, ev)
			return nil
		})
		if err != nil {
			controlError(rw, http.StatusBadRequest, err.Error())
			return
		}
		// Notifications of the change go out in the background: the
		// answer waits for no subscriber.
		writeJSON(rw, http.StatusOK, ex)
	case strings.HasPrefix(path, "explain/"):
		if !need(http.MethodGet) {
			return
		}
		var v any
		err := in.lw.Do(func(w *sim.World) error {
			id, err := w.Teams.User(strings.TrimPrefix(path, "explain/"))
			if err == nil {
				v = explainView(w, id)
			}
			return err
		})
		if err != nil {
			controlError(rw, http.StatusNotFound, err.Error())
			return
		}
		writeJSON(rw, http.StatusOK, v)
	case path == "journal":
		if !need(http.MethodGet) {
			return
		}
		since, max, ok := page(rw, r)
		if !ok {
			return
		}
		list, next, dropped := in.g.Journal.Page(since, max)
		writeJSON(rw, http.StatusOK, map[string]any{"total": in.g.Journal.Len(), "entries": list, "next": next, "dropped": dropped})
	case path == "notifications":
		if !need(http.MethodGet) {
			return
		}
		since, max, ok := page(rw, r)
		if !ok {
			return
		}
		notes, next, dropped := in.g.NoticesSince(since, max)
		writeJSON(rw, http.StatusOK, map[string]any{"subscriptions": in.g.Subscriptions(), "deliveries": notes, "next": next, "dropped": dropped, "stats": in.g.Stats()})
	case path == "faults":
		if r.Method == http.MethodGet {
			writeJSON(rw, http.StatusOK, faultsView(in.g.Faults()))
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
		in.g.SetFaults(f)
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
			if err != nil || d <= 0 || d > 24*time.Hour {
				controlError(rw, http.StatusBadRequest, "window: write a Go duration up to 24h, such as 30s")
				return
			}
			t.Window = d
		}
		if t.Limit < 0 {
			controlError(rw, http.StatusBadRequest, "limit must be positive")
			return
		}
		in.g.SetThrottle(t)
		writeJSON(rw, http.StatusOK, t)
	default:
		controlError(rw, http.StatusNotFound, "unknown control endpoint /_presencesim/"+truncate(path, 80)+"; see: world, reset, clock, events, explain/{user}, journal, notifications, faults, throttle")
	}
}

// page reads ?since=N&max=M (max at most maxPage).
func page(rw http.ResponseWriter, r *http.Request) (since uint64, max int, ok bool) {
	q := r.URL.Query()
	max = maxPage
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			controlError(rw, http.StatusBadRequest, "since: write a sequence number, 0 or more")
			return 0, 0, false
		}
		since = n
	}
	if v := q.Get("max"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			controlError(rw, http.StatusBadRequest, fmt.Sprintf("max: write a page size from 1 to %d", maxPage))
			return 0, 0, false
		}
		max = n
	}
	return since, max, true
}

func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// moveClock moves the world's clock by a duration or to a clock time.
func moveClock(lw *live.World, advance, to string) error {
	switch {
	case advance != "" && to == "":
		d, err := time.ParseDuration(advance)
		if err != nil || d < 0 {
			return fmt.Errorf("advance: write a positive Go duration such as 10m or 1h30m")
		}
		return lw.Advance(d)
	case to != "" && advance == "":
		t, err := clock.Parse(to, lw.Now())
		if err != nil {
			return err
		}
		return lw.MoveTo(t)
	}
	return errors.New(`give either "advance" (a duration) or "to" (a clock time)`)
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
	WorkLocation struct {
		Type    string `json:"workLocationType"`
		Source  string `json:"source"`
		PlaceID string `json:"placeId,omitempty"`
	} `json:"workLocation"`
}

func explainView(w *sim.World, id teams.UserID) explainJSON {
	e := w.Teams.Explain(id)
	v := explainJSON{User: e.User, At: e.At.String(), Availability: e.Presence.Availability.String(), Activity: e.Presence.Activity.String(),
		OutOfOffice: e.Presence.OutOfOffice, Rule: e.Rule, Winner: e.Winner, Sources: []string{}, Timers: []string{}, Text: e.String()}
	for _, src := range e.Sources {
		v.Sources = append(v.Sources, fmt.Sprintf("%s: %s [%s] %s", src.Name, src.Presence, src.Rule, src.Detail))
	}
	v.WorkLocation.Type, v.WorkLocation.Source, v.WorkLocation.PlaceID = e.WorkLocation.Type.String(), e.WorkLocation.Source.String(), e.WorkLocation.PlaceID
	for _, t := range e.Timers {
		v.Timers = append(v.Timers, t.At.String()+" "+t.Label)
	}
	return v
}

// explainEvent is the answer to an event: the user's explanation, or for
// a call every participant's.
func explainEvent(w *sim.World, ev event.Event) any {
	if ev.Op == event.StartCall {
		out := []explainJSON{}
		for _, n := range ev.Users {
			if id, err := w.Teams.User(n); err == nil {
				out = append(out, explainView(w, id))
			}
		}
		return out
	}
	if id, err := w.Teams.User(ev.User()); err == nil {
		return explainView(w, id)
	}
	return struct{}{}
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
