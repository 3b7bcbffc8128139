package pbx

import (
	"net/http"
	"sync/atomic"
)

// counters count what the handler's caps refused or let go.
type counters struct {
	streams           atomic.Int64
	streamsRefused    atomic.Uint64
	webhooksRefused   atomic.Uint64
	deliveriesDropped atomic.Uint64
	usersAdded        atomic.Int64
	usersRefused      atomic.Uint64
	bodiesRefused     atomic.Uint64
}

// Limits are a handler's caps, as GET /pbx/stats shows them.
type Limits struct {
	JournalSize int `json:"journalSize"`
	MaxReplay   int `json:"maxReplay"`
	MaxStreams  int `json:"maxStreams"`
	// MaxWebhooks, MaxWebhooksPerCaller and WebhookQueue are the Options
	// of those names; MaxPage bounds a page of GET /pbx/webhooks.
	MaxWebhooks          int `json:"maxWebhooks"`
	MaxWebhooksPerCaller int `json:"maxWebhooksPerCaller"`
	WebhookQueue         int `json:"webhookQueue"`
	MaxPage              int `json:"maxPage"`
	MaxNewUsers          int `json:"maxNewUsers"`
	MaxBody              int `json:"maxBody"`
}

// Stats is what a handler holds and what its caps refused or let go; the
// answer of GET /pbx/stats.
type Stats struct {
	Limits Limits `json:"limits"`
	// Streams are the open event streams; StreamsRefused those refused
	// with 503 at MaxStreams.
	Streams        int64  `json:"streams"`
	StreamsRefused uint64 `json:"streamsRefused"`
	// Webhooks are the registered webhooks; WebhooksRefused the
	// registrations refused at MaxWebhooks or MaxWebhooksPerCaller.
	Webhooks        int    `json:"webhooks"`
	WebhooksRefused uint64 `json:"webhooksRefused"`
	// DeliveriesDropped are events that webhooks skipped because they
	// were WebhookQueue events behind or the journal no longer had them,
	// deleted webhooks included.
	DeliveriesDropped uint64 `json:"deliveriesDropped"`
	// LastEventID is the last event; JournalDropped the events pushed out
	// of the journal to keep it at JournalSize.
	LastEventID    uint64 `json:"lastEventId"`
	JournalDropped uint64 `json:"journalDropped"`
	// UsersAdded are the world users the API added; UsersRefused the
	// names it refused to add (not allowed, another organisation,
	// MaxNewUsers).
	UsersAdded   int64  `json:"usersAdded"`
	UsersRefused uint64 `json:"usersRefused"`
	// BodiesRefused are request bodies refused with 413 for being larger
	// than MaxBody.
	BodiesRefused uint64 `json:"bodiesRefused"`
}

// Stats reads the handler's counters; it is safe to call at any time.
func (h *Handler) Stats() Stats {
	o := h.opt
	s := Stats{
		Limits: Limits{JournalSize: h.j.size, MaxReplay: MaxReplay, MaxStreams: o.MaxStreams, MaxBody: MaxBody,
			MaxWebhooks: o.MaxWebhooks, MaxWebhooksPerCaller: o.MaxWebhooksPerCaller, WebhookQueue: o.WebhookQueue, MaxPage: MaxPage, MaxNewUsers: o.MaxNewUsers},
		Streams:           h.n.streams.Load(),
		StreamsRefused:    h.n.streamsRefused.Load(),
		WebhooksRefused:   h.n.webhooksRefused.Load(),
		DeliveriesDropped: h.n.deliveriesDropped.Load(),
		LastEventID:       h.j.lastID(),
		JournalDropped:    h.j.droppedCount(),
		UsersAdded:        h.n.usersAdded.Load(),
		UsersRefused:      h.n.usersRefused.Load(),
		BodiesRefused:     h.n.bodiesRefused.Load(),
	}
	h.hooks.mu.Lock()
	s.Webhooks = len(h.hooks.hooks)
	h.hooks.mu.Unlock()
	return s
}

func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.Stats())
}
