package connector

import (
	"context"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/presence"
)

// TestHTTPClientKeepsAConnectionPerWriter checks that a connector's writers
// each keep their own HTTP/1.1 connection from one pass to the next: no
// handshake per request (Go's default transport keeps two idle
// connections), and no single HTTP/2 connection that all answers wait
// their turn on. Each round holds every request in the handler until all
// writers are in, so the rounds really run writers at once.
func TestHTTPClientKeepsAConnectionPerWriter(t *testing.T) {
	var (
		mu      sync.Mutex
		opened  int
		in      int
		release = make(chan struct{})
		protos  = map[int]int{}
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		protos[r.ProtoMajor]++
		in++
		ch := release
		if in == writers {
			close(release)
			in, release = 0, make(chan struct{})
		}
		mu.Unlock()
		select {
		case <-ch:
		case <-r.Context().Done():
		}
	}))
	srv.EnableHTTP2 = true // the server offers h2; the client must not take it
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			opened++
			mu.Unlock()
		}
	}
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	hc, err := Env{CAFile: ca}.HTTPClient(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 4
	for round := range rounds {
		errs := make(chan error, writers)
		for range writers {
			go func() {
				resp, err := hc.Get(srv.URL)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				errs <- err
			}()
		}
		for range writers {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round+1, err)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if protos[1] != rounds*writers {
		t.Errorf("requests by HTTP major version: %v; want all %d on HTTP/1.1", protos, rounds*writers)
	}
	if opened != writers {
		t.Errorf("%d connections opened for %d rounds of %d writers at once; want %d, kept alive from round to round", opened, rounds, writers, writers)
	}
}

// TestDueKeysPutChangesFirst checks the order of a pass: users whose
// state changed (in name order), then the refreshes that fell due (in
// name order), and none that needs nothing.
func TestDueKeysPutChangesFirst(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	busy := presence.Of(presence.Busy, presence.InACall)
	avail := presence.Of(presence.Available, presence.ActAvailable)
	c := newCloudLink()
	c.opt.Refresh = 100 * time.Second
	c.graph = &graphClient{pace: NewPacer(func() time.Time { return now })}
	held := func(age time.Duration) *clUser {
		return &clUser{write: true, pair: busy, session: true, written: busy, lastWrite: now.Add(-age)}
	}
	c.users = map[string]*clUser{
		"a-refresh": held(101 * time.Second),
		"b-fresh":   held(10 * time.Second),
		"c-dirty":   {dirty: true, write: true, pair: busy},
		"d-clear":   {write: false, session: true, written: busy},
		"e-idle":    {write: false},
		"f-differs": {write: true, pair: avail, session: true, written: busy, lastWrite: now},
		"g-refresh": held(100 * time.Second),
		"h-new":     {write: true, pair: busy},
	}
	want := []string{"c-dirty", "d-clear", "f-differs", "h-new", "a-refresh", "g-refresh"}
	if got := c.dueKeys(); !slices.Equal(got, want) {
		t.Errorf("a pass reconciles %v; want %v: changes first, then refreshes, each in name order", got, want)
	}
}

// TestReconcilePassKeepsTheOrderOfItsKeys checks that one writer takes the
// keys in the order given, so that changes put first go first.
func TestReconcilePassKeepsTheOrderOfItsKeys(t *testing.T) {
	keys := []string{"z", "b", "y", "a"}
	var got []string
	reconcilePass(context.Background(), 1, func() []string { return keys }, func(_ context.Context, k string) { got = append(got, k) })
	if !slices.Equal(got, keys) {
		t.Errorf("reconciled %v; want %v", got, keys)
	}
}
