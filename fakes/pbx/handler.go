package pbx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Options configure a handler; the zero value serves with the defaults.
// Every cap counts what it refused or let go (Handler.Stats).
type Options struct {
	// JournalSize bounds the events kept for replay (DefaultJournalSize);
	// older events are dropped and counted.
	JournalSize int
	// KeepAlive is the interval of SSE comments that keep idle streams
	// open (15 s when zero).
	KeepAlive time.Duration
	// MaxStreams bounds the open event streams (DefaultMaxStreams); one
	// more is refused with 503.
	MaxStreams int
	// StreamWriteTimeout bounds one round of writes to an event stream
	// (10 s when zero): a reader that stops reading loses its stream
	// rather than holding it while events pile up.
	StreamWriteTimeout time.Duration

	// MaxWebhooks bounds the registered webhooks (DefaultMaxWebhooks),
	// MaxWebhooksPerCaller those of one caller, the remote IP address
	// (DefaultMaxWebhooksPerCaller); one more is refused with 403.
	MaxWebhooks          int
	MaxWebhooksPerCaller int
	// WebhookQueue bounds the events waiting for one webhook
	// (DefaultWebhookQueue): when a receiver falls further behind, the
	// oldest waiting events are dropped.
	WebhookQueue int
	// Retry are the waits between webhook delivery attempts (100 ms, 500 ms,
	// 2 s when nil); after the last, the event counts as failed.
	Retry []time.Duration
	// Client sends webhook deliveries (its own transport when nil). The
	// handler sends through a copy that never follows a redirect.
	Client *http.Client
	// DeliveryTimeout bounds each delivery attempt (3 s when zero), the
	// time the receiver has to answer 2xx.
	DeliveryTimeout time.Duration
	// AllowHTTPWebhooks accepts http:// webhook URLs for any host; without
	// it http:// is only for a loopback host and others need https://
	// (G-URL-1).
	AllowHTTPWebhooks bool

	// AllowNewUsers lets POST /pbx/users add a user the world lacks to
	// the world, a Graph identity; without it such a name is 404 and the
	// world file alone says who exists. AllowNewTenants lets new users go
	// to any organisation, not only the home one (sim.DefaultOrg).
	// MaxNewUsers bounds how many the API adds (DefaultMaxNewUsers); one
	// more is refused with 403.
	AllowNewUsers   bool
	AllowNewTenants bool
	MaxNewUsers     int
}

// The default caps.
const (
	DefaultMaxStreams           = 256
	DefaultMaxWebhooks          = 256
	DefaultMaxWebhooksPerCaller = 32
	DefaultWebhookQueue         = 1000
	DefaultMaxNewUsers          = 1000
)

// Handler serves a world's PBX under /pbx/.
type Handler struct {
	lw  *live.World
	w   *sim.World // reached only inside lw.Do
	pbx *pbx.Model
	opt Options
	mux *http.ServeMux
	j   *journal

	ctx    context.Context
	cancel context.CancelFunc
	hooks  *hooks
	client *http.Client // sends webhook deliveries; never follows redirects
	n      counters
}

// New builds a handler over the live world's PBX and listens to it. It
// changes nothing in the world: who has which phone is the world's own
// business (see pbx.Model.Ensure). Close stops webhook deliveries and ends
// open streams.
func New(lw *live.World, o Options) *Handler {
	if o.KeepAlive <= 0 {
		o.KeepAlive = 15 * time.Second
	}
	if o.Retry == nil {
		o.Retry = []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second}
	}
	for _, c := range []struct {
		v   *int
		def int
	}{{&o.MaxStreams, DefaultMaxStreams}, {&o.MaxWebhooks, DefaultMaxWebhooks}, {&o.MaxWebhooksPerCaller, DefaultMaxWebhooksPerCaller}, {&o.WebhookQueue, DefaultWebhookQueue}, {&o.MaxNewUsers, DefaultMaxNewUsers}} {
		if *c.v <= 0 {
			*c.v = c.def
		}
	}
	if o.StreamWriteTimeout <= 0 {
		o.StreamWriteTimeout = 10 * time.Second
	}
	if o.DeliveryTimeout <= 0 {
		o.DeliveryTimeout = 3 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Handler{lw: lw, opt: o, mux: http.NewServeMux(), j: newJournal(o.JournalSize), ctx: ctx, cancel: cancel, client: deliveryClient(o.Client)}
	h.hooks = &hooks{h: h, byID: map[string]*hook{}, byCaller: map[string]int{}}
	_ = lw.Do(func(w *sim.World) error {
		h.w, h.pbx = w, pbx.Of(w)
		h.pbx.Listen(h)
		return nil
	})
	h.routes()
	return h
}

// Close stops the webhook workers and ends the event streams.
func (h *Handler) Close() {
	h.cancel()
	h.hooks.close()
	h.client.CloseIdleConnections()
}

// PBXChanged journals a change (pbx.Listener); called with the world locked.
func (h *Handler) PBXChanged(now clock.Time, ev pbx.Event) {
	h.j.add(eventJSON(h.pbx, now, ev))
}

func (h *Handler) routes() {
	h.mux.HandleFunc("GET /pbx/users", h.listUsers)
	h.mux.HandleFunc("POST /pbx/users", h.addUser)
	h.mux.HandleFunc("GET /pbx/users/{user}", h.getUser)
	h.mux.HandleFunc("PATCH /pbx/users/{user}", h.patchUser)
	h.mux.HandleFunc("POST /pbx/users/{user}/devices", h.addDevice)
	h.mux.HandleFunc("POST /pbx/users/{user}/lines/{device}", h.lineEvent)
	h.mux.HandleFunc("POST /pbx/users/{user}/presence", h.setPresence)
	h.mux.HandleFunc("GET /pbx/states", h.listStates)
	h.mux.HandleFunc("PUT /pbx/states/{state}", h.renameState)
	h.mux.HandleFunc("GET /pbx/events", h.events)
	h.mux.HandleFunc("GET /pbx/stats", h.stats)
	h.mux.HandleFunc("POST /pbx/webhooks", h.hooks.create)
	h.mux.HandleFunc("GET /pbx/webhooks", h.hooks.list)
	h.mux.HandleFunc("GET /pbx/webhooks/{id}", h.hooks.get)
	h.mux.HandleFunc("DELETE /pbx/webhooks/{id}", h.hooks.delete)
	notFound := func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NotFound", "no such PBX resource "+r.Method+" "+clip(r.URL.Path)+"; see GET /pbx/users, /pbx/states, /pbx/events, /pbx/webhooks")
	}
	h.mux.HandleFunc("/pbx/", notFound)
	h.mux.HandleFunc("/", notFound)
}

// ServeHTTP serves the PBX API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	}
	h.mux.ServeHTTP(w, r)
}

// apiError is an error with its HTTP status.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func bad(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, "BadRequest", fmt.Sprintf(format, a...)}
}

// fromModel turns a model error into its status: unknown user or device
// 404, a refused event 409 (the line is not in a state for it), else 400.
func fromModel(err error) *apiError {
	switch {
	case errors.Is(err, pbx.ErrUnknown), errors.Is(err, teams.ErrUnknownUser):
		return &apiError{http.StatusNotFound, "NotFound", err.Error()}
	case errors.Is(err, pbx.ErrInvalid) && strings.Contains(err.Error(), "possible now"):
		return &apiError{http.StatusConflict, "Conflict", err.Error()}
	}
	return &apiError{http.StatusBadRequest, "BadRequest", err.Error()}
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// MaxBody is the largest request body the handler reads; a larger one is
// answered 413 before it is decoded.
const MaxBody = 64 << 10

// Longest client texts the handler stores: each is copied into events that
// the journal keeps and every reader gets.
const (
	maxName  = 64  // a new user's name and organisation, a state's label
	maxEmail = 254 // the longest forward path SMTP carries
	maxURL   = 2048
	maxToken = 256 // a webhook secret
)

var errTrailing = errors.New("data after the JSON value")

// decoded reads a JSON body strictly: one value, no unknown fields, at most
// MaxBody bytes. Otherwise it answers the error and is false.
func (h *Handler) decoded(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errTrailing
			if errors.As(e, new(*http.MaxBytesError)) {
				err = e
			}
		}
	}
	if err == nil {
		return true
	}
	if errors.As(err, new(*http.MaxBytesError)) {
		h.n.bodiesRefused.Add(1)
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", fmt.Sprintf("the request body is larger than %d bytes", MaxBody))
		return false
	}
	e := bad("malformed JSON body: %v", err)
	writeError(w, e.status, e.code, e.msg)
	return false
}

// tooLong refuses a client text longer than max characters.
func tooLong(field, s string, max int) *apiError {
	if n := utf8.RuneCountInString(s); n > max {
		return bad("%s is %d characters long; at most %d", field, n, max)
	}
	return nil
}

// locked runs fn inside the live world's Do and writes its answer or
// error.
func (h *Handler) locked(w http.ResponseWriter, status int, fn func() (any, *apiError)) {
	var v any
	var err *apiError
	_ = h.lw.Do(func(*sim.World) error { v, err = fn(); return nil })
	if err != nil {
		writeError(w, err.status, err.code, err.msg)
		return
	}
	writeJSON(w, status, v)
}

// atUser answers fn for the user the path names, with the world locked.
func (h *Handler) atUser(w http.ResponseWriter, r *http.Request, status int, fn func(i int) (any, *apiError)) {
	h.locked(w, status, func() (any, *apiError) {
		i, err := h.pbx.Lookup(r.PathValue("user"))
		if err != nil {
			return nil, fromModel(err)
		}
		return fn(i)
	})
}

// changeUser applies change to the user the path names, with the world
// locked, and answers the user as it is then.
func (h *Handler) changeUser(w http.ResponseWriter, r *http.Request, status int, change func(i int) error) {
	h.atUser(w, r, status, func(i int) (any, *apiError) {
		if e := change(i); e != nil {
			return nil, fromModel(e)
		}
		return userJSON(h.pbx, i), nil
	})
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	h.locked(w, http.StatusOK, func() (any, *apiError) {
		out := Users{Value: []User{}, UserPresence: h.pbx.Settings().UserPresence, LastEventID: h.j.lastID()}
		for i := 0; i < h.pbx.Len(); i++ {
			out.Value = append(out.Value, userJSON(h.pbx, i))
		}
		return out, nil
	})
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	h.changeUser(w, r, http.StatusOK, func(int) error { return nil })
}

// addUser puts a world user on the PBX; a user the world lacks is added
// to it only as newUser allows.
func (h *Handler) addUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name    string   `json:"name"`
		Org     string   `json:"org"`
		Email   string   `json:"email"`
		Devices []string `json:"devices"`
	}
	if !h.decoded(w, r, &body) {
		return
	}
	if e := tooLong("email", body.Email, maxEmail); e != nil {
		writeError(w, e.status, e.code, e.msg)
		return
	}
	// everything is checked before the world changes: a refused request
	// adds no one
	if body.Email != "" {
		if err := pbx.CheckEmail(body.Email); err != nil {
			writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
	}
	var devs []pbx.Device
	for _, d := range body.Devices {
		dev, err := pbx.ParseDevice(d)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		devs = append(devs, dev)
	}
	h.locked(w, http.StatusCreated, func() (any, *apiError) {
		id, err := h.w.Teams.User(body.Name)
		if err != nil {
			var aerr *apiError
			if id, aerr = h.newUser(body.Name, body.Org); aerr != nil {
				return nil, aerr
			}
		} else if org := h.w.Teams.Dir(id).Org; body.Org != "" && !strings.EqualFold(body.Org, org) {
			return nil, bad("%s is a user of %s, not of %s", body.Name, org, clip(body.Org))
		}
		if _, had := h.pbx.Find(id); had {
			return nil, &apiError{http.StatusConflict, "Conflict", fmt.Sprintf("%s is on the PBX already", body.Name)}
		}
		i, err := h.pbx.Ensure(id)
		if err != nil {
			return nil, fromModel(err)
		}
		for _, d := range devs {
			if err := h.pbx.AddDevice(i, d); err != nil {
				return nil, fromModel(err)
			}
		}
		if body.Email != "" {
			if err := h.pbx.SetEmail(i, body.Email); err != nil {
				return nil, fromModel(err)
			}
		}
		return userJSON(h.pbx, i), nil
	})
}

// newUser adds a user the world lacks: only with AllowNewUsers, only in
// the home organisation unless AllowNewTenants, and at most MaxNewUsers.
// Called with the world locked. Every PBX user is a Graph identity, so by
// default the world file alone decides who exists.
func (h *Handler) newUser(name, org string) (teams.UserID, *apiError) {
	if strings.TrimSpace(name) == "" {
		return 0, bad("a user needs a name")
	}
	refuse := func(e *apiError) (teams.UserID, *apiError) {
		h.n.usersRefused.Add(1)
		return 0, e
	}
	if !h.opt.AllowNewUsers {
		return refuse(&apiError{http.StatusNotFound, "NotFound", fmt.Sprintf(
			"no user %q in the world; the PBX takes its users from the world and adds none. Declare the user in the world file, "+
				`{"tenants": [{"name": %q, "users": [{"name": %q}]}]}, and serve it with presencesim serve --world FILE; `+
				"GET /_presencesim/world lists the world's users", clip(name), sim.DefaultOrg, clip(name))})
	}
	if e := tooLong("name", name, maxName); e != nil {
		return 0, e
	}
	if e := tooLong("org", org, maxName); e != nil {
		return 0, e
	}
	switch {
	case org == "" || strings.EqualFold(org, sim.DefaultOrg):
		org = sim.DefaultOrg
	case !h.opt.AllowNewTenants:
		return refuse(&apiError{http.StatusForbidden, "Forbidden", fmt.Sprintf("new users go only to the home organisation %s, not to %q", sim.DefaultOrg, org)})
	case strings.IndexFunc(org, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '-' && r != '_'
	}) >= 0:
		return 0, bad("org %q: use letters, digits, '.', '-' or '_'", org)
	}
	if h.n.usersAdded.Load() >= int64(h.opt.MaxNewUsers) {
		return refuse(&apiError{http.StatusForbidden, "TooManyUsers", fmt.Sprintf("%d users were added through the PBX API, the most it adds; declare more in the world file", h.opt.MaxNewUsers)})
	}
	id, err := h.w.AddUser(name, org)
	if err != nil {
		return 0, bad("%v", err)
	}
	h.n.usersAdded.Add(1)
	return id, nil
}

func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if !h.decoded(w, r, &body) {
		return
	}
	if e := tooLong("email", body.Email, maxEmail); e != nil {
		writeError(w, e.status, e.code, e.msg)
		return
	}
	h.changeUser(w, r, http.StatusOK, func(i int) error { return h.pbx.SetEmail(i, body.Email) })
}

func (h *Handler) addDevice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Device string `json:"device"`
	}
	if !h.decoded(w, r, &body) {
		return
	}
	d, perr := pbx.ParseDevice(body.Device)
	if perr != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", perr.Error())
		return
	}
	h.changeUser(w, r, http.StatusCreated, func(i int) error { return h.pbx.AddDevice(i, d) })
}

func (h *Handler) lineEvent(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Event string `json:"event"`
	}
	if !h.decoded(w, r, &body) {
		return
	}
	ev, perr := pbx.ParseLineEvent(body.Event)
	if perr != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", perr.Error())
		return
	}
	d, perr := pbx.ParseDevice(r.PathValue("device"))
	if perr != nil {
		writeError(w, http.StatusNotFound, "NotFound", perr.Error())
		return
	}
	h.atUser(w, r, http.StatusOK, func(i int) (any, *apiError) {
		if e := h.pbx.LineEvent(i, d, ev); e != nil {
			return nil, fromModel(e)
		}
		return lineJSON(h.pbx.UserAt(i).Line(d)), nil
	})
}

// setPresence sets a presence where a person would: on the phone, in the
// self-service portal, in Mitel One or in MiCollab.
func (h *Handler) setPresence(w http.ResponseWriter, r *http.Request) {
	var body struct {
		State string `json:"state"`
		Via   string `json:"via"`
	}
	if !h.decoded(w, r, &body) {
		return
	}
	if body.Via == "" {
		body.Via = "phone"
	}
	via, perr := pbx.ParseVia(body.Via)
	if perr != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", perr.Error())
		return
	}
	h.changeUser(w, r, http.StatusOK, func(i int) (e error) {
		switch via {
		case pbx.ViaMitelOne:
			var s pbx.MitelOneState
			if s, e = pbx.ParseMitelOne(body.State); e == nil {
				e = h.pbx.SetMitelOne(i, s)
			}
		case pbx.ViaMiCollab:
			var p presence.Presence
			if p, e = presence.Parse(body.State); e == nil {
				e = h.pbx.SetMiCollab(i, p.Availability)
			}
		default:
			var s pbx.UserState
			if s, e = h.pbx.ParseUserState(body.State); e == nil {
				e = h.pbx.SetUserPresence(i, s, via)
			}
		}
		return e
	})
}

func (h *Handler) listStates(w http.ResponseWriter, r *http.Request) {
	h.locked(w, http.StatusOK, func() (any, *apiError) {
		return map[string]any{"value": statesJSON(h.pbx), "mitelOneSync": "CL-5"}, nil
	})
}

func (h *Handler) renameState(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Label string `json:"label"`
	}
	if !h.decoded(w, r, &body) {
		return
	}
	if e := tooLong("label", body.Label, maxName); e != nil {
		writeError(w, e.status, e.code, e.msg)
		return
	}
	h.locked(w, http.StatusOK, func() (any, *apiError) {
		s, e := h.pbx.ParseUserState(r.PathValue("state"))
		if e != nil {
			return nil, &apiError{http.StatusNotFound, "NotFound", e.Error()}
		}
		if e := h.pbx.RenameState(s, body.Label); e != nil {
			return nil, fromModel(e)
		}
		return map[string]any{"value": statesJSON(h.pbx)}, nil
	})
}
