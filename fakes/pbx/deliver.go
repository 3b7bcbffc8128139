package pbx

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook deliveries are POSTs of one Event as JSON, in event order, with
// these headers; with a secret, SignatureHeader carries
// "sha256=<hex HMAC-SHA256 of the body>".
const (
	EventIDHeader   = "X-PBX-Event-Id"
	EventTypeHeader = "X-PBX-Event-Type"
	SignatureHeader = "X-PBX-Signature"
)

// Sign returns the signature of a delivery body for a secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// deliveryBatch is how many events a worker takes from the journal at a
// time; it holds no more than these.
const deliveryBatch = 64

// run delivers the journal's events to one webhook until it is deleted or
// the handler closes. A delivery is retried after each of Options.Retry;
// an event that never gets a 2xx counts as failed and the next follows.
// When more than WebhookQueue events wait, the oldest are dropped.
func (hs *hooks) run(ctx context.Context, k *hook) {
	defer hs.wg.Done()
	queue := uint64(hs.h.opt.WebhookQueue)
	for {
		hs.mu.Lock()
		next := k.NextEventID
		hs.mu.Unlock()
		if last := hs.h.j.lastID(); last >= next && last-next+1 > queue {
			next = hs.skip(k, last-queue+1)
		}
		p := hs.h.j.read(next-1, deliveryBatch)
		if p.missed > 0 {
			hs.skip(k, next+p.missed)
		}
		for _, e := range p.events {
			if hs.h.j.lastID()-e.ID+1 > queue {
				break // the receiver fell behind while this batch went out
			}
			err := hs.deliver(ctx, k, e)
			if ctx.Err() != nil {
				return
			}
			hs.mu.Lock()
			if err != nil {
				k.Failed++
				k.LastError = err.Error()
			} else {
				k.Delivered++
			}
			k.NextEventID = e.ID + 1
			hs.mu.Unlock()
		}
		if len(p.events) > 0 {
			continue
		}
		select {
		case <-p.changed:
		case <-ctx.Done():
			return
		}
	}
}

// skip drops a webhook's events before id, counting them, and answers the
// next event to deliver.
func (hs *hooks) skip(k *hook, id uint64) uint64 {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if id > k.NextEventID {
		n := id - k.NextEventID
		k.Dropped += n
		hs.h.n.deliveriesDropped.Add(n)
		k.NextEventID = id
	}
	return k.NextEventID
}

// maxAnswer is how much of a receiver's answer is read (and thrown away)
// so that the connection can be used again; and of its headers.
const (
	maxAnswer        = 4 << 10
	maxAnswerHeaders = 16 << 10
)

// deliveryClient is a copy of c (of a client with its own transport when
// nil) that never follows a redirect: a receiver's 3xx is its answer.
func deliveryClient(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxResponseHeaderBytes = maxAnswerHeaders
		out.Transport = t
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}

// errNoAnswer is every failure short of an HTTP answer: a refused or
// unreachable port, TLS, a timeout. Like Graph's, the error says no more,
// so that webhooks do not tell a caller which ports are open where.
var errNoAnswer = errors.New("the receiver did not answer")

func (hs *hooks) deliver(ctx context.Context, k *hook, e Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		err := hs.post(ctx, k, e, body)
		if err == nil {
			return nil
		}
		if attempt > len(hs.h.opt.Retry) {
			return fmt.Errorf("event %d: %v (attempts: %d)", e.ID, err, attempt)
		}
		t := time.NewTimer(hs.h.opt.Retry[attempt-1])
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

func (hs *hooks) post(ctx context.Context, k *hook, e Event, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, hs.h.opt.DeliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.URL, bytes.NewReader(body))
	if err != nil {
		return errNoAnswer
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(EventIDHeader, strconv.FormatUint(e.ID, 10))
	req.Header.Set(EventTypeHeader, e.Type)
	if k.secret != "" {
		req.Header.Set(SignatureHeader, Sign(k.secret, body))
	}
	resp, err := hs.h.client.Do(req)
	if err != nil {
		return errNoAnswer
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	if c := resp.StatusCode; c < 200 || c > 299 {
		// the status alone: its reason phrase is the receiver's text
		return fmt.Errorf("the receiver answered %s", strings.TrimSpace(strconv.Itoa(c)+" "+http.StatusText(c)))
	}
	return nil
}
