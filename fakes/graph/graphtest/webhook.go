package graphtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
)

// MaxRecorded bounds what one webhook keeps of each kind; the oldest go
// first, so the latest is always there.
const MaxRecorded = 10000

// Webhook is a subscriber's endpoint as a test declares it: how it answers
// and what it received.
type Webhook struct {
	ValidationStatus int           // the status of its answer to a validation request
	NotifyStatus     int           // the status of its answer to a notification
	WrongToken       bool          // it echoes a different validation token
	Delay            time.Duration // it takes this long to answer
	Received         [][]byte      // the bodies of the change notifications, oldest first
	Lifecycle        []string      // the lifecycle events received, oldest first
}

// Webhooks are the endpoints a test declared, by URL without query. It is
// the fake's Deliverer in process.
type Webhooks map[string]*Webhook

// Listen declares a webhook at u answering as a healthy one does: 200 to
// validation, 202 to notifications.
func (ws Webhooks) Listen(u string) error {
	if _, err := url.ParseRequestURI(u); err != nil {
		return err
	}
	ws[u] = &Webhook{ValidationStatus: 200, NotifyStatus: 202}
	return nil
}

// At returns the webhook at u.
func (ws Webhooks) At(u string) (*Webhook, error) {
	hk := ws[u]
	if hk == nil {
		return nil, fmt.Errorf("no webhook listens at %s; add \"a webhook listens at %s\"", u, u)
	}
	return hk, nil
}

// Deliver answers a delivery as the declared webhook would, and records
// it: an undeclared URL refuses the connection, a webhook slower than the
// delivery's deadline times out.
func (ws Webhooks) Deliver(ctx context.Context, d graph.Delivery) (graph.Reply, error) {
	u, err := url.Parse(d.URL)
	if err != nil {
		return graph.Reply{}, err
	}
	token := u.Query().Get("validationToken")
	u.RawQuery = ""
	hk := ws[u.String()]
	if hk == nil {
		return graph.Reply{}, fmt.Errorf("dial %s: connection refused (no webhook listens there)", u.Host)
	}
	if dl, ok := ctx.Deadline(); ok && hk.Delay > 0 && hk.Delay >= time.Until(dl) {
		return graph.Reply{}, context.DeadlineExceeded
	}
	if d.Validation {
		if hk.WrongToken {
			token = url.QueryEscape(token)
		}
		return graph.Reply{Status: hk.ValidationStatus, ContentType: "text/plain; charset=utf-8", Body: []byte(token)}, nil
	}
	var p graph.NotificationPayload
	if json.Unmarshal(d.Body, &p) == nil && len(p.Value) > 0 && p.Value[0].LifecycleEvent != "" {
		hk.Lifecycle = capped(append(hk.Lifecycle, p.Value[0].LifecycleEvent))
	} else {
		hk.Received = capped(append(hk.Received, d.Body))
	}
	return graph.Reply{Status: hk.NotifyStatus}, nil
}

func capped[T any](s []T) []T {
	if len(s) > MaxRecorded {
		return s[len(s)-MaxRecorded:]
	}
	return s
}

// Latest is the latest change notification the webhook received, decoded.
func (hk *Webhook) Latest() (graph.NotificationPayload, []byte, bool) {
	var p graph.NotificationPayload
	if len(hk.Received) == 0 {
		return p, nil, false
	}
	body := hk.Received[len(hk.Received)-1]
	_ = json.Unmarshal(body, &p)
	return p, body, true
}

// About counts the notifications received about the user with object id
// oid, or all when oid is empty.
func (hk *Webhook) About(oid string) int {
	n := 0
	for _, b := range hk.Received {
		var p graph.NotificationPayload
		if json.Unmarshal(b, &p) != nil {
			continue
		}
		for _, v := range p.Value {
			if oid == "" || (v.ResourceData != nil && v.ResourceData.ID == oid) {
				n++
			}
		}
	}
	return n
}
