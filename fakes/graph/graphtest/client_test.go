package graphtest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/sim"
)

func newClient(t *testing.T) *Client {
	t.Helper()
	w := sim.MustNew(7)
	for _, n := range []string{"alice", "bob"} {
		if _, err := w.AddUser(n, ""); err != nil {
			t.Fatal(err)
		}
	}
	c, err := New(w, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.H.Identity().AddApp("", "connector", []string{graph.PresenceReadAll}, []string{graph.PresenceRead}); err != nil {
		t.Fatal(err)
	}
	return c
}

// An app keeps its token until it expires on the world's clock, then signs
// in again; Forget makes it sign in at once.
func TestTokenCache(t *testing.T) {
	c := newClient(t)
	signIns := func() int {
		return len(c.H.Journal.Filter(func(e graph.Entry) bool { return strings.HasSuffix(e.Path, "/token") }))
	}
	first, err := c.Token("connector")
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Token("connector")
	if err != nil || again != first || signIns() != 1 {
		t.Fatalf("a second Token signed in again (%d sign-ins, same token %v, %v)", signIns(), again == first, err)
	}
	claims, err := Claims(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.World.Clock.Advance(time.Unix(claims.Exp, 0).Sub(c.World.Clock.Now().Wall())); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token("connector"); err != nil || signIns() != 2 {
		t.Errorf("an expired token was used: %d sign-ins, %v", signIns(), err)
	}
	c.Forget("connector")
	if _, err := c.Token("connector"); err != nil || signIns() != 3 {
		t.Errorf("a forgotten token was used: %d sign-ins, %v", signIns(), err)
	}
	if err := c.ActAs("connector", "alice"); err != nil || signIns() != 4 {
		t.Errorf("acting as alice did not sign in as her: %d sign-ins, %v", signIns(), err)
	}
	if err := c.Do("connector", http.MethodGet, "/v1.0/me/presence", ""); err != nil || c.Last.Status != http.StatusOK {
		t.Fatalf("GET /me/presence as alice: %v %s", err, c.Last.Why())
	}
	if _, err := c.Token("nobody"); err == nil {
		t.Error("an unregistered app got a token")
	}
}

func TestExpand(t *testing.T) {
	c := newClient(t)
	alice, _ := c.World.Teams.User("alice")
	a, _ := c.App("connector")
	at := c.World.Clock.Now()
	cases := []struct {
		in, want string
	}{
		{"/v1.0/users/{alice}/presence", "/v1.0/users/" + c.World.Teams.Dir(alice).ID + "/presence"},
		{"{upn:alice}", c.World.Teams.Dir(alice).UPN},
		{"mail eq '{mail:alice}'", "mail eq '" + c.World.Teams.Dir(alice).Mail + "'"},
		{"{app}|{secret}", a.AppID + "|" + a.Secret},
		{"{now+1h}", at.Add(time.Hour).Wall().Format(time.RFC3339)},
		{"{now - 30m}", at.Add(-30 * time.Minute).Wall().Format(time.RFC3339)},
		{"[{ids:2}]", `["00000000-0000-4000-8000-000000000000","00000001-0000-4000-8000-000000000001"]`},
		{"{filter-ids:1}", `'00000000-0000-4000-8000-000000000000'`},
		{"{chars:3}", "xxx"},
		{"/{tenantid}/x", "/{tenantid}/x"},
		{"no placeholder", "no placeholder"},
	}
	for _, tc := range cases {
		if got, err := c.Expand(tc.in, "connector"); err != nil || got != tc.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []struct{ in, why string }{
		{"{zed}", "placeholders are"},
		{"{mail:zed}", "zed"},
		{"{sub}", "no subscription"},
		{"{refresh_token}", "no refresh_token"},
		{"{ids:x}", "with a count"},
		{"{ids:100001}", "with a count"},
		{"{now 2h}", "write {now}"},
		{"{app:nobody}", "nobody"},
		{"{certificate:rsa-8}", "key size"},
	} {
		if _, err := c.Expand(bad.in, "connector"); err == nil || !strings.Contains(err.Error(), bad.why) {
			t.Errorf("Expand(%q) = %v, want an error saying %q", bad.in, err, bad.why)
		}
	}
}

// A declared webhook answers as set and records notifications and
// lifecycle events apart; an undeclared one refuses; a slow one times out.
func TestWebhooks(t *testing.T) {
	ws := Webhooks{}
	const u = "https://hooks.example.com/presence"
	if err := ws.Listen("not a url"); err == nil {
		t.Error("a webhook listens at no URL")
	}
	if err := ws.Listen(u); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := ws.Deliver(ctx, graph.Delivery{URL: u + "?validationToken=a+b", Validation: true})
	if err != nil || r.Status != 200 || string(r.Body) != "a b" {
		t.Errorf("validation answered %+v, %v; want 200 echoing the token", r, err)
	}
	ws[u].WrongToken = true
	if r, _ := ws.Deliver(ctx, graph.Delivery{URL: u + "?validationToken=a+b", Validation: true}); string(r.Body) == "a b" {
		t.Error("a webhook set to echo a different token echoed the token")
	}
	note := []byte(`{"value":[{"resourceData":{"id":"oid-1"}}]}`)
	life := []byte(`{"value":[{"lifecycleEvent":"missed"}]}`)
	for _, b := range [][]byte{note, life, note} {
		if r, err := ws.Deliver(ctx, graph.Delivery{URL: u, Body: b}); err != nil || r.Status != 202 {
			t.Fatalf("notification answered %+v, %v", r, err)
		}
	}
	hk, err := ws.At(u)
	if err != nil {
		t.Fatal(err)
	}
	if len(hk.Received) != 2 || len(hk.Lifecycle) != 1 || hk.Lifecycle[0] != "missed" || hk.About("oid-1") != 2 || hk.About("oid-2") != 0 {
		t.Errorf("recorded %d notifications, lifecycle %v, about oid-1 %d", len(hk.Received), hk.Lifecycle, hk.About("oid-1"))
	}
	if _, err := ws.Deliver(ctx, graph.Delivery{URL: "https://elsewhere.example.com/x"}); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("an undeclared webhook answered: %v", err)
	}
	if _, err := ws.At("https://elsewhere.example.com/x"); err == nil {
		t.Error("At found an undeclared webhook")
	}
	hk.Delay = time.Hour
	dl, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := ws.Deliver(dl, graph.Delivery{URL: u, Body: note}); err != context.DeadlineExceeded {
		t.Errorf("a webhook slower than the deadline answered: %v", err)
	}
}

// What a webhook keeps is bounded; the latest stays.
func TestWebhookCap(t *testing.T) {
	ws := Webhooks{}
	const u = "https://hooks.example.com/presence"
	_ = ws.Listen(u)
	for i := 0; i < MaxRecorded+5; i++ {
		_, _ = ws.Deliver(context.Background(), graph.Delivery{URL: u, Body: []byte(`{"value":[{"id":"` + strings.Repeat("n", i%3) + `"}]}`)})
	}
	hk := ws[u]
	if len(hk.Received) != MaxRecorded {
		t.Errorf("kept %d notifications, want %d", len(hk.Received), MaxRecorded)
	}
	if _, body, ok := hk.Latest(); !ok || !strings.Contains(string(body), `"`+strings.Repeat("n", (MaxRecorded+4)%3)+`"`) {
		t.Errorf("the latest notification is not the last delivered: %s", body)
	}
}
