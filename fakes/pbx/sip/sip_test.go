package sip_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
)

// world is alice (201) and bob (202) on the PBX with SIP passwords, on a
// manual clock, served over SIP on a free loopback port.
func world(t testing.TB, o sip.Options) (*live.World, *sip.Server, string) {
	t.Helper()
	w := sim.MustNew(7)
	p := pbx.Of(w)
	for _, n := range []string{"alice", "bob"} {
		id, err := w.AddUser(n, "")
		if err != nil {
			t.Fatal(err)
		}
		i, err := p.Ensure(id)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.SetSIP(i, "", n+"-secret"); err != nil {
			t.Fatal(err)
		}
	}
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	if o.NotifyTimeout == 0 {
		o.NotifyTimeout = time.Second // watchers close before the server
	}
	s, err := sip.New(lw, o)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return lw, s, addr
}

func line(t testing.TB, lw *live.World, ext string, evs ...pbx.LineEvent) {
	t.Helper()
	for _, ev := range evs {
		if err := lw.Do(func(w *sim.World) error {
			p := pbx.Of(w)
			i, err := p.Lookup(ext)
			if err != nil {
				return err
			}
			return p.LineEvent(i, pbx.DeskPhone, ev)
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), eventually.Bound)
	t.Cleanup(cancel)
	return c
}

func watcher(t testing.TB, addr, transport, user, pw string) *watch.Watcher {
	t.Helper()
	w, err := watch.New(addr, transport, user, pw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// step is one expected dialog-info document: the dialogs as
// "state/direction", empty for none.
type step []string

func describe(n watch.Notify) string {
	if n.Dialog == nil {
		return fmt.Sprintf("unparsed %s body %q", n.Event, n.Body)
	}
	var ds []string
	for _, d := range n.Dialog.Dialogs {
		ds = append(ds, d.State+"/"+d.Direction)
	}
	return fmt.Sprintf("v%d [%s] (%s)", n.Dialog.Version, strings.Join(ds, " "), n.SubscriptionState)
}

// of picks the NOTIFYs of one subscription.
func of(ns []watch.Notify, callID string) []watch.Notify {
	var out []watch.Notify
	for _, n := range ns {
		if n.CallID == callID {
			out = append(out, n)
		}
	}
	return out
}

// A watcher registers, subscribes to two extensions' dialog state and
// sees every line change of a call on each, in order, each NOTIFY with the
// next version.
func TestDialogStateOfTwoExtensions(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			lw, _, addr := world(t, sip.Options{})
			wa := watcher(t, addr, transport, "201", "alice-secret")
			res, err := wa.Register(ctx(t), 600)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("REGISTER 201: expected 200, got %v %v", res, err)
			}
			subA, _, err := wa.Subscribe(ctx(t), "201", "dialog", 600)
			if err != nil {
				t.Fatal(err)
			}
			subB, _, err := wa.Subscribe(ctx(t), "202", "dialog", 600)
			if err != nil {
				t.Fatal(err)
			}
			// alice calls out, is answered, holds, retrieves, hangs up;
			// bob's phone rings, he answers and hangs up
			line(t, lw, "201", pbx.OffHook, pbx.Answer, pbx.Hold, pbx.Retrieve, pbx.HangUp)
			line(t, lw, "202", pbx.Incoming, pbx.Answer, pbx.HangUp, pbx.Incoming, pbx.HangUp)
			want := map[string][]step{
				subA.CallID: {{}, {"early/initiator"}, {"confirmed/initiator"}, {"confirmed/initiator"}, {"confirmed/initiator"}, {"terminated/initiator"}},
				subB.CallID: {{}, {"early/recipient"}, {"confirmed/recipient"}, {"terminated/recipient"}, {"early/recipient"}, {"terminated/recipient"}},
			}
			for callID, steps := range want {
				var got []watch.Notify
				eventually.True(t, func() (bool, string) {
					all, _ := wa.Notifies()
					got = of(all, callID)
					return len(got) >= len(steps), fmt.Sprintf("%d of %d NOTIFYs", len(got), len(steps))
				})
				if len(got) != len(steps) {
					t.Fatalf("expected %d NOTIFYs, got %d", len(steps), len(got))
				}
				ids := map[string]bool{}
				for k, n := range got {
					if n.Dialog == nil || n.ContentType != sip.ContentDialogInfo || n.Dialog.State != "full" {
						t.Fatalf("NOTIFY %d: expected a full dialog-info body, got %s %s", k, n.ContentType, describe(n))
					}
					if n.Dialog.Version != uint64(k) {
						t.Errorf("NOTIFY %d: expected version %d, got %s", k, k, describe(n))
					}
					if !strings.HasPrefix(n.SubscriptionState, "active;expires=") {
						t.Errorf("NOTIFY %d: expected an active subscription, got %q", k, n.SubscriptionState)
					}
					var ds []string
					for _, d := range n.Dialog.Dialogs {
						ds = append(ds, d.State+"/"+d.Direction)
						ids[d.ID] = true
					}
					if strings.Join(ds, " ") != strings.Join(steps[k], " ") {
						t.Errorf("NOTIFY %d: expected dialogs [%s], derived %s", k, strings.Join(steps[k], " "), describe(n))
					}
				}
				if callID == subB.CallID && len(ids) != 2 {
					t.Errorf("bob's two calls: expected two dialog ids, got %v", ids)
				}
			}
		})
	}
}
