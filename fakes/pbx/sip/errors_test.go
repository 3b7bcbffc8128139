package sip_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
	"github.com/presencesim/presencesim/internal/eventually"
)

// Refusals name the protocol's status: an unknown extension 404, an
// unknown event package 489, wrong credentials 403, a refresh of an
// unknown dialog 481, a SUBSCRIBE without Event 400, too many
// subscriptions 503.
func TestRefusals(t *testing.T) {
	_, srv, addr := world(t, sip.Options{MaxSubscriptions: 2})
	good := watcher(t, addr, "udp", "201", "alice-secret")
	wrong := watcher(t, addr, "udp", "201", "not-the-password")
	cases := []struct {
		name string
		do   func() (int, error)
		want int
	}{
		{"unknown extension", func() (int, error) { return subscribeCode(good, "299", "dialog") }, 404},
		{"unknown event package", func() (int, error) { return subscribeCode(good, "202", "message-summary") }, 489},
		{"wrong password", func() (int, error) { return subscribeCode(wrong, "202", "dialog") }, 403},
		{"wrong password on REGISTER", func() (int, error) {
			res, err := wrong.Register(ctx(t), 600)
			if err != nil {
				return 0, err
			}
			return res.StatusCode, nil
		}, 403},
		{"unknown dialog", func() (int, error) {
			res, err := good.Refresh(ctx(t), &watch.Subscription{CallID: "nope", FromTag: "a", ToTag: "b", Event: "dialog", Target: "202"}, 600)
			if err != nil {
				return 0, err
			}
			return res.StatusCode, nil
		}, 481},
		{"no Event header", func() (int, error) {
			req := gosip.NewRequest(gosip.SUBSCRIBE, good.URI("202"))
			p := gosip.NewParams()
			p.Add("tag", "x1")
			req.AppendHeader(&gosip.FromHeader{Address: good.URI("201"), Params: p})
			req.AppendHeader(&gosip.ToHeader{Address: good.URI("202")})
			res, err := good.Send(ctx(t), req)
			if err != nil {
				return 0, err
			}
			return res.StatusCode, nil
		}, 400},
		{"expires too brief", func() (int, error) {
			_, res, err := good.Subscribe(ctx(t), "202", "dialog", 5)
			if res != nil {
				return res.StatusCode, nil
			}
			return 0, err
		}, 423},
	}
	for _, c := range cases {
		got, err := c.do()
		if err != nil && got == 0 {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: expected %d, got %d", c.name, c.want, got)
		}
	}
	for k := range 2 {
		if _, _, err := good.Subscribe(ctx(t), "202", "dialog", 600); err != nil {
			t.Fatalf("subscription %d of the cap: %v", k+1, err)
		}
	}
	if got, _ := subscribeCode(good, "202", "dialog"); got != 503 {
		t.Errorf("a subscription past the cap of 2: expected 503, got %d", got)
	}
	if st := srv.Stats(); st.Subscriptions != 2 || st.SubscriptionsRefused != 1 {
		t.Errorf("expected 2 subscriptions and 1 refused, got %+v", st)
	}
}

func subscribeCode(w *watch.Watcher, ext, event string) (int, error) {
	_, res, err := w.Subscribe(context.Background(), ext, event, 600)
	if res != nil {
		return res.StatusCode, nil
	}
	if err != nil {
		return 0, err
	}
	return 200, nil
}

// Unsubscribing (Expires: 0) ends the subscription with a final NOTIFY
// whose Subscription-State is terminated; a refresh after it is 481.
func TestUnsubscribe(t *testing.T) {
	_, srv, addr := world(t, sip.Options{})
	w := watcher(t, addr, "tcp", "201", "alice-secret")
	sub, _, err := w.Subscribe(ctx(t), "202", "dialog", 600)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := w.Refresh(ctx(t), sub, 900); err != nil || res.StatusCode != 200 {
		t.Fatalf("refresh: expected 200, got %v %v", res, err)
	}
	if res, err := w.Refresh(ctx(t), sub, 0); err != nil || res.StatusCode != 200 {
		t.Fatalf("unsubscribe: expected 200, got %v %v", res, err)
	}
	var states []string
	eventually.True(t, func() (bool, string) {
		all, _ := w.Notifies()
		states = states[:0]
		for _, n := range of(all, sub.CallID) {
			states = append(states, n.SubscriptionState)
		}
		return len(states) == 3, fmt.Sprintf("Subscription-States %v", states)
	})
	if !strings.HasPrefix(states[1], "active;expires=") || states[2] != "terminated" {
		t.Errorf("expected initial, refresh active and a final terminated NOTIFY, got %v", states)
	}
	if res, err := w.Refresh(ctx(t), sub, 600); err != nil || res.StatusCode != 481 {
		t.Errorf("refresh after unsubscribe: expected 481, got %v %v", res, err)
	}
	if st := srv.Stats(); st.Subscriptions != 0 {
		t.Errorf("expected no subscription left, got %+v", st)
	}
}
