package served

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
)

// maxRSS is what the process may hold, attacker and server together.
const maxRSS = 256 << 20

// probeBound is how long a normal request may take during an attack; the
// race detector slows every request several times over.
var probeBound = map[bool]time.Duration{false: 3 * time.Second, true: 15 * time.Second}[raceOn]

// memSnap is the process's memory: the heap in use after a collection, the
// resident set and its peak.
type memSnap struct{ heap, rss, peak uint64 }

func (m memSnap) String() string {
	return fmt.Sprintf("heap %.1f MB, RSS %.1f MB (peak %.1f MB)", float64(m.heap)/(1<<20), float64(m.rss)/(1<<20), float64(m.peak)/(1<<20))
}

// memStart returns freed memory to the system and restarts the peak, so
// that what follows is measured on its own.
func memStart(t *testing.T) memSnap {
	debug.FreeOSMemory()
	// writing 5 to clear_refs restarts VmHWM (Linux 4.0 and later)
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("the peak RSS cannot be restarted (%v): it counts from the start of the process", err)
	}
	return memNow()
}

func memNow() memSnap {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memSnap{heap: ms.HeapInuse}
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || k != "VmRSS" && k != "VmHWM" {
			continue
		}
		kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if k == "VmRSS" {
			m.rss = kb << 10
		} else {
			m.peak = kb << 10
		}
	}
	return m
}

// probeOnce asks the clock as a normal client does.
func probeOnce(c *http.Client, base string) (time.Duration, error) {
	t0 := time.Now()
	resp, err := c.Get(base + "/_presencesim/clock")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET clock: %s", resp.Status)
	}
	return time.Since(t0), nil
}

// prober asks the clock over and over while an attack runs.
type prober struct {
	stop  chan struct{}
	done  chan struct{}
	n     int
	worst time.Duration
	err   error
}

func startProber(c *http.Client, base string) *prober {
	p := &prober{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			d, err := probeOnce(c, base)
			if err != nil && p.err == nil {
				p.err = err
			}
			p.n++
			p.worst = max(p.worst, d)
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// finish stops the prober and fails the test if the server did not answer
// within probeBound meanwhile.
func (p *prober) finish(t *testing.T) {
	t.Helper()
	close(p.stop)
	<-p.done
	t.Logf("during the attack: %d probes, slowest %s", p.n, p.worst.Round(time.Microsecond))
	if p.err != nil {
		t.Errorf("the server did not answer a normal request during the attack: %v", p.err)
	}
	if p.worst > probeBound {
		t.Errorf("a normal request took %s during the attack; at most %s", p.worst, probeBound)
	}
}

func probeClient() *http.Client {
	return &http.Client{Timeout: probeBound, Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
}

// judgeMemory logs the memory before and after and fails when the peak
// RSS since memStart passed maxRSS or the heap kept more than keep bytes.
// The race detector's shadow memory swells RSS many times over, so under
// it the heap in use stands in for RSS.
func judgeMemory(t *testing.T, before memSnap, keep uint64) {
	t.Helper()
	after := memNow()
	// a handler may still hold its request a moment after its answer went
	// out; wait for the heap to settle, within a bound
	for deadline := time.Now().Add(waitBound); keep > 0 && after.heap > before.heap+keep && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		after = memNow()
	}
	t.Logf("memory before: %s", before)
	t.Logf("memory after:  %s", after)
	switch {
	case raceOn && after.heap > maxRSS:
		t.Errorf("heap %.1f MB after the attack; at most %d MB", float64(after.heap)/(1<<20), maxRSS>>20)
	case !raceOn && max(after.rss, after.peak) > maxRSS:
		t.Errorf("RSS %.1f MB after the attack, at the peak %.1f MB; at most %d MB", float64(after.rss)/(1<<20), float64(after.peak)/(1<<20), maxRSS>>20)
	}
	if keep > 0 && after.heap > before.heap+keep {
		t.Errorf("the heap kept %.1f MB after the attack; at most %.1f MB", float64(after.heap-before.heap)/(1<<20), float64(keep)/(1<<20))
	}
}

// attackServer serves wf on a manual clock: only the attack moves it.
func attackServer(t *testing.T, wf WorldFile, opt Options) *Server {
	t.Helper()
	opt.Clock = live.Clock{Manual: true}
	srv, err := NewServer(wf, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// subscriberWorld has a target everyone watches and 100 users who sign in
// through five apps: 500 pairs of user and app, each allowed one
// subscription.
func subscriberWorld() WorldFile {
	users := []User{{Name: "target", SignedIn: []string{"desktop"}}}
	for i := range 100 {
		users = append(users, User{Name: fmt.Sprintf("s%03d", i)})
	}
	var apps []App
	for i := range 5 {
		apps = append(apps, App{DisplayName: fmt.Sprintf("watcher %d", i), ApplicationPermissions: []string{graph.PresenceReadAll},
			DelegatedPermissions: []string{graph.PresenceReadAll}})
	}
	return WorldFile{Seed: 3, Start: "09:00", Tenants: []Tenant{{Name: "contoso", Users: users, Apps: apps}}}
}

// TestAttacks runs hostile clients against a served world, each attack
// with its own server: the process stays under maxRSS and the server keeps
// answering a normal request.
func TestAttacks(t *testing.T) {
	sink := captureLog(t)

	t.Run("subscriptions to a closed port", func(t *testing.T) {
		// Graph's back-off (1, 2, 4, 8, then every 10 minutes) for 4 hours
		// allows 1+4+23 attempts of one notification; keptAttempts is the
		// record a served fake may hold of them.
		const keptAttempts, attemptsPerNote = 10_000, 28
		srv := attackServer(t, subscriberWorld(), Options{})
		c := srv.Client()
		var v worldView
		if st, b := get(t, c, srv.URL+"/_presencesim/world", nil); st != 200 || jsonInto(b, &v) != nil {
			t.Fatalf("world: %d %s", st, b)
		}
		ten := v.Tenants[0]
		ids := map[string]string{}
		var upns []string
		for _, u := range ten.Users {
			ids[u.Name] = u.ID
			if u.Name != "target" {
				upns = append(upns, u.UserPrincipalName)
			}
		}
		hook := newWebhook(t)
		before := memStart(t)
		var now clockView
		if _, b := get(t, c, srv.URL+"/_presencesim/clock", nil); jsonInto(b, &now) != nil {
			t.Fatal(b)
		}
		body := `{"changeType":"updated","notificationUrl":"` + hook.URL + `/n","resource":"communications/presences/` + ids["target"] +
			`","expirationDateTime":"` + now.Now.Add(59*time.Minute).UTC().Format(time.RFC3339) + `"}`
		made := 0
		for _, a := range ten.Apps {
			for _, upn := range upns {
				tok := passwordToken(t, c, srv.URL, ten.ID, a.AppID, upn, strings.Split(upn, "@")[0]+"-pw")
				if st := call(t, "POST", srv.URL+"/v1.0/subscriptions", tok, body, nil); st != http.StatusCreated {
					t.Fatalf("subscription %d: %d", made, st)
				}
				made++
			}
		}
		hook.Close() // from here on nothing listens at the notification URL
		p := startProber(probeClient(), srv.URL)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		for i := range 25 {
			ev := []string{"lock", "unlock"}[i%2]
			postJSON(t, c, srv.URL+"/_presencesim/events", `{"event":"`+ev+`","user":"target"}`, http.StatusOK)
			postJSON(t, c, srv.URL+"/_presencesim/clock", `{"advance":"10m"}`, http.StatusOK)
			srv.Graph().Flush(ctx)
		}
		p.finish(t)
		notes := srv.Graph().Notices()
		most := 0
		for _, n := range notes {
			most = max(most, n.Attempt)
		}
		t.Logf("%d subscriptions; %d delivery attempts kept, at most %d of one notification", made, len(notes), most)
		if len(notes) > keptAttempts {
			t.Errorf("the fake keeps %d delivery attempts; at most %d", len(notes), keptAttempts)
		}
		if most > attemptsPerNote {
			t.Errorf("a notification was attempted %d times; Graph's back-off allows %d", most, attemptsPerNote)
		}
		if _, err := probeOnce(probeClient(), srv.URL); err != nil {
			t.Errorf("after the attack: %v", err)
		}
		judgeMemory(t, before, 0)
	})

	t.Run("1 MB paths", func(t *testing.T) {
		srv := attackServer(t, Demo(), Options{})
		before := memStart(t)
		jBefore := srv.Graph().Journal.Len()
		p := startProber(probeClient(), srv.URL)
		statuses := longPaths(t, srv, 400, 1<<20)
		p.finish(t)
		t.Logf("answers to 400 requests with a 1 MB path: %v; journal grew by %d", statuses, srv.Graph().Journal.Len()-jBefore)
		if statuses[0] == 400 {
			t.Errorf("no request with a 1 MB path was answered")
		}
		for st := range statuses {
			if st >= 500 {
				t.Errorf("a request with a 1 MB path was answered %d", st)
			}
		}
		judgeMemory(t, before, 8<<20)
	})

	t.Run("paths just under the header limit", func(t *testing.T) {
		srv := attackServer(t, Demo(), Options{})
		before := memStart(t)
		p := startProber(probeClient(), srv.URL)
		statuses := longPaths(t, srv, 400, DefaultLimits.MaxHeaderBytes-1024)
		p.finish(t)
		longest := 0
		for _, e := range srv.Graph().Journal.Entries() {
			longest = max(longest, len(e.Path))
		}
		t.Logf("answers to 400 requests with a %d KB path: %v; longest path in the journal %d bytes", DefaultLimits.MaxHeaderBytes>>10-1, statuses, longest)
		if longest > 1024 {
			t.Errorf("the journal keeps %d bytes of a path; at most 1024", longest)
		}
		judgeMemory(t, before, 8<<20)
	})

	t.Run("2,000 idle keep-alive connections", func(t *testing.T) {
		const attackers, maxConns = 2000, 256
		srv := attackServer(t, Demo(), Options{Limits: Limits{MaxConns: maxConns}})
		before := memStart(t)
		// a client that was connected before the flood keeps its connection
		probe := probeClient()
		if _, err := probeOnce(probe, srv.URL); err != nil {
			t.Fatal(err)
		}
		p := startProber(probe, srv.URL)
		addr := strings.TrimPrefix(srv.URL, "http://")
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		closed := 0
		for range attackers {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatalf("dialing attacker %d: %v", len(held)+closed, err)
			}
			_ = c.SetDeadline(time.Now().Add(waitBound))
			if _, err := io.WriteString(c, "GET /_presencesim/clock HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				c.Close()
				closed++
				continue
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				c.Close()
				closed++
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			_ = c.SetDeadline(time.Time{})
			held = append(held, c) // answered, now idle on keep-alive
		}
		p.finish(t)
		t.Logf("%d connections answered and held idle, %d closed at once; the server counts %d refused", len(held), closed, srv.Refused())
		if len(held) > maxConns-1 {
			t.Errorf("%d idle connections held beside the probe's; the cap is %d", len(held), maxConns)
		}
		if srv.Refused() < int64(closed) || closed < attackers-maxConns {
			t.Errorf("%d connections closed, %d counted refused; want at least %d", closed, srv.Refused(), attackers-maxConns)
		}
		for _, c := range held {
			c.Close()
		}
		held = nil
		waitFor(t, func() (bool, string) {
			_, err := probeOnce(&http.Client{Timeout: probeBound, Transport: &http.Transport{DisableKeepAlives: true}}, srv.URL)
			return err == nil, fmt.Sprintf("a new client after the flood: %v", err)
		})
		judgeMemory(t, before, 0)
	})

	t.Run("10 MB token request bodies", func(t *testing.T) {
		srv := attackServer(t, Demo(), Options{})
		before := memStart(t)
		p := startProber(probeClient(), srv.URL)
		const size = 10 << 20
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// the body is made as it is sent, so that the heap measures
				// the server, not the attacker
				form := "grant_type=client_credentials&client_id=nobody&scope=x&pad="
				body := io.LimitReader(io.MultiReader(strings.NewReader(form), repeatByte('a')), size)
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/contoso/oauth2/v2.0/token", body)
				req.ContentLength = size
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
				st := 0
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					st = resp.StatusCode
				}
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		p.finish(t)
		t.Logf("answers to 4 concurrent 10 MB token requests: %v", statuses)
		for st := range statuses {
			if st < 400 || st >= 500 {
				t.Errorf("a 10 MB token request was answered %d; want a 4xx refusal", st)
			}
		}
		judgeMemory(t, before, 8<<20)
	})

	t.Run("PBX events after the largest id", func(t *testing.T) {
		srv := attackServer(t, Demo(), Options{})
		c := srv.Client()
		before := memStart(t)
		// with one event in the journal the replay has something to index
		postJSON(t, c, srv.URL+"/pbx/users/alice/lines/deskphone", `{"event":"offhook"}`, http.StatusOK)
		for _, q := range []string{"?after=18446744073709551615", "?after=18446744073709551614"} {
			st, b := get(t, c, srv.URL+"/pbx/events"+q, nil)
			if st != http.StatusOK && st != http.StatusBadRequest || !strings.HasPrefix(strings.TrimSpace(b), "{") {
				t.Errorf("GET /pbx/events%s: %d %s; want a JSON answer, 200 or 400", q, st, truncate(b, 200))
			}
		}
		if s := sink.String(); strings.Contains(s, "panic") {
			t.Errorf("the server panicked:\n%s", truncate(s, 2000))
		}
		if _, err := probeOnce(probeClient(), srv.URL); err != nil {
			t.Errorf("after the attack: %v", err)
		}
		judgeMemory(t, before, 0)
	})

	t.Run("slowloris", func(t *testing.T) {
		const slow, timeout = 64, time.Second
		if DefaultLimits.ReadHeaderTimeout <= 0 || DefaultLimits.ReadHeaderTimeout > 30*time.Second {
			t.Errorf("DefaultLimits.ReadHeaderTimeout %s: a slow client holds a connection that long", DefaultLimits.ReadHeaderTimeout)
		}
		srv := attackServer(t, Demo(), Options{Limits: Limits{ReadHeaderTimeout: timeout}})
		before := memStart(t)
		p := startProber(probeClient(), srv.URL)
		addr := strings.TrimPrefix(srv.URL, "http://")
		cut := make(chan time.Duration, slow)
		for range slow {
			go func() { cut <- slowloris(addr, 100*time.Millisecond, 100) }()
		}
		worst := time.Duration(0)
		for range slow {
			worst = max(worst, <-cut)
		}
		p.finish(t)
		t.Logf("%d clients sending a header byte per 100 ms: the last was cut off after %s", slow, worst.Round(time.Millisecond))
		if worst > timeout+2*time.Second {
			t.Errorf("a slow client kept its connection %s; ReadHeaderTimeout is %s", worst, timeout)
		}
		judgeMemory(t, before, 0)
	})

}

// repeatByte reads as the byte repeated without end.
type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// longPaths sends n unauthenticated GETs with a path of size bytes from 50
// connections at a time (net/http waits half a second before it closes one
// it refused); it returns the statuses (0: no answer).
func longPaths(t *testing.T, srv *Server, n, size int) map[int]int {
	t.Helper()
	path := "/v1.0/" + strings.Repeat("p", size)
	req := "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	addr := strings.TrimPrefix(srv.URL, "http://")
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	const par = 50
	for w := range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += par {
				st := 0
				if c, err := net.Dial("tcp", addr); err == nil {
					_ = c.SetDeadline(time.Now().Add(waitBound))
					// the server may answer and close before it read it all
					go func() { _, _ = io.WriteString(c, req) }()
					if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						st = resp.StatusCode
					}
					c.Close()
				}
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return statuses
}

// slowloris sends a request line, then one header byte per every, at most
// n bytes, and returns when the server ends the connection.
func slowloris(addr string, every time.Duration, n int) time.Duration {
	t0 := time.Now()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 0
	}
	defer c.Close()
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		_ = c.SetReadDeadline(time.Now().Add(waitBound))
		_, _ = io.Copy(io.Discard, c) // a 408 or nothing, then EOF
	}()
	if _, err := io.WriteString(c, "GET /_presencesim/clock HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
		return time.Since(t0)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for range n {
		select {
		case <-ended:
			return time.Since(t0)
		case <-tick.C:
			if _, err := c.Write([]byte{'z'}); err != nil {
				<-ended
				return time.Since(t0)
			}
		}
	}
	<-ended
	return time.Since(t0)
}

func jsonInto(b string, v any) error { return json.Unmarshal([]byte(b), v) }

func postJSON(t *testing.T, c *http.Client, u, body string, want int) string {
	t.Helper()
	resp, err := c.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s %s: %d %s", u, body, resp.StatusCode, b)
	}
	return string(b)
}

func passwordToken(t *testing.T, c *http.Client, base, tenant, app, upn, pw string) string {
	t.Helper()
	resp, err := c.PostForm(base+"/"+tenant+"/oauth2/v2.0/token", url.Values{"grant_type": {"password"}, "client_id": {app},
		"username": {upn}, "password": {pw}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("password token for %s: %d %s", upn, resp.StatusCode, b)
	}
	return tok.AccessToken
}
