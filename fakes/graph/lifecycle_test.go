package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func (f *fixture) subscribeWithLifecycle(tok string) string {
	f.t.Helper()
	b, _ := json.Marshal(map[string]string{"changeType": "updated", "notificationUrl": "https://hooks.example.com/n", "lifecycleNotificationUrl": "https://hooks.example.com/l",
		"resource": "communications/presences/" + f.ids["alice"], "expirationDateTime": f.lw.Now().Wall().Add(55 * time.Minute).Format(time.RFC3339)})
	st, out, _ := f.do("POST", "/v1.0/subscriptions", tok, string(b))
	if st != http.StatusCreated {
		f.t.Fatalf("subscribe: %d %s", st, out)
	}
	var sub Subscription
	_ = json.Unmarshal(out, &sub)
	return sub.ID
}

// lifecycleEvents lists the lifecycle events delivered to the lifecycle URL.
func (f *fixture) lifecycleEvents() []string {
	f.t.Helper()
	var out []string
	for _, p := range f.notifications("https://hooks.example.com/l") {
		for _, v := range p.Value {
			out = append(out, v.LifecycleEvent)
		}
	}
	return out
}

func TestSubscriptionsBelongToTheirCaller(t *testing.T) {
	f := newFixture(t, Options{})
	alice, bob, app := f.userToken("alice"), f.userToken("bob"), f.appToken()
	id := f.subscribeWithLifecycle(alice)
	exp := `{"expirationDateTime":"` + f.lw.Now().Wall().Add(50*time.Minute).Format(time.RFC3339) + `"}`
	cases := []struct {
		who, tok, method, path, body string
		status                       int
	}{
		{"bob", bob, "GET", "/v1.0/subscriptions/" + id, "", 404},
		{"bob", bob, "PATCH", "/v1.0/subscriptions/" + id, exp, 404},
		{"bob", bob, "POST", "/v1.0/subscriptions/" + id + "/reauthorize", "", 404},
		{"bob", bob, "DELETE", "/v1.0/subscriptions/" + id, "", 404},
		{"the app", app, "GET", "/v1.0/subscriptions/" + id, "", 200},
		{"the app", app, "POST", "/v1.0/subscriptions/" + id + "/reauthorize", "", 403},
		{"alice", alice, "GET", "/v1.0/subscriptions/" + id + "/reauthorize", "", 405},
		{"alice", alice, "POST", "/v1.0/subscriptions/" + id + "/reauthorize", "", 204},
		{"alice", alice, "POST", "/v1.0/subscriptions/" + id + "/microsoft.graph.reauthorize", "", 204},
		{"alice", alice, "PATCH", "/v1.0/subscriptions/" + id, exp, 200},
	}
	for _, c := range cases {
		if st, b, _ := f.do(c.method, c.path, c.tok, c.body); st != c.status {
			t.Fatalf("%s: %s %s answered %d %s; want %d", c.who, c.method, c.path, st, b, c.status)
		}
	}
	lists := []struct {
		who, tok string
		n        int
	}{{"alice", alice, 1}, {"bob", bob, 0}, {"the app", app, 1}}
	for _, l := range lists {
		_, b, _ := f.do("GET", "/v1.0/subscriptions", l.tok, "")
		var list struct{ Value []Subscription }
		_ = json.Unmarshal(b, &list)
		if len(list.Value) != l.n {
			t.Fatalf("%s lists %d subscriptions; want %d: %s", l.who, len(list.Value), l.n, b)
		}
	}
	if st, b, _ := f.do("DELETE", "/v1.0/subscriptions/"+id, alice, ""); st != 204 {
		t.Fatalf("alice's DELETE: %d %s", st, b)
	}
}

// A subscriber that fails every notification for Notify.RetryFor loses
// its subscription, and its lifecycle URL hears it.
func TestFailingSubscriptionIsRemoved(t *testing.T) {
	f := newFixture(t, Options{})
	tok := f.userToken("alice")
	id := f.subscribeWithLifecycle(tok)
	start := f.lw.Now()
	f.answer = func(d Delivery) Reply {
		if d.Validation {
			return Reply{Status: 200, ContentType: "text/plain", Body: []byte(validationTokenOf(d.URL))}
		}
		if strings.HasSuffix(d.URL, "/n") {
			return Reply{Status: 503}
		}
		return Reply{Status: 202}
	}
	f.change(1)
	for step := 0; step < 30 && f.h.Stats().Subscriptions > 0; step++ {
		f.h.Flush(context.Background())
		if err := f.lw.Advance(10 * time.Minute); err != nil {
			t.Fatal(err)
		}
		if step%4 == 3 { // renew, as a subscriber keeps a subscription
			exp := f.lw.Now().Wall().Add(55 * time.Minute).Format(time.RFC3339)
			if st, b, _ := f.do("PATCH", "/v1.0/subscriptions/"+id, f.userToken("alice"), `{"expirationDateTime":"`+exp+`"}`); st != 200 && st != 404 {
				t.Fatalf("renew: %d %s", st, b)
			}
		}
	}
	f.h.Flush(context.Background())
	f.h.Flush(context.Background())
	if ev := f.lifecycleEvents(); strings.Join(ev, " ") != "subscriptionRemoved" {
		t.Fatalf("lifecycle events %v; want subscriptionRemoved once", ev)
	}
	if st, _, _ := f.do("GET", "/v1.0/subscriptions/"+id, f.userToken("alice"), ""); st != 404 {
		t.Fatalf("the removed subscription answers %d", st)
	}
	if at := f.lw.Now().Sub(start); at < 4*time.Hour || at > 5*time.Hour {
		t.Fatalf("removed after %s; want after 4 hours of failures", at)
	}
}

// Notifications a cap drops are announced once as "missed".
func TestDroppedNotificationsAreMissed(t *testing.T) {
	f := newFixture(t, Options{Limits: Limits{QueuedPerURL: 2}})
	f.subscribeWithLifecycle(f.userToken("alice"))
	f.change(5) // three of five dropped before any is sent
	f.h.Flush(context.Background())
	f.h.Flush(context.Background())
	if n := len(f.notifications("https://hooks.example.com/n")); n != 2 {
		t.Fatalf("%d notifications delivered; want the 2 the queue holds", n)
	}
	if ev := f.lifecycleEvents(); strings.Join(ev, " ") != "missed" {
		t.Fatalf("lifecycle events %v; want missed once", ev)
	}
	// Once announced, a later loss is announced again.
	f.change(4) // the first sets the presence alice has: three changes
	f.h.Flush(context.Background())
	f.h.Flush(context.Background())
	if ev := f.lifecycleEvents(); strings.Join(ev, " ") != "missed missed" {
		t.Fatalf("lifecycle events %v; want missed twice", ev)
	}
}

func validationTokenOf(u string) string {
	_, q, _ := strings.Cut(u, "validationToken=")
	tok, _ := url.QueryUnescape(q)
	return tok
}
