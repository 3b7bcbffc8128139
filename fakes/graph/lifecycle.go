package graph

import (
	"net/http"
	"strings"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

// Subscriptions as Graph scopes them (G-SUB-2): who may see and change
// a subscription, reauthorize, and the lifecycle events besides
// reauthorizationRequired.

// owns tells whether the caller may see, renew, reauthorize and delete
// sub: a delegated caller its own subscriptions made through the app, an
// application every subscription of the app in its tenant.
func owns(c *Claims, sub *Subscription) bool {
	if sub.ApplicationID != c.AppID || sub.tenant != c.Tid {
		return false
	}
	return !c.Delegated() || strings.EqualFold(sub.CreatorID, c.Oid)
}

// reauthorize answers POST /subscriptions/{id}/reauthorize: the caller
// must still hold what creating the subscription took.
func (h *Handler) reauthorize(rc *reqCtx, sub *Subscription) result {
	c := rc.claims
	if !c.Delegated() {
		return result{err: forbidden("Operation: Reauthorize; Exception: [Status Code: Forbidden; Reason: presence subscriptions support delegated permissions only (Presence.Read.All); application tokens are refused.] (G-SUB-2)")}
	}
	if !c.Has(PresenceReadAll) {
		return result{err: missingRole(c, PresenceReadAll)}
	}
	return result{status: http.StatusNoContent}
}

// outcome follows a subscription's deliveries; inside the world's lock. A
// delivered notification ends a failing spell; a failed one starts one at
// the change it carried.
func (s *subscriptions) outcome(p *pending, ok bool, _ clock.Time) {
	sub := s.byKey[p.skey]
	if sub == nil {
		return
	}
	switch {
	case p.kind == lifecycleMissed:
		if ok {
			sub.missedQueued = false
		}
	case p.kind != kindNotification:
	case ok:
		sub.failing = false
	case !sub.failing:
		sub.failing, sub.failingSince = true, p.first
	}
}

// gaveUp follows a delivery whose retries ran out (Notify.RetryFor);
// inside the world's lock. When no notification reached the subscriber
// since, Graph drops the subscription and says so on the lifecycle URL
// (subscriptionRemoved); otherwise the notification was lost in between
// (missed).
func (s *subscriptions) gaveUp(p *pending, now clock.Time) {
	sub := s.byKey[p.skey]
	if sub == nil {
		return
	}
	switch {
	case p.kind == lifecycleMissed:
		sub.missedQueued = false
	case p.kind != kindNotification:
	case sub.failing:
		s.lifecycle(sub, lifecycleRemoved, now)
		s.remove(sub)
	case sub.LifecycleNotificationURL != nil && !sub.missedQueued:
		sub.missedQueued = true
		s.lifecycle(sub, lifecycleMissed, now)
	}
}

// SetQueueLimits changes Limits.QueuedPerURL and Limits.Queued while the
// handler runs (a value ≤ 0 keeps the cap): for tests of what a full
// outbox drops. Deliveries queued beyond a lowered cap go out as before.
func (h *Handler) SetQueueLimits(perURL, all int) {
	_ = h.lw.Do(func(*sim.World) error {
		o := h.subs.out
		o.mu.Lock()
		defer o.mu.Unlock()
		for _, l := range []*Limits{&o.lim, &h.subs.lim, &h.opt.Limits} {
			if perURL > 0 {
				l.QueuedPerURL = perURL
			}
			if all > 0 {
				l.Queued = all
			}
		}
		return nil
	})
}
