package xphone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	sx "github.com/presencesim/presencesim/sim/xphone"
)

// MaxBody is the largest request body the handler reads.
const MaxBody = 16 << 10

// MaxWait bounds a long poll's wait.
const MaxWait = 30 * time.Second

// Options configure a handler.
type Options struct {
	// Exclude names world users the XPhone server does not have (a
	// presence account).
	Exclude []string
	// OnChange, when set, is told of every change, with the world held.
	OnChange func(Change)
}

// Handler serves a world's XPhone server under /xphone/.
type Handler struct {
	lw  *live.World
	st  *state
	mux *http.ServeMux
}

// New builds a handler over the live world.
func New(lw *live.World, o Options) *Handler {
	h := &Handler{lw: lw, st: newState(o.Exclude, o.OnChange), mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /xphone/users", h.list)
	h.mux.HandleFunc("GET /xphone/users/{user}", h.one)
	h.mux.HandleFunc("PUT /xphone/users/{user}/profile", h.selectByConnector)
	h.mux.HandleFunc("POST /xphone/users/{user}/appointments", h.createAppt)
	h.mux.HandleFunc("DELETE /xphone/users/{user}/appointments/{id}", h.deleteAppt)
	h.mux.HandleFunc("PUT /xphone/users/{user}/profiles", h.putProfiles)
	h.mux.HandleFunc("POST /xphone/users/{user}/calls", h.input(false, true))
	h.mux.HandleFunc("DELETE /xphone/users/{user}/calls", h.input(false, false))
	h.mux.HandleFunc("POST /xphone/users/{user}/meetings", h.input(true, true))
	h.mux.HandleFunc("DELETE /xphone/users/{user}/meetings", h.input(true, false))
	h.mux.HandleFunc("POST /xphone/users/{user}/microphone", h.mic)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NotFound", "no such XPhone resource "+r.Method+" "+clip(r.URL.Path)+"; see GET /xphone/users")
	})
	return h
}

// Configure replaces the options of a handler already serving: before the
// first request, a harness that builds the server first says who to
// exclude and listens to the changes.
func (h *Handler) Configure(o Options) {
	_ = h.lw.Do(func(*sim.World) error {
		on := h.st.onChange
		*h.st = *newState(o.Exclude, o.OnChange)
		if o.OnChange == nil {
			h.st.onChange = on
		}
		return nil
	})
}

// ServeHTTP serves the XPhone API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	}
	h.mux.ServeHTTP(w, r)
}

// The harness's inputs, each taking the world's lock.

// SetProfiles replaces a user's "Meine Profile"; the first is selected.
func (h *Handler) SetProfiles(name string, list []sx.Profile) error {
	return h.at(name, func(w *sim.World, u teams.UserID) error { return h.st.setProfiles(w, u, list) })
}

// SelectProfile is the user picking a profile in the client.
func (h *Handler) SelectProfile(name, profile string) error {
	return h.at(name, func(w *sim.World, u teams.UserID) error { return h.st.selectProfile(w, u, profile, ByHarness) })
}

// Call starts (on) or ends an XPhone call of the user.
func (h *Handler) Call(name string, on bool) error {
	return h.at(name, func(w *sim.World, u teams.UserID) error { return h.st.count(w, u, false, on) })
}

// Meeting joins (on) or leaves an XPhone Connect meeting.
func (h *Handler) Meeting(name string, on bool) error {
	return h.at(name, func(w *sim.World, u teams.UserID) error { return h.st.count(w, u, true, on) })
}

// Microphone reports a process starting (on) or stopping to use the
// user's microphone.
func (h *Handler) Microphone(name, process string, on bool) error {
	return h.at(name, func(w *sim.World, u teams.UserID) error { return h.st.microphone(w, u, process, on) })
}

func (h *Handler) at(name string, fn func(*sim.World, teams.UserID) error) error {
	return h.lw.Do(func(w *sim.World) error {
		u, err := h.st.lookup(w, name)
		if err != nil {
			return err
		}
		return fn(w, u)
	})
}

// Reads, with the world held by the caller (inside Do or Await).

// UserView is one user's XPhone side as the API shows it.
type UserView struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	UPN          string        `json:"upn"`
	Profiles     []ProfileJSON `json:"profiles"`
	Selected     string        `json:"selected"`
	Calls        int           `json:"calls"`
	Meetings     int           `json:"meetings"`
	Microphone   []string      `json:"microphone"`
	Appointments []Appointment `json:"appointments"`
}

// ProfileJSON is a profile as the API shows it.
type ProfileJSON struct {
	Name         string `json:"name"`
	Availability string `json:"availability"`
	Activity     string `json:"activity"`
	Forwarding   string `json:"forwarding,omitempty"`
}

// View is a user's XPhone side; the caller holds the world.
func (h *Handler) View(w *sim.World, key string) (UserView, error) {
	u, err := h.st.lookup(w, key)
	if err != nil {
		return UserView{}, err
	}
	return h.view(w, u), nil
}

func (h *Handler) view(w *sim.World, u teams.UserID) UserView {
	d := w.Teams.Dir(u)
	x := h.st.get(u)
	v := UserView{ID: d.ID, Name: d.Name, UPN: d.UPN, Selected: x.profiles[x.selected].Name, Calls: x.calls, Meetings: x.meetings,
		Microphone: append([]string{}, x.mic...), Appointments: append([]Appointment{}, x.appts...)}
	for _, p := range x.profiles {
		v.Profiles = append(v.Profiles, ProfileJSON{Name: p.Name, Availability: p.Presence.Availability.String(), Activity: p.Presence.Activity.String(), Forwarding: p.Forwarding})
	}
	return v
}

// Journal is the changes so far, oldest first, and how many older ones
// were dropped; the caller holds the world.
func (h *Handler) Journal() ([]Change, int) {
	return append([]Change(nil), h.st.journal...), h.st.dropped
}

// AwaitRead waits until a reader of the user list has taken in the state
// as it is now — it asks for what comes after that version — or ctx ends: the harness lets a connector see
// its inputs before the next step changes Teams, so that a scenario does
// not race the connector's own reading.
func (h *Handler) AwaitRead(ctx context.Context) error {
	var want uint64
	_ = h.lw.Do(func(*sim.World) error { want = h.st.version; return nil })
	return h.lw.Await(ctx, func(*sim.World) bool { return h.st.served >= want })
}

// Version counts the changes; the caller holds the world.
func (h *Handler) Version() uint64 { return h.st.version }

// HTTP.

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var after uint64
	var wait time.Duration
	if s := q.Get("after"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadRequest", "after="+strconv.Quote(clip(s))+": want the version of the last answer")
			return
		}
		after = v
	}
	if s := q.Get("wait"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, "BadRequest", "wait="+strconv.Quote(clip(s))+": want a duration such as 5s")
			return
		}
		wait = min(d, MaxWait)
	}
	changed := false
	if s := q.Get("changed"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadRequest", "changed="+strconv.Quote(clip(s))+": want true (only the users changed after the version) or false")
			return
		}
		changed = v
	}
	if after > 0 {
		// asking for what comes after a version says the reader has
		// taken that version in
		_ = h.lw.Do(func(*sim.World) error { h.st.served = max(h.st.served, min(after, h.st.version)); return nil })
	}
	if wait > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		_ = h.lw.Await(ctx, func(*sim.World) bool { return h.st.version > after })
		cancel()
	}
	var out struct {
		Version uint64     `json:"version"`
		Value   []UserView `json:"value"`
	}
	_ = h.lw.Do(func(sw *sim.World) error {
		out.Version, out.Value = h.st.version, []UserView{}
		list := h.st.ids(sw)
		if changed {
			list = h.st.changedAfter(sw, after)
		}
		for _, u := range list {
			out.Value = append(out.Value, h.view(sw, u))
		}
		return nil
	})
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) one(w http.ResponseWriter, r *http.Request) {
	h.answer(w, r, http.StatusOK, func(sw *sim.World, u teams.UserID) (any, error) { return h.view(sw, u), nil })
}

func (h *Handler) selectByConnector(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if !decoded(w, r, &body) {
		return
	}
	h.answer(w, r, http.StatusOK, func(sw *sim.World, u teams.UserID) (any, error) {
		if err := h.st.selectProfile(sw, u, body.Name, ByConnector); err != nil {
			return nil, err
		}
		return h.view(sw, u), nil
	})
}

func (h *Handler) createAppt(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text    string `json:"text"`
		Profile string `json:"profile"`
		Source  string `json:"source"`
	}
	if !decoded(w, r, &body) {
		return
	}
	h.answer(w, r, http.StatusCreated, func(sw *sim.World, u teams.UserID) (any, error) {
		return h.st.createAppt(sw, u, body.Text, body.Profile, body.Source)
	})
}

func (h *Handler) deleteAppt(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "BadRequest", "appointment id "+strconv.Quote(clip(r.PathValue("id")))+": want a positive number")
		return
	}
	h.answer(w, r, http.StatusNoContent, func(sw *sim.World, u teams.UserID) (any, error) { return nil, h.st.deleteAppt(sw, u, id) })
}

func (h *Handler) putProfiles(w http.ResponseWriter, r *http.Request) {
	var body []ProfileJSON
	if !decoded(w, r, &body) {
		return
	}
	if len(body) > MaxProfiles {
		writeError(w, http.StatusConflict, "LimitReached", fmt.Sprintf("%d profiles; at most %d", len(body), MaxProfiles))
		return
	}
	list := make([]sx.Profile, 0, len(body))
	for i, p := range body {
		pr, err := presence.Parse(p.Availability + "/" + p.Activity)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("profile %d: %v", i+1, err))
			return
		}
		list = append(list, sx.Profile{Name: p.Name, Presence: pr, Forwarding: p.Forwarding})
	}
	h.answer(w, r, http.StatusOK, func(sw *sim.World, u teams.UserID) (any, error) {
		if err := h.st.setProfiles(sw, u, list); err != nil {
			return nil, err
		}
		return h.view(sw, u), nil
	})
}

func (h *Handler) input(meeting, on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.answer(w, r, http.StatusOK, func(sw *sim.World, u teams.UserID) (any, error) {
			if err := h.st.count(sw, u, meeting, on); err != nil {
				return nil, err
			}
			return h.view(sw, u), nil
		})
	}
}

func (h *Handler) mic(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Process string `json:"process"`
		On      bool   `json:"on"`
	}
	if !decoded(w, r, &body) {
		return
	}
	h.answer(w, r, http.StatusOK, func(sw *sim.World, u teams.UserID) (any, error) {
		if err := h.st.microphone(sw, u, body.Process, body.On); err != nil {
			return nil, err
		}
		return h.view(sw, u), nil
	})
}

// answer runs fn for the user the path names, with the world held, and
// writes its answer or its error with the error's status.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, status int, fn func(*sim.World, teams.UserID) (any, error)) {
	var v any
	err := h.lw.Do(func(sw *sim.World) error {
		u, err := h.st.lookup(sw, r.PathValue("user"))
		if err != nil {
			return err
		}
		v, err = fn(sw, u)
		return err
	})
	switch {
	case errors.Is(err, ErrUnknown):
		writeError(w, http.StatusNotFound, "NotFound", err.Error())
	case errors.Is(err, ErrFull):
		writeError(w, http.StatusConflict, "LimitReached", err.Error())
	case err != nil:
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
	case status == http.StatusNoContent:
		w.WriteHeader(status)
	default:
		writeJSON(w, status, v)
	}
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decoded reads one strict JSON value of at most MaxBody bytes, or answers
// the error.
func decoded(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("data after the JSON value")
			if errors.As(e, new(*http.MaxBytesError)) {
				err = e
			}
		}
	}
	switch {
	case err == nil:
		return true
	case errors.As(err, new(*http.MaxBytesError)):
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", fmt.Sprintf("the request body is larger than %d bytes", MaxBody))
	default:
		writeError(w, http.StatusBadRequest, "BadRequest", "malformed JSON body: "+clip(strings.ReplaceAll(err.Error(), "\n", " ")))
	}
	return false
}
