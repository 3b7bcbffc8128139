package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// ViewPath is where a reader reports what it believes, on the Graph port.
const ViewPath = "/_conformance/view"

// View is one presence a reader reported believing.
type View struct {
	At             clock.Time
	ID             string
	Availability   string
	Activity       string
	SequenceNumber string
}

// Presence is the reported presence, when it parses.
func (v View) Presence() (presence.Presence, bool) {
	a, err1 := presence.ParseAvailability(v.Availability)
	act, err2 := presence.ParseActivity(v.Activity)
	return presence.Of(a, act), err1 == nil && err2 == nil
}

type views struct {
	mu   sync.Mutex
	list []View
}

// MaxViews is how many of a reader's reports a session keeps: a reader of
// a tenant reports a view for every change of everyone, all day, and what
// a scenario judges is its last minutes. Beyond it the older half goes.
const MaxViews = 1 << 14

// keep adds a view, dropping the older half once MaxViews are kept.
func (vs *views) keep(v View) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if len(vs.list) >= MaxViews {
		half := len(vs.list) / 2
		vs.list = append(vs.list[:0], vs.list[half:]...)
	}
	vs.list = append(vs.list, v)
}

// Views returns the reports kept (the last MaxViews at most), oldest first.
func (s *Session) Views() []View {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	return append([]View(nil), s.views.list...)
}

// Sees is the last presence the reader reported for a user id.
func (s *Session) Sees(id string) (View, bool) {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	for i := len(s.views.list) - 1; i >= 0; i-- {
		if strings.EqualFold(s.views.list[i].ID, id) {
			return s.views.list[i], true
		}
	}
	return View{}, false
}

// view takes a reader's report: one view, or an array of them in the
// order the reader came to believe them (at most MaxReportedViews).
func (s *Session) view(w http.ResponseWriter, r *http.Request) {
	type report struct {
		ID             string `json:"id"`
		Availability   string `json:"availability"`
		Activity       string `json:"activity"`
		SequenceNumber string `json:"sequenceNumber"`
	}
	const usage = `POST {"id","availability","activity","sequenceNumber"} or an array of up to 1000 of them`
	body, err := io.ReadAll(io.LimitReader(r.Body, maxViewReport+1))
	var list []report
	switch b := bytes.TrimSpace(body); {
	case r.Method != http.MethodPost || err != nil || len(body) > maxViewReport:
		list = nil
	case len(b) > 0 && b[0] == '[':
		if json.Unmarshal(b, &list) != nil || len(list) > connector.MaxReportedViews {
			list = nil
		}
	default:
		var one report
		if json.Unmarshal(b, &one) == nil {
			list = []report{one}
		}
	}
	for _, v := range list {
		if v.ID == "" {
			list = nil
		}
	}
	if len(list) == 0 {
		http.Error(w, usage, http.StatusBadRequest)
		return
	}
	at := s.lw.Now()
	for _, b := range list {
		v := View{At: at, ID: b.ID, Availability: b.Availability, Activity: b.Activity, SequenceNumber: b.SequenceNumber}
		s.views.keep(v)
		if s.target.ObserveView != nil {
			s.target.ObserveView(v)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// maxViewReport bounds a report's body: a thousand views fit in less.
const maxViewReport = 1 << 20

// errDropped marks notifications the harness withheld on purpose.
var errDropped = errors.New("withheld by the harness: notifications to the connector stopped")

// deliverer sends Graph's notifications over HTTP unless told to withhold
// them (a reader's notifications stopping, C-7).
type deliverer struct {
	http graph.HTTPDeliverer
	drop atomic.Bool
}

func (d *deliverer) Deliver(ctx context.Context, x graph.Delivery) (graph.Reply, error) {
	if d.drop.Load() && !x.Validation {
		return graph.Reply{}, errDropped
	}
	return d.http.Deliver(ctx, x)
}

// StopNotifications withholds (or, with false, resumes) notifications.
func (s *Session) StopNotifications(stop bool) { s.deliver.drop.Store(stop) }

// judgeReader is C-6, C-7 and C-8 from the wire, the fake's delivery
// notices and the reader's reports.
func (s *Session) judgeReader(calls []Call, subs []graph.Subscription, now clock.Time, who func(string) string, on func(string) bool) []Violation {
	var out []Violation
	subscribed := false
	for _, c := range calls {
		switch {
		case c.Action == "subscription" && c.Method == http.MethodPost && c.OK():
			subscribed = true
		case c.Action == "subscription" && c.Method == http.MethodPost && on("C-6"):
			out = append(out, Violation{Rule: "C-6", At: c.At, What: fmt.Sprintf("creating a subscription was refused with %d (a validation handshake not answered within 10 s, or a bad request)", c.Status)})
		case c.Action == "bulk" && c.Status == http.StatusBadRequest && on("C-7"):
			out = append(out, Violation{Rule: "C-7", At: c.At, What: "getPresencesByUserId was refused with 400 (more than 650 ids, or bad ids)"})
		case c.Action == "bulk" && c.Status == http.StatusTooManyRequests && c.RetryAfter > 0 && on("C-7"):
			out = append(out, Violation{Rule: "C-7", At: c.At, What: "polling ran into Graph's limit of 1,500 requests per 30 s"})
		}
	}
	if on("C-6") && s.Graph != nil {
		for _, n := range s.Graph.Notices() {
			if n.Kind != "notification" || n.Outcome == "delivered" || strings.Contains(n.Error, errDropped.Error()) || n.At > now {
				continue
			}
			why := n.Error
			if why == "" {
				why = fmt.Sprintf("answered %d", n.Status)
			}
			out = append(out, Violation{Rule: "C-6", At: n.At, User: n.User, What: "a notification was not accepted in time: " + why})
		}
		if subscribed {
			live := false
			for _, sub := range subs {
				live = live || strings.EqualFold(sub.ApplicationID, s.App.AppID)
			}
			if !live {
				out = append(out, Violation{Rule: "C-6", At: now, What: "the reader had a subscription and now has none: it was not renewed before it expired, or not recreated"})
			}
		}
	}
	if on("C-8") {
		last := map[string]View{}
		for _, v := range s.Views() {
			id := strings.ToLower(v.ID)
			if p, ok := last[id]; ok && v.SequenceNumber < p.SequenceNumber {
				out = append(out, Violation{Rule: "C-8", At: v.At, User: who(v.ID), What: fmt.Sprintf("took %s/%s (sequenceNumber %s) after the newer %s/%s (%s)", v.Availability, v.Activity, v.SequenceNumber, p.Availability, p.Activity, p.SequenceNumber)})
			}
			last[id] = v
		}
	}
	return out
}

// liveSubscriptions reads the fake's subscriptions.
func (s *Session) liveSubscriptions() []graph.Subscription {
	if s.Graph == nil {
		return nil // judged from a recorded wire alone
	}
	return s.Graph.Subscriptions()
}
