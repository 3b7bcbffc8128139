package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	sgraph "github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/guid"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Subscription is a change-notification subscription as Graph renders it.
type Subscription struct {
	ID                        string    `json:"id"`
	Resource                  string    `json:"resource"`
	ApplicationID             string    `json:"applicationId"`
	ChangeType                string    `json:"changeType"`
	ClientState               *string   `json:"clientState"`
	NotificationURL           string    `json:"notificationUrl"`
	LifecycleNotificationURL  *string   `json:"lifecycleNotificationUrl"`
	ExpirationDateTime        time.Time `json:"expirationDateTime"`
	CreatorID                 string    `json:"creatorId"`
	IncludeResourceData       bool      `json:"includeResourceData"`
	EncryptionCertificate     *string   `json:"encryptionCertificate"`
	EncryptionCertificateID   *string   `json:"encryptionCertificateId"`
	LatestSupportedTLSVersion string    `json:"latestSupportedTlsVersion"`

	tenant  string
	creator teams.UserID
	users   []teams.UserID
	expires clock.Time
	expire  clock.Timer
	reauth  clock.Timer
	// key names the subscription in its timers: it stays the same while
	// other subscriptions come and go.
	key uint64
	// notifyKey and lifecycleKey are the outbox queues of the two URLs.
	notifyKey, lifecycleKey string
	// rich is the certificate notifications are encrypted for; vtok the
	// validation token they carry, signed at vtokAt (G-RICH-1).
	rich   *richKey
	vtok   string
	vtokAt time.Time
	// failingSince is when the first of the notifications failing since
	// the last delivered one was made (G-SUB-2); failing tells it is set.
	failingSince clock.Time
	failing      bool
	// missedQueued is set while a "missed" lifecycle notification waits,
	// so a full outbox queues one, not one per dropped notification.
	missedQueued bool
}

// Notice is one delivery attempt the fake made, for clients and tests to
// verify a subscriber by.
type Notice struct {
	Seq            uint64     `json:"seq"`
	At             clock.Time `json:"-"`
	Time           time.Time  `json:"time"`
	SubscriptionID string     `json:"subscriptionId"`
	Kind           string     `json:"kind"` // "notification", "validation", or a lifecycle event: "reauthorizationRequired", "subscriptionRemoved", "missed"
	URL            string     `json:"url"`
	User           string     `json:"user,omitempty"`
	Attempt        int        `json:"attempt"`
	Status         int        `json:"status"`          // subscriber's status; 0 when it did not answer
	Error          string     `json:"error,omitempty"` // transport error or "too slow"
	Outcome        string     `json:"outcome"`         // "delivered", "retry at …", "dropped", "failed"
}

type pending struct {
	sub     string
	skey    uint64 // the subscription's key
	kind    string
	url     string
	key     string // the URL's outbox queue
	user    string
	body    []byte
	first   clock.Time
	attempt int
	timer   clock.Timer // the retry's, while it waits
	why     string      // why a cap dropped it
	// in the outbox
	gen          uint64
	older, newer *pending
	next         *pending
}

type subscriptions struct {
	h   *Handler
	rnd *rand.Rand
	lim Limits

	// inside the world's lock
	all   []*Subscription // live, oldest first
	byKey map[uint64]*Subscription
	// byUser holds the live subscriptions covering each user, oldest
	// first, so a change reaches its subscribers without a scan of all.
	byUser    map[teams.UserID][]*Subscription
	perApp    map[string]int // live subscriptions by tenant/app
	nsub      uint64
	wait      map[uint64]*pending // retries waiting on the world's clock
	waitOrder []uint64            // wait's keys, oldest first; some already fired
	nret      uint64
	refused   uint64 // creations refused by a cap

	out     *outbox
	notices ring[Notice]
}

const (
	opSubExpire int32 = iota + 1
	opSubReauth
	opRetry
)

var subLabels = map[int32]string{opSubExpire: "subscription expires (G-SUB-1)", opSubReauth: "reauthorizationRequired (G-SUB-1)", opRetry: "notification retry (G-SUB-1)"}

// An event carries a 64-bit key in A and B.
func keyEvent(op int32, key uint64) clock.Event {
	return clock.Event{Op: op, A: int32(uint32(key)), B: int32(uint32(key >> 32)), Label: subLabels[op]}
}

func eventKey(ev clock.Event) uint64 { return uint64(uint32(ev.A)) | uint64(uint32(ev.B))<<32 }

func newSubscriptions(h *Handler) *subscriptions {
	lim := h.opt.Limits
	s := &subscriptions{h: h, rnd: h.w.Stream("graph subscriptions"), lim: lim, byKey: map[uint64]*Subscription{}, byUser: map[teams.UserID][]*Subscription{}, perApp: map[string]int{}, wait: map[uint64]*pending{},
		notices: ring[Notice]{size: lim.Notices, seq: setNoticeSeq}}
	s.out = newOutbox(lim, h.attempt)
	return s
}

// ComponentName names the subscriptions for clock explanations.
func (s *subscriptions) ComponentName() string { return "graph subscriptions" }

func (s *subscriptions) guid() string {
	return guid.New(s.rnd)
}

func setNoticeSeq(n *Notice, seq uint64) { n.Seq = seq }

func (s *subscriptions) record(n Notice) {
	n.Error = cutString(n.Error, 512)
	s.notices.add(n)
}

// enqueue queues p for delivery; inside the world's lock. Deliveries a cap
// dropped to make room are recorded as such.
func (s *subscriptions) enqueue(p *pending) {
	for _, d := range s.out.push(p) {
		s.dropped(d, s.h.w.Clock.Now())
	}
}

// dropped records a delivery a cap dropped; a lost notification is
// announced to the subscription's lifecycle URL as "missed" (G-SUB-2).
func (s *subscriptions) dropped(p *pending, now clock.Time) {
	s.record(Notice{At: now, Time: now.Wall(), SubscriptionID: p.sub, Kind: p.kind, URL: p.url, User: p.user, Attempt: p.attempt, Error: p.why, Outcome: "dropped"})
	if p.kind == lifecycleMissed {
		if sub := s.byKey[p.skey]; sub != nil {
			sub.missedQueued = false
		}
		return
	}
	if p.kind != kindNotification {
		return
	}
	if sub := s.byKey[p.skey]; sub != nil && sub.LifecycleNotificationURL != nil && !sub.missedQueued {
		sub.missedQueued = true
		s.lifecycle(sub, lifecycleMissed, now)
	}
}

// Delivery kinds besides the validation request.
const (
	kindNotification        = "notification"
	lifecycleReauthRequired = "reauthorizationRequired"
	lifecycleRemoved        = "subscriptionRemoved"
	lifecycleMissed         = "missed"
)

// lifecycle queues a lifecycle notification for sub, when it has a
// lifecycle URL; inside the world's lock.
func (s *subscriptions) lifecycle(sub *Subscription, event string, now clock.Time) {
	if sub.LifecycleNotificationURL == nil {
		return
	}
	n := notification{SubscriptionID: sub.ID, ClientState: sub.ClientState, LifecycleEvent: event, TenantID: sub.tenant,
		SubscriptionExpirationDateTime: sub.ExpirationDateTime, OrganizationID: sub.tenant}
	b, _ := json.Marshal(map[string][]notification{"value": {n}})
	s.enqueue(&pending{sub: sub.ID, skey: sub.key, kind: event, url: *sub.LifecycleNotificationURL, key: sub.lifecycleKey, body: b, first: now})
}

// add makes sub live; inside the world's lock.
func (s *subscriptions) add(sub *Subscription) {
	s.nsub++
	sub.key = s.nsub
	sub.notifyKey = queueKey(sub.NotificationURL)
	if sub.LifecycleNotificationURL != nil {
		sub.lifecycleKey = queueKey(*sub.LifecycleNotificationURL)
	}
	s.all = append(s.all, sub)
	s.byKey[sub.key] = sub
	for _, u := range sub.users {
		if l := s.byUser[u]; len(l) == 0 || l[len(l)-1] != sub { // an id given twice counts once
			s.byUser[u] = append(l, sub)
		}
	}
	s.perApp[sub.tenant+"/"+sub.ApplicationID]++
}

// remove forgets a deleted or expired subscription; inside the world's
// lock. Deliveries already queued for it still go out.
func (s *subscriptions) remove(sub *Subscription) {
	if s.byKey[sub.key] != sub {
		return
	}
	delete(s.byKey, sub.key)
	for _, u := range sub.users {
		l := s.byUser[u]
		if i := slices.Index(l, sub); i >= 0 {
			l = slices.Delete(l, i, i+1)
		}
		if len(l) == 0 {
			delete(s.byUser, u)
		} else {
			s.byUser[u] = l
		}
	}
	for i, x := range s.all {
		if x == sub {
			s.all = slices.Delete(s.all, i, i+1)
			break
		}
	}
	k := sub.tenant + "/" + sub.ApplicationID
	if s.perApp[k]--; s.perApp[k] <= 0 {
		delete(s.perApp, k)
	}
	s.h.w.Clock.Cancel(sub.expire)
	s.h.w.Clock.Cancel(sub.reauth)
}

// full is the refusal of a new subscription for c's app when a cap is
// reached; inside the world's lock.
func (s *subscriptions) full(c *Claims) *Error {
	var why string
	switch {
	case len(s.all) >= s.lim.Subscriptions:
		why = fmt.Sprintf("presencesim holds at most %d live subscriptions (Limits.Subscriptions)", s.lim.Subscriptions)
	case s.perApp[c.Tid+"/"+c.AppID] >= s.lim.SubscriptionsPerApp:
		why = fmt.Sprintf("the application has %d live subscriptions in this tenant, the most presencesim allows (Limits.SubscriptionsPerApp; Graph documents no limit for presence)", s.lim.SubscriptionsPerApp)
	default:
		return nil
	}
	s.refused++
	return forbidden("Operation: Create; Exception: [Status Code: Forbidden; Reason: " + why + ".] (G-SUB-1)")
}

// PresenceChanged queues a notification for every live subscription that
// covers the user (called from the clock loop, under the world's lock).
func (s *subscriptions) PresenceChanged(now clock.Time, u teams.UserID, _, _ presence.Presence) {
	id := s.h.w.Teams.Dir(u).ID
	for _, sub := range s.byUser[u] {
		if now >= sub.expires {
			continue
		}
		var body []byte
		if sub.rich != nil {
			body = s.richBody(sub, id, now)
		} else {
			body = notificationBody(sub, id, now)
		}
		if body == nil {
			continue
		}
		o := &outgoing{s: s, p: pending{sub: sub.ID, skey: sub.key, kind: kindNotification, url: sub.NotificationURL, key: sub.notifyKey, user: s.h.w.Teams.Name(u), body: body, first: now}}
		s.h.layer.Notify(now, o, sgraph.Notification{Subscription: sgraph.SubscriptionID(uint32(sub.key)), Changed: now, Presence: s.presenceOf(u)})
	}
}

// outgoing is a webhook notification as the world's Graph layer sees it: a
// subscriber the layer may call late, never, or twice (its notification
// faults); each call queues a delivery of its own, so the outbox's caps
// bound what duplication adds.
type outgoing struct {
	s      *subscriptions
	p      pending // queued by the first call, so a notification costs one allocation
	queued bool
}

// Notified queues the delivery, or a fresh one of the same notification
// once it is queued already; inside the world's lock. The fresh one copies
// only the fields nothing writes after creation, as a worker may be
// sending the first meanwhile.
func (o *outgoing) Notified(clock.Time, sgraph.Notification) {
	if !o.queued {
		o.queued = true
		o.s.enqueue(&o.p)
		return
	}
	p := &o.p
	o.s.enqueue(&pending{sub: p.sub, skey: p.skey, kind: p.kind, url: p.url, key: p.key, user: p.user, body: p.body, first: p.first})
}

// presenceOf is the presence resource of u the layer's faults are drawn
// and traced for.
func (s *subscriptions) presenceOf(u teams.UserID) sgraph.Presence {
	tm := s.h.w.Teams
	return sgraph.Presence{User: u, Presence: tm.Presence(u), OutOfOffice: tm.OutOfOffice(u), Sequence: tm.Sequence(u)}
}

type notification struct {
	SubscriptionID                 string            `json:"subscriptionId"`
	ClientState                    *string           `json:"clientState"`
	ChangeType                     string            `json:"changeType,omitempty"`
	LifecycleEvent                 string            `json:"lifecycleEvent,omitempty"`
	TenantID                       string            `json:"tenantId"`
	Resource                       string            `json:"resource,omitempty"`
	SubscriptionExpirationDateTime time.Time         `json:"subscriptionExpirationDateTime"`
	ResourceData                   *resourceData     `json:"resourceData,omitempty"`
	EncryptedContent               *encryptedContent `json:"encryptedContent,omitempty"`
	OrganizationID                 string            `json:"organizationId"`
}

type resourceData struct {
	ODataID   string `json:"@odata.id"`
	ODataType string `json:"@odata.type"`
	ID        string `json:"id"`
}

// NotificationPayload is the body of a notification POST.
type NotificationPayload struct {
	Value []struct {
		SubscriptionID                 string    `json:"subscriptionId"`
		ClientState                    *string   `json:"clientState"`
		ChangeType                     string    `json:"changeType"`
		LifecycleEvent                 string    `json:"lifecycleEvent"`
		TenantID                       string    `json:"tenantId"`
		Resource                       string    `json:"resource"`
		SubscriptionExpirationDateTime time.Time `json:"subscriptionExpirationDateTime"`
		ResourceData                   *struct {
			ODataID   string `json:"@odata.id"`
			ODataType string `json:"@odata.type"`
			ID        string `json:"id"`
		} `json:"resourceData"`
		// EncryptedContent is a rich notification's (G-RICH-1).
		EncryptedContent *struct {
			Data                            string `json:"data"`
			DataSignature                   string `json:"dataSignature"`
			DataKey                         string `json:"dataKey"`
			EncryptionCertificateID         string `json:"encryptionCertificateId"`
			EncryptionCertificateThumbprint string `json:"encryptionCertificateThumbprint"`
		} `json:"encryptedContent"`
	} `json:"value"`
	// ValidationTokens are a rich notification's (G-RICH-1).
	ValidationTokens []string `json:"validationTokens"`
}

// basicNotification is the notification item of a change of the user; its
// resource echoes the subscribed form, as Graph's does.
func basicNotification(sub *Subscription, userID string) notification {
	return notification{SubscriptionID: sub.ID, ClientState: sub.ClientState, ChangeType: "updated", TenantID: sub.tenant,
		Resource: sub.Resource, SubscriptionExpirationDateTime: sub.ExpirationDateTime,
		ResourceData: &resourceData{ODataID: "users/" + userID + "/presence", ODataType: "#microsoft.graph.presence", ID: userID}, OrganizationID: sub.tenant}
}

func notificationBody(sub *Subscription, userID string, _ clock.Time) []byte {
	b, _ := json.Marshal(map[string][]notification{"value": {basicNotification(sub, userID)}})
	return b
}

// Fire handles the subscriptions' timers.
func (s *subscriptions) Fire(now clock.Time, ev clock.Event) {
	k := eventKey(ev)
	switch ev.Op {
	case opSubExpire:
		if sub := s.byKey[k]; sub != nil {
			s.remove(sub)
		}
	case opSubReauth:
		if sub := s.byKey[k]; sub != nil {
			s.lifecycle(sub, lifecycleReauthRequired, now)
		}
	case opRetry:
		if p := s.wait[k]; p != nil {
			delete(s.wait, k)
			p.timer = clock.Timer{}
			s.enqueue(p)
		}
	}
}

// Flush delivers every queued notification now, scheduling retries for
// failures on the world's clock, and returns when every delivery queued
// before the call has been attempted, or when ctx ends. It returns how
// many deliveries were attempted meanwhile. Without Run it starts the
// workers itself; with Run it leaves the sending to Run's workers.
func (h *Handler) Flush(ctx context.Context) int { return h.subs.out.flush(ctx) }

// attempt sends one delivery (on an outbox worker, outside every lock) and
// records the outcome under the world's lock.
func (h *Handler) attempt(ctx context.Context, p *pending) {
	s := h.subs
	p.attempt++
	timeout := h.opt.Notify.DeliveryTimeout
	dctx, cancel := context.WithTimeout(ctx, timeout)
	rep, err := h.opt.Deliverer.Deliver(dctx, Delivery{URL: p.url, ContentType: "application/json; charset=utf-8", Body: p.body})
	late := dctx.Err() != nil
	cancel()
	if ctx.Err() != nil {
		return // the served loop ended: the world is being thrown away
	}
	_ = h.lw.Do(func(*sim.World) error {
		now := h.w.Clock.Now()
		nt := Notice{At: now, Time: now.Wall(), SubscriptionID: p.sub, Kind: p.kind, URL: p.url, User: p.user, Attempt: p.attempt, Status: rep.Status}
		ok := err == nil && !late && rep.Status >= 200 && rep.Status < 300
		s.outcome(p, ok, now)
		switch {
		case ok:
			nt.Outcome = "delivered"
		default:
			if err != nil {
				nt.Error = err.Error()
			} else if late {
				nt.Error = "no answer within " + timeout.String()
			}
			nt.Outcome = s.retry(p, now)
		}
		s.record(nt)
		return nil
	})
}

// retry schedules the next attempt with doubling back-off, or drops the
// notification once RetryFor has passed since the change; inside the
// world's lock. When Limits.Retries are waiting already, the oldest of
// them is dropped.
func (s *subscriptions) retry(p *pending, now clock.Time) string {
	ns := s.h.opt.Notify
	d := ns.RetryFirst
	for i := 1; i < p.attempt && d > 0 && d < ns.RetryMax; i++ {
		d *= 2
	}
	if d > ns.RetryMax || d <= 0 {
		d = ns.RetryMax
	}
	at := now.Add(d)
	if at.Sub(p.first) > ns.RetryFor {
		s.gaveUp(p, now)
		return "dropped"
	}
	for len(s.wait) >= s.lim.Retries && len(s.waitOrder) > 0 {
		k := s.waitOrder[0]
		s.waitOrder = s.waitOrder[1:]
		if old := s.wait[k]; old != nil {
			delete(s.wait, k)
			s.h.w.Clock.Cancel(old.timer)
			old.why = "dropped by presencesim: " + strconv.Itoa(s.lim.Retries) + " failed notifications were already waiting for their retry (Limits.Retries)"
			s.out.mu.Lock()
			s.out.dropped++
			s.out.mu.Unlock()
			s.dropped(old, now)
		}
	}
	s.nret++
	p.timer = s.h.w.Clock.Schedule(at, s, keyEvent(opRetry, s.nret))
	s.wait[s.nret] = p
	s.waitOrder = append(s.waitOrder, s.nret)
	if len(s.waitOrder) > 2*len(s.wait)+64 {
		// Drop the keys of retries that fired, so the order stays as long
		// as what waits.
		kept := s.waitOrder[:0]
		for _, k := range s.waitOrder {
			if s.wait[k] != nil {
				kept = append(kept, k)
			}
		}
		s.waitOrder = append([]uint64(nil), kept...)
	}
	return "retry at " + at.String()
}

// Notices returns every kept delivery attempt, oldest first (the last
// Limits.Notices of them). NoticesSince reads them in pages.
func (h *Handler) Notices() []Notice {
	list, _, _ := h.subs.notices.page(0, 0)
	return list
}

// NoticesSince returns at most max kept delivery attempts with Seq ≥ seq,
// oldest first (every kept one when max ≤ 0); next is the seq to ask for
// next, dropped how many attempts from seq on fell out of the ring before
// they were read.
func (h *Handler) NoticesSince(seq uint64, max int) (list []Notice, next, dropped uint64) {
	return h.subs.notices.page(seq, max)
}

// Stats are the fake's gauges and what its caps dropped (Limits).
type Stats struct {
	Subscriptions        int    `json:"subscriptions"`        // live
	SubscriptionsRefused uint64 `json:"subscriptionsRefused"` // creations refused by a cap
	Queued               int    `json:"queued"`               // deliveries waiting to be sent
	InFlight             int    `json:"inFlight"`             // deliveries being sent
	Workers              int    `json:"workers"`
	Retrying             int    `json:"retrying"`          // failed deliveries waiting for their retry
	Attempts             uint64 `json:"attempts"`          // notifications sent so far (not validations)
	DeliveriesDropped    uint64 `json:"deliveriesDropped"` // given up because a cap was reached
	Notices              uint64 `json:"notices"`           // delivery attempts recorded, kept or not
	NoticesDropped       uint64 `json:"noticesDropped"`    // of those, fallen out of the ring
	Requests             uint64 `json:"requests"`          // requests journalled, kept or not
	RequestsDropped      uint64 `json:"requestsDropped"`   // of those, fallen out of the journal
}

// Stats reads the fake's gauges and counters.
func (h *Handler) Stats() Stats {
	var st Stats
	_ = h.lw.Do(func(*sim.World) error {
		st.Subscriptions, st.SubscriptionsRefused, st.Retrying = len(h.subs.all), h.subs.refused, len(h.subs.wait)
		return nil
	})
	st.Queued, st.InFlight, st.Workers, st.Attempts, st.DeliveriesDropped = h.subs.out.counts()
	st.Notices, st.NoticesDropped = h.subs.notices.counts()
	st.Requests, st.RequestsDropped = h.Journal.r.counts()
	return st
}

// Subscriptions returns the live subscriptions.
func (h *Handler) Subscriptions() []Subscription {
	var out []Subscription
	_ = h.lw.Do(func(*sim.World) error {
		for _, s := range h.subs.all {
			out = append(out, *s)
		}
		return nil
	})
	return out
}

// Run delivers notifications as they are queued until ctx ends (served
// mode), on workers that live as long as Run; tick bounds how long a retry
// that fell due waits when nothing else moves the world.
func (h *Handler) Run(ctx context.Context, tick time.Duration) {
	o := h.subs.out
	o.mu.Lock()
	o.run = ctx
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		if o.run == ctx {
			o.run = nil
		}
		o.mu.Unlock()
	}()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		o.start(ctx)
		select {
		case <-ctx.Done():
			return
		case <-o.kickCh:
		case <-t.C:
			_ = h.lw.Do(nil) // fires the retries that fell due
		}
	}
}

type subBody struct {
	ChangeType                *string `json:"changeType"`
	NotificationURL           *string `json:"notificationUrl"`
	LifecycleNotificationURL  *string `json:"lifecycleNotificationUrl"`
	Resource                  *string `json:"resource"`
	ExpirationDateTime        *string `json:"expirationDateTime"`
	ClientState               *string `json:"clientState"`
	IncludeResourceData       bool    `json:"includeResourceData"`
	EncryptionCertificate     *string `json:"encryptionCertificate"`
	EncryptionCertificateID   *string `json:"encryptionCertificateId"`
	LatestSupportedTLSVersion string  `json:"latestSupportedTlsVersion"`
}

var filterRe = regexp.MustCompile(`^/?communications/presences\?\$filter=id(?:%20|\s)+in(?:%20|\s)*\((.*)\)$`)

// presenceIDs reads a presence subscription resource into user ids.
func presenceIDs(res string) ([]string, *Error) {
	res = strings.TrimSpace(res)
	if m := filterRe.FindStringSubmatch(res); m != nil {
		var ids []string
		for _, part := range strings.Split(m[1], ",") {
			part = strings.TrimSpace(strings.ReplaceAll(part, "%20", ""))
			part = strings.Trim(part, "'")
			if !guid.Valid(part) {
				return nil, badRequest("Invalid id '" + strings.ToValidUTF8(truncate(part, 80), "?") + "' in the resource filter: ids must be user object ids (GUIDs). (G-SUB-1)")
			}
			ids = append(ids, strings.ToLower(part))
		}
		if len(ids) > MaxBulkIDs {
			return nil, badRequest(fmt.Sprintf("Too many ids in the resource filter: %d; a presence subscription covers at most %d. (G-SUB-1)", len(ids), MaxBulkIDs))
		}
		return ids, nil
	}
	if id, ok := strings.CutPrefix(strings.TrimPrefix(res, "/"), "communications/presences/"); ok && guid.Valid(id) {
		return []string{strings.ToLower(id)}, nil
	}
	return nil, badRequest("Unsupported resource '" + strings.ToValidUTF8(truncate(res, 120), "?") + "': presence subscriptions take communications/presences/{id} or communications/presences?$filter=id in ('{id}',...). (G-SUB-1)")
}

func (h *Handler) subscriptionRequest(ctx context.Context, rc *reqCtx, rt route, method string, body []byte) result {
	s := h.subs
	c := rc.claims
	switch {
	case rt.kind == rSubs && method == http.MethodGet:
		list := []*Subscription{}
		for _, sub := range s.all {
			if owns(c, sub) {
				list = append(list, sub)
			}
		}
		b, _ := json.Marshal(struct {
			Context string          `json:"@odata.context"`
			Value   []*Subscription `json:"value"`
		}{h.opt.BaseURL + "/$metadata#subscriptions", list})
		return result{status: http.StatusOK, body: b}
	case rt.kind == rSubs:
		return h.createSubscription(ctx, rc, body)
	}
	var sub *Subscription
	for _, x := range s.all {
		if strings.EqualFold(x.ID, rt.target) && owns(c, x) {
			sub = x
		}
	}
	if sub == nil {
		return result{err: errf(http.StatusNotFound, "ResourceNotFound", "The object was not found: no live subscription '"+strings.ToValidUTF8(truncate(rt.target, 80), "?")+"' of this caller (it may have expired, or belong to another user or application). (G-SUB-1, G-SUB-2)")}
	}
	if rt.action == "reauthorize" {
		return h.reauthorize(rc, sub)
	}
	switch method {
	case http.MethodGet:
		return result{status: http.StatusOK, body: subJSON(h, sub)}
	case http.MethodDelete:
		s.remove(sub)
		return result{status: http.StatusNoContent}
	}
	var b subBody
	if e := decode(body, &b); e != nil {
		return result{err: e}
	}
	if b.ExpirationDateTime == nil {
		return result{err: badRequest("expirationDateTime is required to renew a subscription. (G-SUB-1)")}
	}
	exp, e := h.checkExpiration(rc, *b.ExpirationDateTime)
	if e != nil {
		return result{err: e}
	}
	h.arm(sub, exp)
	return result{status: http.StatusOK, body: subJSON(h, sub)}
}

func subJSON(h *Handler, sub *Subscription) []byte {
	type withContext struct {
		Context string `json:"@odata.context"`
		*Subscription
	}
	b, _ := json.Marshal(withContext{h.opt.BaseURL + "/$metadata#subscriptions/$entity", sub})
	return b
}

func (h *Handler) checkExpiration(rc *reqCtx, s string) (time.Time, *Error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = time.ParseInLocation("2006-01-02T15:04:05.9999999", s, time.UTC); err != nil {
			return time.Time{}, badRequest("Invalid expirationDateTime '" + strings.ToValidUTF8(truncate(s, 60), "?") + "': write an ISO 8601 date-time, e.g. 2026-01-05T10:00:00Z. (G-SUB-1)")
		}
	}
	if !t.After(rc.wall) {
		return time.Time{}, badRequest("Subscription expiration must be in the future (now is " + rc.wall.Format(time.RFC3339) + "). (G-SUB-1)")
	}
	if t.Sub(rc.wall) > h.opt.Notify.MaxExpiry {
		return time.Time{}, badRequest("Subscription expiration can only be " + h.opt.Notify.MaxExpiry.String() + " in the future for presence (now is " + rc.wall.Format(time.RFC3339) + "). (G-SUB-1)")
	}
	return t.UTC(), nil
}

// arm sets a subscription's expiry and lifecycle timers.
func (h *Handler) arm(sub *Subscription, exp time.Time) {
	s := h.subs
	sub.ExpirationDateTime = exp
	sub.expires = clock.Time(exp.Sub(clock.Epoch))
	h.w.Clock.Cancel(sub.expire)
	h.w.Clock.Cancel(sub.reauth)
	sub.expire = h.w.Clock.Schedule(sub.expires, s, keyEvent(opSubExpire, sub.key))
	if sub.LifecycleNotificationURL != nil {
		sub.reauth = h.w.Clock.Schedule(sub.expires.Add(-h.opt.Notify.LifecycleLead), s, keyEvent(opSubReauth, sub.key))
	}
}

// maxURL bounds notificationUrl and lifecycleNotificationUrl (decided:
// Graph documents no limit; every delivery notice keeps the URL).
const maxURL = 2048

// maxResource bounds a subscription's resource (decided): 650 quoted ids
// with separators take about 27,000 bytes.
const maxResource = 32 << 10

// checkURL is G-URL-1 for a subscriber's URL: absolute, https (http only
// for loopback hosts and Options.HTTPHosts), no fragment. A fragment is
// refused rather than stripped: it never reaches the subscriber, so the
// validation token appended after it would be lost, and a stripped URL
// would not be the notificationUrl the client reads back.
func (h *Handler) checkURL(field, s string) *Error {
	shown := strings.ToValidUTF8(truncate(s, 120), "?")
	if len(s) > maxURL {
		return badRequest(fmt.Sprintf("%s is longer than %d bytes. (G-URL-1)", field, maxURL))
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return badRequest(field + " must be an absolute https URL; got '" + shown + "'. (G-URL-1)")
	}
	if strings.Contains(s, "#") {
		return badRequest(field + " must not have a #fragment: it is never sent to the subscriber, so the validationToken would be lost; got '" + shown + "'. (G-URL-1)")
	}
	if u.Scheme == "http" && !h.plainHTTP(u.Hostname()) {
		return badRequest(field + " must use https; presencesim accepts http only for loopback hosts (localhost, 127.0.0.0/8, ::1) unless told otherwise; got '" + shown + "'. (G-URL-1)")
	}
	return nil
}

// plainHTTP tells whether http is accepted for host: loopback, or named
// in Options.HTTPHosts ("*" for any host).
func (h *Handler) plainHTTP(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, x := range h.opt.HTTPHosts {
		if x == "*" || strings.EqualFold(strings.TrimSuffix(x, "."), host) {
			return true
		}
	}
	return false
}

func (h *Handler) createSubscription(ctx context.Context, rc *reqCtx, body []byte) result {
	c := rc.claims
	if !c.Delegated() {
		return result{err: forbidden("Operation: Create; Exception: [Status Code: Forbidden; Reason: presence subscriptions support delegated permissions only (Presence.Read.All); application tokens are refused.] (G-SUB-1)")}
	}
	if !c.Has(PresenceReadAll) {
		return result{err: missingRole(c, PresenceReadAll)}
	}
	var b subBody
	if e := decode(body, &b); e != nil {
		return result{err: e}
	}
	switch {
	case b.ChangeType == nil || b.NotificationURL == nil || b.Resource == nil || b.ExpirationDateTime == nil:
		return result{err: badRequest("changeType, notificationUrl, resource and expirationDateTime are required. (G-SUB-1)")}
	case *b.ChangeType != "updated":
		return result{err: badRequest("Presence subscriptions support the changeType 'updated' only; got '" + strings.ToValidUTF8(truncate(*b.ChangeType, 40), "?") + "'. (G-SUB-1)")}
	case b.ClientState != nil && utf8.RuneCountInString(*b.ClientState) > 128:
		return result{err: badRequest("clientState is longer than 128 characters.")}
	case len(*b.Resource) > maxResource:
		return result{err: badRequest(fmt.Sprintf("resource is longer than %d bytes; 650 ids fit in less. (G-SUB-1)", maxResource))}
	}
	var rich *richKey
	if b.IncludeResourceData {
		var e *Error
		if rich, e = readCertificate(b.EncryptionCertificate, b.EncryptionCertificateID); e != nil {
			return result{err: e}
		}
	}
	if e := h.checkURL("notificationUrl", *b.NotificationURL); e != nil {
		return result{err: e}
	}
	if b.LifecycleNotificationURL != nil {
		if e := h.checkURL("lifecycleNotificationUrl", *b.LifecycleNotificationURL); e != nil {
			return result{err: e}
		}
	}
	ids, e := presenceIDs(*b.Resource)
	if e != nil {
		return result{err: e}
	}
	var users []teams.UserID
	for _, id := range ids {
		u, ok := h.lookup(c.Tid, id)
		if !ok {
			return result{err: errf(http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist in the tenant. (G-SUB-1)")}
		}
		users = append(users, u)
	}
	exp, e := h.checkExpiration(rc, *b.ExpirationDateTime)
	if e != nil {
		return result{err: e}
	}
	creator, _ := h.lookup(c.Tid, c.Oid)
	if conflict := h.subs.conflict(c, creator); conflict != nil {
		return result{err: conflict}
	}
	tls := b.LatestSupportedTLSVersion
	switch tls {
	case "":
		tls = "v1_2"
	case "v1_0", "v1_1", "v1_2", "v1_3":
	default:
		return result{err: badRequest("latestSupportedTlsVersion must be one of v1_0, v1_1, v1_2, v1_3; got '" + strings.ToValidUTF8(truncate(tls, 20), "?") + "'. (G-SUB-1)")}
	}
	if full := h.subs.full(c); full != nil {
		return result{err: full}
	}
	sub := &Subscription{ID: h.subs.guid(), Resource: *b.Resource, ApplicationID: c.AppID, ChangeType: "updated", ClientState: b.ClientState,
		NotificationURL: *b.NotificationURL, LifecycleNotificationURL: b.LifecycleNotificationURL, CreatorID: c.Oid, LatestSupportedTLSVersion: tls,
		tenant: c.Tid, creator: creator, users: users, ExpirationDateTime: exp}
	if rich != nil {
		sub.IncludeResourceData, sub.EncryptionCertificate, sub.EncryptionCertificateID, sub.rich = true, b.EncryptionCertificate, b.EncryptionCertificateID, rich
	}
	tokens := []string{fmt.Sprintf("Validation: Testing client application reachability for subscription Request-Id: %s", rc.requestID)}
	urls := []string{sub.NotificationURL}
	if sub.LifecycleNotificationURL != nil {
		urls = append(urls, *sub.LifecycleNotificationURL)
		tokens = append(tokens, tokens[0]+" (lifecycle)")
	}
	// The handshake runs after the world's lock is released: the
	// subscriber may call back into this fake while it answers.
	return result{later: func() result {
		for i, u := range urls {
			if e := h.validate(ctx, sub.ID, u, tokens[i]); e != nil {
				return result{err: e}
			}
		}
		var res result
		_ = h.lw.Do(func(*sim.World) error {
			if conflict := h.subs.conflict(c, creator); conflict != nil {
				res = result{err: conflict}
				return nil
			}
			if full := h.subs.full(c); full != nil {
				res = result{err: full}
				return nil
			}
			h.subs.add(sub)
			h.arm(sub, exp)
			res = result{status: http.StatusCreated, body: subJSON(h, sub), location: h.opt.BaseURL + "/subscriptions/" + sub.ID}
			return nil
		})
		return res
	}}
}

// conflict is the 409 for a second presence subscription of the same user
// and application (G-SUB-1).
func (s *subscriptions) conflict(c *Claims, creator teams.UserID) *Error {
	now := s.h.w.Clock.Now()
	for _, x := range s.all {
		if now < x.expires && x.ApplicationID == c.AppID && x.tenant == c.Tid && x.creator == creator {
			return errf(http.StatusConflict, "ExtensionError", "Operation: Create; Exception: [Status Code: Conflict; Reason: A subscripton already exists. It must be deleted before a another can be made.] (existing: "+x.ID+"; G-SUB-1)")
		}
	}
	return nil
}

// validate runs the validation handshake: POST notificationUrl with
// ?validationToken=…; the subscriber must answer 200, text/plain, with the
// decoded token, within ValidationTimeout.
func (h *Handler) validate(ctx context.Context, subID, u, token string) *Error {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	full := u + sep + "validationToken=" + url.QueryEscape(token)
	dctx, cancel := context.WithTimeout(ctx, h.opt.Notify.ValidationTimeout)
	rep, err := h.opt.Deliverer.Deliver(dctx, Delivery{URL: full, ContentType: "text/plain; charset=utf-8", Validation: true})
	late := dctx.Err() != nil
	cancel()
	now := h.lw.Now()
	nt := Notice{At: now, Time: now.Wall(), SubscriptionID: subID, Kind: "validation", URL: u, Attempt: 1, Status: rep.Status, Outcome: "failed"}
	// The subscriber learns no more than Graph tells (G-URL-1): a refused
	// connection, a failed TLS handshake and a timeout read the same, so
	// the fake is no oracle of which ports listen. The notice keeps the
	// cause for the tester.
	var fail string
	switch {
	case err != nil || late:
		fail = "the notification endpoint could not be reached or did not answer within " + h.opt.Notify.ValidationTimeout.String()
		if err != nil {
			nt.Error = err.Error()
		}
	case rep.Status != http.StatusOK:
		fail = fmt.Sprintf("the notification endpoint answered %d; it must answer 200 OK", rep.Status)
	case !strings.HasPrefix(strings.ToLower(rep.ContentType), "text/plain"):
		fail = "the notification endpoint did not answer with Content-Type text/plain"
	case string(rep.Body) != token:
		fail = "Response must exactly match validationToken query parameter (URL-decoded)"
	default:
		nt.Outcome = "delivered"
	}
	if nt.Error == "" {
		nt.Error = fail
	}
	h.subs.record(nt)
	if fail != "" {
		return errf(http.StatusBadRequest, "ValidationError", "Subscription validation request failed: "+strings.ToValidUTF8(fail, "?")+". (G-SUB-1)")
	}
	return nil
}
