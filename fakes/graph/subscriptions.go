package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
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
	LatestSupportedTLSVersion string    `json:"latestSupportedTlsVersion"`

	tenant  string
	creator teams.UserID
	users   []teams.UserID
	expires clock.Time
	gone    bool
	expire  clock.Timer
	reauth  clock.Timer
}

// Notice is one delivery attempt the fake made, for clients and tests to
// verify a subscriber by.
type Notice struct {
	At             clock.Time `json:"-"`
	Time           time.Time  `json:"time"`
	SubscriptionID string     `json:"subscriptionId"`
	Kind           string     `json:"kind"` // "notification", "reauthorizationRequired", "validation"
	URL            string     `json:"url"`
	User           string     `json:"user,omitempty"`
	Attempt        int        `json:"attempt"`
	Status         int        `json:"status"`          // subscriber's status; 0 when it did not answer
	Error          string     `json:"error,omitempty"` // transport error or "too slow"
	Outcome        string     `json:"outcome"`         // "delivered", "retry at …", "dropped", "failed"
}

type pending struct {
	sub     string
	kind    string
	url     string
	user    string
	body    []byte
	first   clock.Time
	attempt int
}

type subscriptions struct {
	h    *Handler
	rnd  *rand.Rand
	all  []*Subscription
	wait map[int32]*pending // retries waiting on the world's clock
	nret int32

	mu      sync.Mutex // outbox and notices
	outbox  []*pending
	notices []Notice
	kickCh  chan struct{}
}

const (
	opSubExpire int32 = iota + 1
	opSubReauth
	opRetry
)

var subLabels = map[int32]string{opSubExpire: "subscription expires (G-SUB-1)", opSubReauth: "reauthorizationRequired (G-SUB-1)", opRetry: "notification retry (G-SUB-1)"}

func newSubscriptions(h *Handler) *subscriptions {
	return &subscriptions{h: h, rnd: h.w.Stream("graph subscriptions"), wait: map[int32]*pending{}, kickCh: make(chan struct{}, 1)}
}

// ComponentName names the subscriptions for clock explanations.
func (s *subscriptions) ComponentName() string { return "graph subscriptions" }

func (s *subscriptions) guid() string {
	a, b := s.rnd.Uint64(), s.rnd.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, (uint16(b>>48)&0x3fff)|0x8000, b&0xffffffffffff)
}

func (s *subscriptions) hasOutbox() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.outbox) > 0
}

func (s *subscriptions) kick() {
	select {
	case s.kickCh <- struct{}{}:
	default:
	}
}

func (s *subscriptions) enqueue(p *pending) {
	s.mu.Lock()
	s.outbox = append(s.outbox, p)
	s.mu.Unlock()
}

// PresenceChanged queues a notification for every live subscription that
// covers the user (called from the clock loop, under the world's lock).
func (s *subscriptions) PresenceChanged(now clock.Time, u teams.UserID, _, _ presence.Presence) {
	id := s.h.w.Teams.Dir(u).ID
	for _, sub := range s.all {
		if sub.gone || now >= sub.expires || !covers(sub, u) {
			continue
		}
		body := notificationBody(sub, id, now)
		s.enqueue(&pending{sub: sub.ID, kind: "notification", url: sub.NotificationURL, user: s.h.w.Teams.Name(u), body: body, first: now})
	}
}

func covers(sub *Subscription, u teams.UserID) bool {
	for _, x := range sub.users {
		if x == u {
			return true
		}
	}
	return false
}

type notification struct {
	SubscriptionID                 string        `json:"subscriptionId"`
	ClientState                    *string       `json:"clientState"`
	ChangeType                     string        `json:"changeType,omitempty"`
	LifecycleEvent                 string        `json:"lifecycleEvent,omitempty"`
	TenantID                       string        `json:"tenantId"`
	Resource                       string        `json:"resource,omitempty"`
	SubscriptionExpirationDateTime time.Time     `json:"subscriptionExpirationDateTime"`
	ResourceData                   *resourceData `json:"resourceData,omitempty"`
	OrganizationID                 string        `json:"organizationId"`
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
	} `json:"value"`
}

func notificationBody(sub *Subscription, userID string, _ clock.Time) []byte {
	n := notification{SubscriptionID: sub.ID, ClientState: sub.ClientState, ChangeType: "updated", TenantID: sub.tenant,
		Resource: "communications/presences/" + userID, SubscriptionExpirationDateTime: sub.ExpirationDateTime,
		ResourceData: &resourceData{ODataID: "users/" + userID + "/presence", ODataType: "#microsoft.graph.presence", ID: userID}, OrganizationID: sub.tenant}
	b, _ := json.Marshal(map[string][]notification{"value": {n}})
	return b
}

// Fire handles the subscriptions' timers.
func (s *subscriptions) Fire(now clock.Time, ev clock.Event) {
	switch ev.Op {
	case opSubExpire:
		if sub := s.all[ev.A]; !sub.gone {
			sub.gone = true
			s.h.w.Clock.Cancel(sub.reauth)
		}
	case opSubReauth:
		sub := s.all[ev.A]
		if sub.gone || sub.LifecycleNotificationURL == nil {
			return
		}
		n := notification{SubscriptionID: sub.ID, ClientState: sub.ClientState, LifecycleEvent: "reauthorizationRequired", TenantID: sub.tenant, SubscriptionExpirationDateTime: sub.ExpirationDateTime, OrganizationID: sub.tenant}
		b, _ := json.Marshal(map[string][]notification{"value": {n}})
		s.enqueue(&pending{sub: sub.ID, kind: "reauthorizationRequired", url: *sub.LifecycleNotificationURL, body: b, first: now})
	case opRetry:
		if p := s.wait[ev.A]; p != nil {
			delete(s.wait, ev.A)
			s.enqueue(p)
		}
	}
}

// Flush delivers every queued notification now (outside the world's lock),
// scheduling retries for failures on the world's clock. It returns how
// many deliveries it attempted.
func (h *Handler) Flush(ctx context.Context) int {
	s := h.subs
	n := 0
	for {
		s.mu.Lock()
		batch := s.outbox
		s.outbox = nil
		s.mu.Unlock()
		if len(batch) == 0 {
			return n
		}
		for _, p := range batch {
			n++
			p.attempt++
			dctx, cancel := context.WithTimeout(ctx, h.opt.Notify.DeliveryTimeout)
			rep, err := h.opt.Deliverer.Deliver(dctx, Delivery{URL: p.url, ContentType: "application/json; charset=utf-8", Body: p.body})
			late := dctx.Err() != nil
			cancel()
			var nt Notice
			_ = h.lw.Do(func(*sim.World) error {
				now := h.w.Clock.Now()
				nt = Notice{At: now, Time: now.Wall(), SubscriptionID: p.sub, Kind: p.kind, URL: p.url, User: p.user, Attempt: p.attempt, Status: rep.Status}
				switch {
				case err == nil && !late && rep.Status >= 200 && rep.Status < 300:
					nt.Outcome = "delivered"
				default:
					if err != nil {
						nt.Error = err.Error()
					} else if late {
						nt.Error = "no answer within " + h.opt.Notify.DeliveryTimeout.String()
					}
					nt.Outcome = s.retry(p, now)
				}
				return nil
			})
			s.mu.Lock()
			s.notices = append(s.notices, nt)
			s.mu.Unlock()
		}
	}
}

// retry schedules the next attempt with doubling back-off, or drops the
// notification once RetryFor has passed since the change.
func (s *subscriptions) retry(p *pending, now clock.Time) string {
	ns := s.h.opt.Notify
	d := ns.RetryFirst << (p.attempt - 1)
	if d > ns.RetryMax || d <= 0 {
		d = ns.RetryMax
	}
	at := now.Add(d)
	if at.Sub(p.first) > ns.RetryFor {
		return "dropped"
	}
	s.nret++
	s.wait[s.nret] = p
	s.h.w.Clock.Schedule(at, s, clock.Event{Op: opRetry, A: s.nret, Label: subLabels[opRetry]})
	return "retry at " + at.String()
}

// Notices returns every delivery attempt so far, oldest first.
func (h *Handler) Notices() []Notice {
	h.subs.mu.Lock()
	defer h.subs.mu.Unlock()
	return append([]Notice(nil), h.subs.notices...)
}

// Subscriptions returns the live subscriptions.
func (h *Handler) Subscriptions() []Subscription {
	var out []Subscription
	_ = h.lw.Do(func(*sim.World) error {
		for _, s := range h.subs.all {
			if !s.gone {
				out = append(out, *s)
			}
		}
		return nil
	})
	return out
}

// Run delivers notifications as they are queued until ctx ends (served
// mode); tick bounds how long a retry that fell due waits.
func (h *Handler) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.subs.kickCh:
		case <-t.C:
		}
		h.Flush(ctx)
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
			if !isGUID(part) {
				return nil, badRequest("Invalid id '" + strings.ToValidUTF8(truncate(part, 80), "?") + "' in the resource filter: ids must be user object ids (GUIDs). (G-SUB-1)")
			}
			ids = append(ids, strings.ToLower(part))
		}
		if len(ids) > MaxBulkIDs {
			return nil, badRequest(fmt.Sprintf("Too many ids in the resource filter: %d; a presence subscription covers at most %d. (G-SUB-1)", len(ids), MaxBulkIDs))
		}
		return ids, nil
	}
	if id, ok := strings.CutPrefix(strings.TrimPrefix(res, "/"), "communications/presences/"); ok && isGUID(id) {
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
			if !sub.gone && sub.ApplicationID == c.AppID && sub.tenant == c.Tid {
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
		if !x.gone && strings.EqualFold(x.ID, rt.target) && x.ApplicationID == c.AppID && x.tenant == c.Tid {
			sub = x
		}
	}
	if sub == nil {
		return result{err: errf(http.StatusNotFound, "ResourceNotFound", "The object was not found: no live subscription '"+strings.ToValidUTF8(truncate(rt.target, 80), "?")+"' of this application (it may have expired). (G-SUB-1)")}
	}
	switch method {
	case http.MethodGet:
		return result{status: http.StatusOK, body: subJSON(h, sub)}
	case http.MethodDelete:
		sub.gone = true
		h.w.Clock.Cancel(sub.expire)
		h.w.Clock.Cancel(sub.reauth)
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
	idx := int32(-1)
	for i, x := range s.all {
		if x == sub {
			idx = int32(i)
		}
	}
	sub.ExpirationDateTime = exp
	sub.expires = clock.Time(exp.Sub(clock.Epoch))
	h.w.Clock.Cancel(sub.expire)
	h.w.Clock.Cancel(sub.reauth)
	sub.expire = h.w.Clock.Schedule(sub.expires, s, clock.Event{Op: opSubExpire, A: idx, Label: subLabels[opSubExpire]})
	if sub.LifecycleNotificationURL != nil {
		sub.reauth = h.w.Clock.Schedule(sub.expires.Add(-h.opt.Notify.LifecycleLead), s, clock.Event{Op: opSubReauth, A: idx, Label: subLabels[opSubReauth]})
	}
}

func checkURL(field, s string) *Error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return badRequest(field + " must be an absolute http(s) URL; got '" + strings.ToValidUTF8(truncate(s, 120), "?") + "'. (G-SUB-1)")
	}
	return nil
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
	case b.ClientState != nil && len(*b.ClientState) > 128:
		return result{err: badRequest("clientState is longer than 128 characters.")}
	case b.IncludeResourceData:
		return result{err: badRequest("includeResourceData (rich notifications with encrypted content) is not supported by presencesim; subscribe without resource data and read the presence after a notification.")}
	}
	if e := checkURL("notificationUrl", *b.NotificationURL); e != nil {
		return result{err: e}
	}
	if b.LifecycleNotificationURL != nil {
		if e := checkURL("lifecycleNotificationUrl", *b.LifecycleNotificationURL); e != nil {
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
	if tls == "" {
		tls = "v1_2"
	}
	sub := &Subscription{ID: h.subs.guid(), Resource: *b.Resource, ApplicationID: c.AppID, ChangeType: "updated", ClientState: b.ClientState,
		NotificationURL: *b.NotificationURL, LifecycleNotificationURL: b.LifecycleNotificationURL, CreatorID: c.Oid, LatestSupportedTLSVersion: tls,
		tenant: c.Tid, creator: creator, users: users, ExpirationDateTime: exp}
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
			h.subs.all = append(h.subs.all, sub)
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
		if !x.gone && now < x.expires && x.ApplicationID == c.AppID && x.tenant == c.Tid && x.creator == creator {
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
	var fail string
	switch {
	case err != nil:
		fail = "the notification endpoint could not be reached: " + err.Error()
	case late:
		fail = "the notification endpoint did not answer within " + h.opt.Notify.ValidationTimeout.String()
	case rep.Status != http.StatusOK:
		fail = fmt.Sprintf("the notification endpoint answered %d; it must answer 200 OK", rep.Status)
	case !strings.HasPrefix(strings.ToLower(rep.ContentType), "text/plain"):
		fail = "the notification endpoint answered with Content-Type '" + rep.ContentType + "'; it must be text/plain"
	case string(rep.Body) != token:
		fail = "Response must exactly match validationToken query parameter (URL-decoded)"
	default:
		nt.Outcome = "delivered"
	}
	nt.Error = fail
	h.subs.mu.Lock()
	h.subs.notices = append(h.subs.notices, nt)
	h.subs.mu.Unlock()
	if fail != "" {
		return errf(http.StatusBadRequest, "ValidationError", "Subscription validation request failed: "+strings.ToValidUTF8(fail, "?")+". (G-SUB-1)")
	}
	return nil
}
