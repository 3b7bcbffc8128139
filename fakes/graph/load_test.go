package graph

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/presence"
)

var loadRequests = flag.Int("graph.load", 0, "requests of the concurrent load test (default 6,400, 3,200 under -race; the full run is -graph.load=50000)")

// TestConcurrentLoad runs 32 clients of mixed reads and writes against one
// handler: no request is lost, every write shows in the writer's next read,
// and each user's sequenceNumber never goes back.
func TestConcurrentLoad(t *testing.T) {
	const clients = 32
	total := *loadRequests
	if total == 0 {
		// Sized for a shared 2-core machine; run -graph.load=50000 by hand.
		total = 6_400
		if raceOn || testing.Short() {
			total = 3_200
		}
	}
	fx := newFixture(t, Options{Throttle: Throttle{Off: true}})
	ids := make([]string, clients)
	for i := range ids {
		u, err := fx.w.AddUser(fmt.Sprintf("agent%02d", i), "")
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = fx.w.Teams.Dir(u).ID
	}
	tok := fx.appToken()
	before := fx.h.Journal.Len()
	pairs := presence.SetPresencePairs.Pairs
	var served atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	per := total / clients
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(c), 1))
			seen := map[string]string{}
			do := func(method, path, body string) (int, []byte) {
				req := httptest.NewRequest(method, "https://graph.microsoft.com"+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				rec := httptest.NewRecorder()
				fx.h.ServeHTTP(rec, req)
				served.Add(1)
				return rec.Code, rec.Body.Bytes()
			}
			read := func(id string) (presence.Presence, error) {
				code, b := do("GET", "/v1.0/users/"+id+"/presence", "")
				var p struct {
					ID, Availability, Activity, SequenceNumber string
				}
				if code != 200 || json.Unmarshal(b, &p) != nil || p.ID != id {
					return presence.Unknown, fmt.Errorf("GET %s: %d %s", id, code, b)
				}
				if prev := seen[id]; p.SequenceNumber < prev {
					return presence.Unknown, fmt.Errorf("sequenceNumber of %s went back from %s to %s", id, prev, p.SequenceNumber)
				}
				seen[id] = p.SequenceNumber
				return presence.MustParse(p.Availability + "/" + p.Activity), nil
			}
			for i := 0; i < per; i += 2 {
				if rnd.IntN(2) == 0 {
					// write my user, then read it back
					want := pairs[rnd.IntN(len(pairs))]
					body := fmt.Sprintf(`{"sessionId":%q,"availability":%q,"activity":%q,"expirationDuration":"PT1H"}`, fx.app.AppID, want.Availability, want.Activity)
					if code, b := do("POST", "/v1.0/users/"+ids[c]+"/presence/setPresence", body); code != http.StatusOK {
						errs <- fmt.Errorf("client %d: setPresence: %d %s", c, code, b)
						return
					}
					got, err := read(ids[c])
					if err != nil {
						errs <- err
						return
					}
					if got != want {
						errs <- fmt.Errorf("client %d wrote %s and read %s", c, want, got)
						return
					}
				} else {
					for k := 0; k < 2; k++ {
						if _, err := read(ids[rnd.IntN(clients)]); err != nil {
							errs <- err
							return
						}
					}
				}
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := int64(per/2*2) * clients
	if n := served.Load(); n != want || fx.h.Journal.Len()-before != uint64(n) {
		t.Fatalf("served %d requests, the journal recorded %d; want %d", n, fx.h.Journal.Len()-before, want)
	}
	t.Logf("%d requests from %d clients", served.Load(), clients)
}

func benchFixture(b *testing.B) (*fixture, string) {
	fx := newFixture(&testing.T{}, Options{Throttle: Throttle{Off: true}, JournalSize: 4096})
	_ = fx.lw.Do(func(w *sim.World) error {
		id, _ := w.Teams.User("alice")
		return w.Teams.SignIn(id, 0)
	})
	return fx, fx.appToken()
}

// BenchmarkGetPresence measures GET /users/{id}/presence in process, with
// token checking and live aggregation, on all procs.
func BenchmarkGetPresence(b *testing.B) {
	fx, tok := benchFixture(b)
	path := "https://graph.microsoft.com/v1.0/users/" + fx.ids["alice"] + "/presence"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		for pb.Next() {
			rec := discard{h: http.Header{}}
			fx.h.ServeHTTP(&rec, req)
			if rec.code != 200 {
				b.Fatalf("status %d", rec.code)
			}
		}
	})
}

// BenchmarkSetPresence measures setPresence in process.
func BenchmarkSetPresence(b *testing.B) {
	fx, tok := benchFixture(b)
	path := "https://graph.microsoft.com/v1.0/users/" + fx.ids["bob"] + "/presence/setPresence"
	bodies := []string{
		fmt.Sprintf(`{"sessionId":%q,"availability":"Busy","activity":"InACall","expirationDuration":"PT1H"}`, fx.app.AppID),
		fmt.Sprintf(`{"sessionId":%q,"availability":"Away","activity":"Away","expirationDuration":"PT1H"}`, fx.app.AppID),
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", path, strings.NewReader(bodies[i%2]))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := discard{h: http.Header{}}
		fx.h.ServeHTTP(&rec, req)
		if rec.code != 200 {
			b.Fatalf("status %d", rec.code)
		}
	}
}

// discard is a ResponseWriter that keeps only the status, so the benchmark
// measures the handler rather than a recorder's buffer.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(c int)           { d.code = c }
