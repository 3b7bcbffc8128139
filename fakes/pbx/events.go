package pbx

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxReplay is the most events one JSON replay answers; the answer's next
// continues after them.
const MaxReplay = 1000

// Replay is the answer of GET /pbx/events without text/event-stream.
type Replay struct {
	Value []Event `json:"value"`
	// LastEventID is the last event the PBX reported.
	LastEventID uint64 `json:"lastEventId"`
	// Missed counts events after the reader's id that the journal no
	// longer keeps: the reader has a gap and should read GET /pbx/users.
	Missed uint64 `json:"missed,omitempty"`
	// Next is the request for the events after Value when there are more.
	Next string `json:"next,omitempty"`
}

// resume reads where a reader resumes: ?after= or else the Last-Event-ID
// header. Ids are decimal event ids. An id beyond the last event is
// refused rather than waited for: it comes from another journal (the
// world was reset or the fake restarted), and waiting would silently skip
// every event up to it. Such a reader reads GET /pbx/users and streams from
// its lastEventId.
func (h *Handler) resume(r *http.Request) (uint64, *apiError) {
	v, what := r.URL.Query().Get("after"), "after"
	if v == "" {
		v, what = r.Header.Get("Last-Event-ID"), "Last-Event-ID"
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, bad("%s %q is not a number: write the decimal id of the last event read", what, clip(v))
	}
	if last := h.j.lastID(); n > last {
		return 0, &apiError{http.StatusBadRequest, "UnknownEventId", fmt.Sprintf("%s %d is beyond the last event %d: it belongs to another journal; read GET /pbx/users and stream from its lastEventId", what, n, last)}
	}
	return n, nil
}

// limit reads ?limit= for a page of at most max entries (max when absent).
func limit(r *http.Request, max int) (int, *apiError) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return max, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, bad("limit %q: write a number from 1 to %d", clip(v), max)
	}
	return n, nil
}

// clip shortens a client's text for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// events streams the journal as Server-Sent Events, or, for a client that
// does not accept text/event-stream, answers a Replay of the events after
// the given id.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	from, aerr := h.resume(r)
	if aerr == nil && !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		var max int
		if max, aerr = limit(r, MaxReplay); aerr == nil {
			p := h.j.read(from, max)
			out := Replay{Value: p.events, LastEventID: p.last, Missed: p.missed}
			if out.Value == nil {
				out.Value = []Event{}
			}
			if p.more {
				out.Next = fmt.Sprintf("/pbx/events?after=%d&limit=%d", p.events[len(p.events)-1].ID, max)
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	if aerr != nil {
		writeError(w, aerr.status, aerr.code, aerr.msg)
		return
	}
	if h.n.streams.Add(1) > int64(h.opt.MaxStreams) {
		h.n.streams.Add(-1)
		h.n.streamsRefused.Add(1)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "TooManyStreams", fmt.Sprintf("%d event streams are open, the most this PBX serves; close one, or poll GET /pbx/events with Accept: application/json", h.opt.MaxStreams))
		return
	}
	defer h.n.streams.Add(-1)
	h.stream(w, r, from)
}

func (h *Handler) stream(w http.ResponseWriter, r *http.Request, from uint64) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "InternalError", "streaming is not supported by this server")
		return
	}
	rc := http.NewResponseController(w)
	// deadlines are set per round of writes; the idle wait between rounds
	// is not bounded by them, and the connection outlives the stream clean
	deadline := func() { _ = rc.SetWriteDeadline(time.Now().Add(h.opt.StreamWriteTimeout)) }
	defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
	deadline()
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "retry: 1000\n: presencesim PBX events\n\n")
	fl.Flush()
	tick := time.NewTicker(h.opt.KeepAlive)
	defer tick.Stop()
	for {
		p := h.j.read(from, MaxReplay)
		deadline()
		if p.missed > 0 {
			if _, err := fmt.Fprintf(w, ": missed %d events the journal no longer keeps; read GET /pbx/users\n\n", p.missed); err != nil {
				return
			}
		}
		for _, e := range p.events {
			data, _ := json.Marshal(e)
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Type, data); err != nil {
				return
			}
			from = e.ID
		}
		if err := rc.Flush(); err != nil {
			return
		}
		if p.more && r.Context().Err() == nil && h.ctx.Err() == nil {
			continue
		}
		select {
		case <-p.changed:
		case <-tick.C:
			deadline()
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-h.ctx.Done():
			return
		}
	}
}
