package served

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
)

// A shutdown lets the request in flight finish, then stops.
func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	srv, err := NewServer(Demo(), Options{Clock: live.Clock{Manual: true}, Wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				close(entered)
				<-release
				_, _ = io.WriteString(w, "finished")
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		body string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := srv.Client().Get(srv.URL + "/slow")
		if err != nil {
			got <- answer{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{body: string(b)}
	}()
	<-entered
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitBound)
		defer cancel()
		done <- srv.Shutdown(ctx)
	}()
	// new connections are refused once the shutdown has begun
	waitFor(t, func() (bool, string) {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
		_, err := c.Get(srv.URL + "/_presencesim/clock")
		return err != nil, "the server still accepts new requests while shutting down"
	})
	close(release)
	if a := <-got; a.err != nil || a.body != "finished" {
		t.Fatalf("the request in flight was cut: %q %v", a.body, a.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// A control event answers without waiting for any subscriber: a webhook
// that holds its notification does not hold the event's answer.
func TestEventsDoNotWaitForDeliveries(t *testing.T) {
	// Deliveries may take longer than the webhook holds on, so an answer
	// that waited for them would come only after the webhook gave up.
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}, Graph: graph.Options{Notify: graph.NotifySettings{DeliveryTimeout: 3 * waitBound}}})
	base := srv.URL
	release := make(chan struct{})
	var held, gaveUp atomic.Bool
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("validationToken"); tok != "" {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, tok)
			return
		}
		held.Store(true)
		select {
		case <-release:
		case <-time.After(waitBound):
			gaveUp.Store(true)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer hook.Close()
	defer close(release)
	var wv worldResp
	call(t, "GET", base+"/_presencesim/world", "", "", &wv)
	ten, app := wv.Tenants[0], wv.Tenants[0].Apps[0]
	tok := passwordToken(t, http.DefaultClient, base, ten.ID, app.AppID, ten.Users[2].UPN, "carol-pw")
	alice := ten.Users[0].ID
	body := `{"changeType":"updated","notificationUrl":"` + hook.URL + `/n","resource":"communications/presences/` + alice + `","expirationDateTime":"2026-01-05T09:30:00Z"}`
	if st := call(t, "POST", base+"/v1.0/subscriptions", tok, body, nil); st != 201 {
		t.Fatalf("subscription: %d", st)
	}
	call(t, "POST", base+"/_presencesim/events", "", `{"event":"lock","user":"alice"}`, nil)
	waitFor(t, func() (bool, string) { return held.Load(), "the notification never reached the webhook" })
	// the webhook now holds the first notification; a second event
	// answers all the same
	if st := call(t, "POST", base+"/_presencesim/events", "", `{"event":"unlock","user":"alice"}`, nil); st != 200 {
		t.Fatalf("second event: %d", st)
	}
	if gaveUp.Load() {
		t.Fatal("the event was answered only after the webhook gave up holding the notification")
	}
}
