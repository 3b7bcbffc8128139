package pbx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// MaxPage is the most webhooks one GET /pbx/webhooks answers; the answer's
// next continues after them.
const MaxPage = 100

// Webhook is a registered webhook with its delivery counters.
type Webhook struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	Delivered uint64 `json:"delivered"`
	Failed    uint64 `json:"failed"`
	// Dropped are events never sent: the receiver was WebhookQueue events
	// behind, or the journal no longer had them.
	Dropped   uint64 `json:"dropped"`
	LastError string `json:"lastError,omitempty"`
	// NextEventID is the id of the next event to deliver.
	NextEventID uint64 `json:"nextEventId"`
}

// Webhooks is the answer of GET /pbx/webhooks.
type Webhooks struct {
	Value []Webhook `json:"value"`
	// Next is the request for the webhooks after Value when there are more.
	Next string `json:"next,omitempty"`
}

// hooks are the registered webhooks; each has a worker that posts the
// journal's events in order.
type hooks struct {
	h        *Handler
	mu       sync.Mutex
	byID     map[string]*hook
	byCaller map[string]int // registered webhooks per caller
	hooks    []*hook        // in the order of their ids
	n        uint64
	wg       sync.WaitGroup
}

type hook struct {
	Webhook // guarded by hooks.mu
	id      uint64
	caller  string
	secret  string
	cancel  context.CancelFunc
}

// close waits for the workers once the handler's context is cancelled.
// Taking the lock orders it after any create that holds it, which has
// added its worker by then; every later create sees the context and
// refuses, so no worker is added while close waits.
func (hs *hooks) close() {
	hs.mu.Lock()
	hs.mu.Unlock()
	hs.wg.Wait()
}

func (hs *hooks) snapshot(k *hook) Webhook {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return k.Webhook
}

// Webhooks answers every registered webhook as it is now, under the lock
// the workers update the counters with.
func (h *Handler) Webhooks() []Webhook {
	hs := h.hooks
	hs.mu.Lock()
	defer hs.mu.Unlock()
	out := make([]Webhook, len(hs.hooks))
	for i, k := range hs.hooks {
		out[i] = k.Webhook
	}
	return out
}

// Webhook answers one registered webhook as it is now.
func (h *Handler) Webhook(id string) (Webhook, bool) {
	hs := h.hooks
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if k := hs.byID[id]; k != nil {
		return k.Webhook, true
	}
	return Webhook{}, false
}

// caller is who registers a webhook, for MaxWebhooksPerCaller: the remote
// IP address, as a client can choose any header it sends.
func caller(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return host
}

// webhookURL checks a webhook URL by G-URL-1: https://, or http:// for a
// loopback host (any host with AllowHTTPWebhooks); a host, a port that can
// be dialled, no user name or password.
func (h *Handler) webhookURL(raw string) *apiError {
	u, err := url.Parse(raw)
	refuse := func(why string) *apiError { return bad("webhook url %q %s", clip(raw), why) }
	switch {
	case err != nil || !u.IsAbs() || u.Opaque != "" || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return refuse("must be an absolute https:// URL (http:// only for a loopback host)")
	case u.User != nil:
		return refuse("must not carry a user name or password")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return refuse("has no port from 1 to 65535")
		}
	}
	if u.Scheme == "http" && !h.opt.AllowHTTPWebhooks && !loopback(u.Hostname()) {
		return refuse("must use https://: http:// is only for a loopback host (localhost, 127.0.0.0/8, ::1)")
	}
	return nil
}

// loopback is true for localhost and loopback addresses; names that merely
// resolve to one are not, as the answer may change after the check.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Zone() == "" && a.Unmap().IsLoopback()
}

func (hs *hooks) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	if !hs.h.decoded(w, r, &body) {
		return
	}
	if e := tooLong("secret", body.Secret, maxToken); e != nil {
		writeError(w, e.status, e.code, e.msg)
		return
	}
	if e := tooLong("url", body.URL, maxURL); e != nil {
		writeError(w, e.status, e.code, e.msg)
		return
	}
	if e := hs.h.webhookURL(body.URL); e != nil {
		writeError(w, e.status, e.code, e.msg)
		return
	}
	o, who := hs.h.opt, caller(r)
	hs.mu.Lock()
	var full string
	switch {
	case hs.h.ctx.Err() != nil:
		hs.mu.Unlock()
		writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "the PBX fake is closed")
		return
	case len(hs.hooks) >= o.MaxWebhooks:
		full = fmt.Sprintf("%d webhooks are registered, the most this PBX keeps", o.MaxWebhooks)
	case hs.byCaller[who] >= o.MaxWebhooksPerCaller:
		full = fmt.Sprintf("%s has %d webhooks registered, the most per caller", who, o.MaxWebhooksPerCaller)
	}
	if full != "" {
		hs.mu.Unlock()
		hs.h.n.webhooksRefused.Add(1)
		writeError(w, http.StatusForbidden, "TooManyWebhooks", full+"; delete one with DELETE /pbx/webhooks/{id}")
		return
	}
	ctx, cancel := context.WithCancel(hs.h.ctx)
	hs.n++
	k := &hook{id: hs.n, caller: who, secret: body.Secret, cancel: cancel,
		Webhook: Webhook{ID: strconv.FormatUint(hs.n, 10), URL: body.URL, NextEventID: hs.h.j.lastID() + 1}}
	hs.byID[k.ID] = k
	hs.byCaller[who]++
	hs.hooks = append(hs.hooks, k)
	out := k.Webhook
	hs.wg.Add(1)
	hs.mu.Unlock()
	go hs.run(ctx, k)
	writeJSON(w, http.StatusCreated, out)
}

// list answers the webhooks in pages of at most MaxPage, after ?after=.
func (hs *hooks) list(w http.ResponseWriter, r *http.Request) {
	max, aerr := limit(r, MaxPage)
	var after uint64
	if v := r.URL.Query().Get("after"); aerr == nil && v != "" {
		var err error
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			aerr = bad("after %q is not a webhook id", clip(v))
		}
	}
	if aerr != nil {
		writeError(w, aerr.status, aerr.code, aerr.msg)
		return
	}
	out := Webhooks{Value: []Webhook{}}
	hs.mu.Lock()
	for _, k := range hs.hooks {
		if k.id <= after {
			continue
		}
		if len(out.Value) == max {
			out.Next = fmt.Sprintf("/pbx/webhooks?after=%s&limit=%d", out.Value[max-1].ID, max)
			break
		}
		out.Value = append(out.Value, k.Webhook)
	}
	hs.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (hs *hooks) find(w http.ResponseWriter, r *http.Request) *hook {
	hs.mu.Lock()
	k := hs.byID[r.PathValue("id")]
	hs.mu.Unlock()
	if k == nil {
		writeError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no webhook %q", clip(r.PathValue("id"))))
	}
	return k
}

func (hs *hooks) get(w http.ResponseWriter, r *http.Request) {
	if k := hs.find(w, r); k != nil {
		writeJSON(w, http.StatusOK, hs.snapshot(k))
	}
}

func (hs *hooks) delete(w http.ResponseWriter, r *http.Request) {
	hs.mu.Lock()
	k := hs.byID[r.PathValue("id")]
	if k != nil {
		delete(hs.byID, k.ID)
		if hs.byCaller[k.caller]--; hs.byCaller[k.caller] == 0 {
			delete(hs.byCaller, k.caller)
		}
		for i, o := range hs.hooks {
			if o == k {
				hs.hooks = append(hs.hooks[:i], hs.hooks[i+1:]...)
				break
			}
		}
	}
	hs.mu.Unlock()
	if k == nil {
		writeError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no webhook %q", clip(r.PathValue("id"))))
		return
	}
	k.cancel()
	w.WriteHeader(http.StatusNoContent)
}
