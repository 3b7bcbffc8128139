package pbx

import (
	"net/http"
	"sync/atomic"
)

// counters count what the handler's caps refused or let go.
type counters struct {
	streams        atomic.Int64
	streamsRefused atomic.Uint64
	bodiesRefused  atomic.Uint64
}

// Limits are a handler's caps, as GET /pbx/stats shows them.
type Limits struct {
	JournalSize int `json:"journalSize"`
	MaxReplay   int `json:"maxReplay"`
	MaxStreams  int `json:"maxStreams"`
	MaxBody     int `json:"maxBody"`
}

// Stats is what a handler holds and what its caps refused or let go; the
// answer of GET /pbx/stats.
type Stats struct {
	Limits Limits `json:"limits"`
	// Streams are the open event streams; StreamsRefused those refused
	// with 503 at MaxStreams.
	Streams        int64  `json:"streams"`
	StreamsRefused uint64 `json:"streamsRefused"`
	// LastEventID is the last event; JournalDropped the events pushed out
	// of the journal to keep it at JournalSize.
	LastEventID    uint64 `json:"lastEventId"`
	JournalDropped uint64 `json:"journalDropped"`
	// BodiesRefused are request bodies refused with 413 for being larger
	// than MaxBody.
	BodiesRefused uint64 `json:"bodiesRefused"`
}

// Stats reads the handler's counters; it is safe to call at any time.
func (h *Handler) Stats() Stats {
	return Stats{
		Limits:         Limits{JournalSize: h.j.size, MaxReplay: MaxReplay, MaxStreams: h.opt.MaxStreams, MaxBody: MaxBody},
		Streams:        h.n.streams.Load(),
		StreamsRefused: h.n.streamsRefused.Load(),
		LastEventID:    h.j.lastID(),
		JournalDropped: h.j.droppedCount(),
		BodiesRefused:  h.n.bodiesRefused.Load(),
	}
}

func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.Stats())
}
