package graph

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// Throttle is G-THR-1: at most Limit requests per Window per application
// per tenant on the world's clock; beyond, 429 with Retry-After.
type Throttle struct {
	Off    bool
	Limit  int           // 1500
	Window time.Duration // 30 s
}

// DefaultThrottle is Graph's documented presence limit.
var DefaultThrottle = Throttle{Limit: 1500, Window: 30 * time.Second}

// withDefaults fills a zero Limit or Window from DefaultThrottle.
func (t Throttle) withDefaults() Throttle {
	if t.Limit <= 0 {
		t.Limit = DefaultThrottle.Limit
	}
	if t.Window <= 0 {
		t.Window = DefaultThrottle.Window
	}
	return t
}

// Faults are injected errors and latency, drawn from the world's seeded
// stream "graph faults" for every request, whether it comes over HTTP or
// from an in-process model.
type Faults struct {
	// ErrorRate is the share of requests answered with one of Statuses
	// (429, 500, 503 or 504) instead of being served.
	ErrorRate float64
	Statuses  []int
	// RetryAfter is sent with injected 429 and 503 (seconds; 0 → 1).
	RetryAfter int
	// LatencyRate is the share of requests delayed by Latency: in real time
	// over HTTP, in virtual time on the seam (a write takes effect later).
	LatencyRate float64
	Latency     time.Duration
}

// FaultStatuses are the statuses Faults may inject.
var FaultStatuses = []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// Check says what is wrong with the faults, if anything.
func (f Faults) Check() error {
	if f.ErrorRate < 0 || f.ErrorRate > 1 || f.LatencyRate < 0 || f.LatencyRate > 1 {
		return fmt.Errorf("fault rates are shares from 0 to 1, got errors %g and latency %g", f.ErrorRate, f.LatencyRate)
	}
	if f.ErrorRate > 0 && len(f.Statuses) == 0 {
		return fmt.Errorf("an error rate of %g needs statuses to answer with; valid: %v", f.ErrorRate, FaultStatuses)
	}
	for _, s := range f.Statuses {
		if !validStatus(s) {
			return fmt.Errorf("cannot inject status %d; valid: %v", s, FaultStatuses)
		}
	}
	if f.RetryAfter < 0 || f.RetryAfter > 24*3600 {
		return fmt.Errorf("Retry-After %d s: give 0 to 86400 seconds", f.RetryAfter)
	}
	if f.Latency < 0 || f.Latency > time.Hour {
		return fmt.Errorf("latency %s: give 0 to 1 h", f.Latency)
	}
	return nil
}

func validStatus(s int) bool {
	for _, f := range FaultStatuses {
		if f == s {
			return true
		}
	}
	return false
}

func (f Faults) on() bool {
	return (f.ErrorRate > 0 && len(f.Statuses) > 0) || (f.LatencyRate > 0 && f.Latency > 0)
}

// Window counts the requests of one application in one tenant (G-THR-1).
type Window struct {
	start clock.Time
	n     int
	gen   uint32
}

// Layer is Graph's limits and faults in one world: the throttle setting,
// the injected faults, the notification faults, the one seeded draw and the
// journal of what it did. The Graph fake (over HTTP) and every seam the
// world hands out (in process) go through it.
type Layer struct {
	clock *clock.Clock
	tm    *teams.Model
	trace *trace.Trace
	rnd   *rand.Rand
	thr   Throttle
	f     Faults
	// gen grows when the throttle is set, so windows kept elsewhere (a
	// seam's, the Graph fake's) start over.
	gen     uint32
	windows map[string]*Window // the Graph fake's, by tenant/app id
	notify  notifyFaults
	journal journal
	stats   Stats
}

// Stats count what the layer did.
type Stats struct {
	Requests, Throttled, Injected, Delayed uint64
	// Notifications counts the notifications that passed the layer; the
	// rest what happened to some of them.
	Notifications, NotesDropped, NotesDuplicated, NotesDelayed, NotesReordered uint64
}

// NewLayer builds the layer of a world's Teams model, on its clock and
// trace, drawing from rnd; the throttle is Graph's default, no faults.
func NewLayer(tm *teams.Model, c *clock.Clock, tr *trace.Trace, rnd *rand.Rand) *Layer {
	l := &Layer{clock: c, tm: tm, trace: tr, rnd: rnd, thr: DefaultThrottle, windows: map[string]*Window{}, gen: 1}
	l.notify.l = l
	return l
}

// Throttle is the throttle setting.
func (l *Layer) Throttle() Throttle { return l.thr }

// SetThrottle replaces the throttle setting (zero Limit or Window: the
// default) and starts every window over.
func (l *Layer) SetThrottle(t Throttle) {
	l.thr = t.withDefaults()
	l.gen++
	clear(l.windows)
}

// Faults is the fault setting.
func (l *Layer) Faults() Faults {
	f := l.f
	f.Statuses = append([]int(nil), f.Statuses...)
	return f
}

// SetFaults checks and replaces the fault setting.
func (l *Layer) SetFaults(f Faults) error {
	if err := f.Check(); err != nil {
		return err
	}
	f.Statuses = append([]int(nil), f.Statuses...)
	l.f = f
	return nil
}

// Stats returns the counts so far.
func (l *Layer) Stats() Stats { return l.stats }

// Take counts one request against w (G-THR-1) and answers 429 with the
// time left in the window as Retry-After when it is full.
func (l *Layer) Take(w *Window) *Error {
	t := l.thr
	if t.Off {
		return nil
	}
	now := l.clock.Now()
	if w.gen != l.gen || now.Sub(w.start) >= t.Window {
		w.start, w.n, w.gen = now, 0, l.gen
	}
	if w.n >= t.Limit {
		left := t.Window - now.Sub(w.start)
		secs := int((left + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		l.stats.Throttled++
		return &Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: time.Duration(secs) * time.Second,
			Message: "Please retry again later. (" + strconv.Itoa(t.Limit) + " requests per " + t.Window.String() + " per application per tenant; retry after " + strconv.Itoa(secs) + " s)"}
	}
	w.n++
	return nil
}

// TakeKey is Take for the window named key (the Graph fake's tenant/app).
func (l *Layer) TakeKey(key string) *Error {
	if l.thr.Off {
		return nil
	}
	w := l.windows[key]
	if w == nil {
		if len(l.windows) >= maxWindows {
			clear(l.windows) // a fresh window per key is more lenient, never stricter
		}
		w = &Window{}
		l.windows[key] = w
	}
	return l.Take(w)
}

// maxWindows caps the windows kept by key; tenants times apps stay far
// below it.
const maxWindows = 100_000

// Draw draws a request's injected error and latency. With no faults set
// it draws nothing, so the seeded stream is not consumed.
func (l *Layer) Draw() (*Error, time.Duration) {
	l.stats.Requests++
	f := &l.f
	if !f.on() {
		return nil, 0
	}
	var d time.Duration
	if f.LatencyRate > 0 && f.Latency > 0 && l.rnd.Float64() < f.LatencyRate {
		d = f.Latency
		l.stats.Delayed++
	}
	if f.ErrorRate <= 0 || len(f.Statuses) == 0 || l.rnd.Float64() >= f.ErrorRate {
		return nil, d
	}
	l.stats.Injected++
	return Injected(f.Statuses[l.rnd.IntN(len(f.Statuses))], f.RetryAfter), d
}

// Injected is the error Graph answers with when a fault injects status;
// retryAfter (seconds, 0 → 1) goes with 429 and 503.
func Injected(status, retryAfter int) *Error {
	ra := time.Duration(max(retryAfter, 1)) * time.Second
	switch status {
	case http.StatusTooManyRequests:
		return &Error{Status: status, Code: "TooManyRequests", Message: "Please retry again later.", RetryAfter: ra}
	case http.StatusServiceUnavailable:
		return &Error{Status: status, Code: "serviceNotAvailable", Message: "The service is temporarily unavailable. Please retry later.", RetryAfter: ra}
	case http.StatusGatewayTimeout:
		return &Error{Status: status, Code: "GatewayTimeout", Message: "The gateway did not receive a timely response."}
	default:
		return &Error{Status: status, Code: "generalException", Message: "An unspecified error has occurred."}
	}
}
