package connector

import (
	"encoding/xml"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
)

// dialogs is a NOTIFY of dialog-info with the given version and dialog
// states.
func dialogs(t *testing.T, version uint64, states ...string) watch.Notify {
	t.Helper()
	b := `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="` + strconv.FormatUint(version, 10) + `" state="full" entity="sip:201@127.0.0.1">`
	for _, s := range states {
		b += `<dialog id="201-desk-1" direction="initiator"><state>` + s + `</state></dialog>`
	}
	b += `</dialog-info>`
	var di watch.DialogInfo
	if err := xml.Unmarshal([]byte(b), &di); err != nil {
		t.Fatal(err)
	}
	return watch.Notify{Event: "dialog", Body: []byte(b), Dialog: &di}
}

// The connector takes a line as in a call while a dialog is confirmed,
// skips dialog-info older than the one it took, and with the fault
// miss-terminated never sees the call end.
func TestPBXConnectorTakesDialogInfo(t *testing.T) {
	type step struct {
		version uint64
		states  []string
		busy    bool // after the NOTIFY
	}
	call := []step{
		{0, nil, false},
		{1, []string{"early"}, false},
		{2, []string{"confirmed"}, true},
		{1, []string{"early"}, true}, // late, older: skipped
		{3, []string{"terminated"}, false},
		{4, nil, false},
	}
	missed := append([]step(nil), call...)
	missed[4].busy, missed[5].busy = true, false
	for _, tc := range []struct {
		name  string
		fault Fault
		steps []step
	}{
		{"reference", NoFault, call},
		{"miss-terminated", PBXMissTerminated, missed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &pbxConnector{opt: PBXOptions{Fault: tc.fault}, logw: io.Discard}
			l := &pbxLine{ext: "201"}
			for i, s := range tc.steps {
				c.take(l, dialogs(t, s.version, s.states...))
				if l.busy != s.busy {
					t.Fatalf("after NOTIFY %d (version %d, %v): in a call %v, want %v", i, s.version, s.states, l.busy, s.busy)
				}
			}
		})
	}
}

// A NOTIFY that ends a subscription makes the line subscribe again when
// RFC 6665 says: at once after deactivated or timeout, after retry-after
// (or a while) on probation, not soon after rejected; an active one keeps
// the subscription.
func TestPBXConnectorSubscribesAgainAfterTermination(t *testing.T) {
	for _, tc := range []struct {
		state    string
		kept     bool
		min, max time.Duration // of the wait before the next SUBSCRIBE
	}{
		{"active;expires=60", true, 0, 0},
		{"terminated;reason=timeout", false, 0, time.Second},
		{"terminated;reason=deactivated", false, 0, time.Second},
		{"terminated", false, 0, time.Second},
		{"terminated;reason=probation;retry-after=20", false, 19 * time.Second, 21 * time.Second},
		{"terminated;reason=probation", false, sipRetry - time.Second, sipRetry + time.Second},
		{"terminated;reason=rejected", false, time.Hour - time.Second, time.Hour + time.Second},
		{"Terminated; reason=noresource", false, time.Hour - time.Second, time.Hour + time.Second},
	} {
		c := &pbxConnector{logw: io.Discard, byCID: map[string]*pbxLine{}, kick: make(chan struct{}, 1)}
		l := &pbxLine{ext: "201", sub: &watch.Subscription{CallID: "c1"}}
		c.byCID["c1"], c.watched = l, 1
		n := dialogs(t, 1)
		n.CallID, n.SubscriptionState = "c1", tc.state
		before := time.Now()
		c.notify(n)
		if kept := l.sub != nil && c.byCID["c1"] == l; kept != tc.kept {
			t.Errorf("%s: subscription kept %v, want %v", tc.state, kept, tc.kept)
			continue
		}
		if tc.kept {
			continue
		}
		if wait := l.retryAt.Sub(before); wait < tc.min || wait > tc.max {
			t.Errorf("%s: subscribes again after %s, want %s to %s", tc.state, wait, tc.min, tc.max)
		}
		if c.watched != 0 || len(c.kick) != 1 {
			t.Errorf("%s: %d watched, subscriber woken %v", tc.state, c.watched, len(c.kick) == 1)
		}
	}
}

// A NOTIFY that comes before its SUBSCRIBE's answer is kept, boundedly,
// for the subscription its Call-ID will name.
func TestPBXConnectorKeepsEarlyNotifiesBounded(t *testing.T) {
	c := &pbxConnector{logw: io.Discard, byCID: map[string]*pbxLine{}, early: map[string][]watch.Notify{}}
	for i := range maxEarly + 10 {
		for range 12 {
			n := dialogs(t, 0)
			n.CallID = strconv.Itoa(i)
			c.notify(n)
		}
	}
	if len(c.early) > maxEarly {
		t.Errorf("%d early subscriptions kept, cap %d", len(c.early), maxEarly)
	}
	for id, q := range c.early {
		if len(q) > 8 {
			t.Fatalf("%d early NOTIFYs kept for %s", len(q), id)
		}
	}
}

// Whatever a NOTIFY's Subscription-State says, the connector reads it
// without a panic and waits at most a day before it subscribes again.
func FuzzPBXSubscriptionState(f *testing.F) {
	for _, s := range []string{"active;expires=60", "terminated;reason=probation;retry-after=20", "terminated;retry-after=-1",
		"terminated;reason=rejected", "terminated;;=;retry-after=99999999999999999999", "TERMINATED"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, state string) {
		c := &pbxConnector{logw: io.Discard, byCID: map[string]*pbxLine{}, kick: make(chan struct{}, 1)}
		l := &pbxLine{ext: "201", sub: &watch.Subscription{CallID: "c1"}}
		c.byCID["c1"], c.watched = l, 1
		before := time.Now()
		c.takeLocked(l, watch.Notify{CallID: "c1", SubscriptionState: state})
		if wait := l.retryAt.Sub(before); l.sub == nil && (wait > 24*time.Hour+time.Second || (!l.retryAt.IsZero() && wait < -time.Second)) {
			t.Fatalf("%q: subscribes again after %s", state, wait)
		}
	})
}
