package graph

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// Delivery is one request the fake makes to a subscriber: a validation
// request (POST to URL with ?validationToken=, no body) or a notification
// (POST of a JSON body).
type Delivery struct {
	URL         string
	ContentType string
	Body        []byte
	Validation  bool
}

// Reply is the subscriber's answer.
type Reply struct {
	Status      int
	ContentType string
	Body        []byte
}

// Deliverer sends deliveries. The context carries Graph's deadline (10 s
// for validation, 3 s for notifications); an answer after it counts as a
// failure, and Deliver must return when the context ends. Notifications
// for different URLs are delivered concurrently; one URL's in order.
type Deliverer interface {
	Deliver(ctx context.Context, d Delivery) (Reply, error)
}

// DeliverFunc delivers in process, for embedded use.
type DeliverFunc func(ctx context.Context, d Delivery) (Reply, error)

// Deliver calls f.
func (f DeliverFunc) Deliver(ctx context.Context, d Delivery) (Reply, error) { return f(ctx, d) }

// HTTPDeliverer delivers over real HTTP. It never follows a redirect (a
// 3xx is the subscriber's answer, and not a 2xx) and reads at most
// MaxReplyBody of an answer (G-URL-1).
type HTTPDeliverer struct {
	// Client sends the requests; when nil, a client of its own whose
	// transport also bounds the answer's headers. Its CheckRedirect is
	// replaced either way.
	Client *http.Client
}

// MaxReplyBody is how much of a subscriber's answer the fake reads: the
// validation token is short and a notification's answer is ignored.
const MaxReplyBody = 64 << 10

var deliveryClient = &http.Client{Transport: func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxResponseHeaderBytes = 64 << 10
	t.MaxIdleConnsPerHost = 16
	return t
}()}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Deliver POSTs the delivery and reads at most MaxReplyBody of the answer.
func (hd *HTTPDeliverer) Deliver(ctx context.Context, d Delivery) (Reply, error) {
	c := *deliveryClient
	if hd.Client != nil {
		c = *hd.Client
	}
	c.CheckRedirect = noRedirect
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return Reply{}, err
	}
	req.Header.Set("Content-Type", d.ContentType)
	resp, err := c.Do(req)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplyBody))
	if err != nil {
		return Reply{}, err
	}
	return Reply{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}

// Limits bound what the fake keeps for subscriptions and deliveries, so a
// long served run or a hostile client cannot grow it without bound. Zero
// fields take DefaultLimits; what a cap drops is counted in Stats and, for
// deliveries, recorded as a "dropped" notice.
type Limits struct {
	Notices             int // delivery attempts kept for Notices and NoticesSince
	Subscriptions       int // live subscriptions in all
	SubscriptionsPerApp int // live subscriptions per application per tenant
	Queued              int // deliveries waiting to be sent, in all
	QueuedPerURL        int // deliveries waiting for one notification URL
	Retries             int // failed deliveries waiting for their retry
	Workers             int // notification URLs delivered to at once
}

// DefaultLimits are the caps unless told. Graph documents no subscription
// quota for presence; 1,000 per app and tenant and 10,000 in all are
// decided, after the quotas it documents for other resources (100 or 1,000
// per app and tenant, 10,000 per organisation for Teams resources).
var DefaultLimits = Limits{Notices: 10_000, Subscriptions: 10_000, SubscriptionsPerApp: 1_000, Queued: 50_000, QueuedPerURL: 1_000, Retries: 50_000, Workers: 64}

func (l Limits) withDefaults() Limits {
	def := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	d := DefaultLimits
	def(&l.Notices, d.Notices)
	def(&l.Subscriptions, d.Subscriptions)
	def(&l.SubscriptionsPerApp, d.SubscriptionsPerApp)
	def(&l.Queued, d.Queued)
	def(&l.QueuedPerURL, d.QueuedPerURL)
	def(&l.Retries, d.Retries)
	def(&l.Workers, d.Workers)
	return l
}

// NotifySettings are the subscription timings (G-SUB-1). Zero fields take
// the defaults in parentheses.
type NotifySettings struct {
	ValidationTimeout time.Duration // answer to the validation request (10 s)
	DeliveryTimeout   time.Duration // answer to a notification (3 s)
	MaxExpiry         time.Duration // longest presence subscription (60 min)
	RetryFirst        time.Duration // first retry after a failed delivery (1 min, decided)
	RetryMax          time.Duration // retries back off up to this (10 min)
	RetryFor          time.Duration // retries stop this long after the change (4 h)
	LifecycleLead     time.Duration // reauthorizationRequired this long before expiry (10 min, decided)
}

func (n NotifySettings) withDefaults() NotifySettings {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&n.ValidationTimeout, 10*time.Second)
	def(&n.DeliveryTimeout, 3*time.Second)
	def(&n.MaxExpiry, 60*time.Minute)
	def(&n.RetryFirst, time.Minute)
	def(&n.RetryMax, 10*time.Minute)
	def(&n.RetryFor, 4*time.Hour)
	def(&n.LifecycleLead, 10*time.Minute)
	return n
}
