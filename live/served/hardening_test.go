package served

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/live/certs"
)

func serveWith(t *testing.T, opt Options) *Server {
	t.Helper()
	srv, err := NewServer(Demo(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, c *http.Client, u string, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A public server's control API shows every secret: it wants the token.
func TestControlTokenIsRequiredWhenSet(t *testing.T) {
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}, ControlToken: "s3cret"})
	cases := []struct {
		name, auth string
		want       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"other scheme", "Basic s3cret", http.StatusUnauthorized},
		{"token", "Bearer s3cret", http.StatusOK},
		{"scheme in lower case", "bearer s3cret", http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := get(t, srv.Client(), srv.URL+"/_presencesim/world", map[string]string{"Authorization": c.auth})
			if st != c.want {
				t.Fatalf("status %d, want %d: %s", st, c.want, body)
			}
			if st == http.StatusUnauthorized && strings.Contains(body, "clientSecret") {
				t.Fatal("a refused request was shown secrets")
			}
		})
	}
}

func TestControlRefusesBadInput(t *testing.T) {
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}})
	post := func(path, body string) (int, string) {
		resp, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cases := []struct {
		name, path, body string
		want             int
		says             string
	}{
		{"a jump to a far day", "/_presencesim/clock", `{"to":"day 99999999999 09:00"}`, 400, "malformed time"},
		{"a jump beyond a year", "/_presencesim/clock", `{"advance":"9000h"}`, 400, "at most"},
		{"back in time", "/_presencesim/clock", `{"to":"08:00"}`, 400, "cannot go back"},
		{"unknown field", "/_presencesim/clock", `{"advanse":"1m"}`, 400, "unknown field"},
		{"a body too large", "/_presencesim/events", `{"event":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "larger than"},
		{"an unknown event", "/_presencesim/events", `{"event":"dance","user":"alice"}`, 400, "unknown event"},
		{"a POST to the journal", "/_presencesim/journal", ``, 405, "use GET"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := post(c.path, c.body)
			if st != c.want || !strings.Contains(body, c.says) {
				t.Fatalf("status %d %s; want %d saying %q", st, body, c.want, c.says)
			}
		})
	}
	if st, body := get(t, srv.Client(), srv.URL+"/_presencesim/journal?max=100000", nil); st != 400 || !strings.Contains(body, "page size") {
		t.Errorf("a journal page of 100000: %d %s", st, body)
	}
	if st, body := get(t, srv.Client(), srv.URL+"/_presencesim/journal?since=-1", nil); st != 400 {
		t.Errorf("a journal from -1: %d %s", st, body)
	}
}

// startCall answers every participant's explanation, not null.
func TestStartCallAnswersTheParticipants(t *testing.T) {
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}})
	resp, err := srv.Client().Post(srv.URL+"/_presencesim/events", "application/json", strings.NewReader(`{"event":"startCall","users":["alice","bob"]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []explainJSON
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out) != 2 {
		t.Fatalf("startCall answered %v, %+v", err, out)
	}
	for _, e := range out {
		if e.Availability != "Busy" || e.Activity != "InACall" {
			t.Errorf("%s after startCall: %s/%s", e.User, e.Availability, e.Activity)
		}
	}
}

// Connections beyond the cap are closed at once; the server keeps
// answering the others.
func TestConnectionsAreCapped(t *testing.T) {
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}, Limits: Limits{MaxConns: 4}})
	addr := strings.TrimPrefix(srv.URL, "http://")
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := 0; i < 4; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// the fifth is accepted and closed: a read sees EOF, not a hang
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(waitBound))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("a connection over the cap read %v, want EOF", err)
	}
	if srv.Refused() < 1 {
		t.Errorf("refused %d connections", srv.Refused())
	}
	held[0].Close()
	held = held[1:]
	waitFor(t, func() (bool, string) {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: waitBound}
		resp, err := c.Get(srv.URL + "/_presencesim/clock")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
}

// A client that sends its headers slowly is cut off after
// ReadHeaderTimeout; one that never sends is cut off after IdleTimeout.
func TestSlowClientsAreCutOff(t *testing.T) {
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}, Limits: Limits{ReadHeaderTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond}})
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /_presencesim/clock HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(waitBound))
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	// net/http answers 408 or just closes; either way the server ends it
	if err == nil && !strings.Contains(line, "408") {
		t.Fatalf("a request with unfinished headers got %q", line)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("the server did not end the slow request: %v", err)
	}
}

// HTTPS with a CA of the process's own: the client that trusts it gets
// in, one that does not is refused by its own TLS stack.
func TestServesHTTPS(t *testing.T) {
	ca, err := certs.NewCA("presencesim test")
	if err != nil {
		t.Fatal(err)
	}
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}, CA: ca})
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %s", srv.URL)
	}
	var w worldView
	st, body := get(t, srv.Client(), srv.URL+"/_presencesim/world", nil)
	if st != 200 || json.Unmarshal([]byte(body), &w) != nil || !strings.HasPrefix(w.Tenants[0].TokenEndpoint, "https://") {
		t.Fatalf("world over HTTPS: %d %s", st, body)
	}
	_, err = http.Get(srv.URL + "/_presencesim/world")
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Fatalf("a client without the CA: %v", err)
	}
}

// As an HTTPS proxy the server answers for Microsoft's host names and
// refuses every other destination.
func TestInterceptsMicrosoftHosts(t *testing.T) {
	ca, err := certs.NewCA("presencesim test")
	if err != nil {
		t.Fatal(err)
	}
	srv := serveWith(t, Options{Clock: live.Clock{Manual: true}, CA: ca, Intercept: MicrosoftHosts})
	pu, _ := url.Parse(srv.URL)
	c := &http.Client{Timeout: waitBound, Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: ca.ClientTLS()}}
	st, body := get(t, c, "https://graph.microsoft.com/v1.0/me/presence", nil)
	if st != http.StatusUnauthorized || !strings.Contains(body, "InvalidAuthenticationToken") {
		t.Fatalf("graph.microsoft.com through the proxy: %d %s", st, body)
	}
	resp, err := c.PostForm("https://login.microsoftonline.com/contoso/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "AADSTS") {
		t.Fatalf("login.microsoftonline.com through the proxy: %d %s", resp.StatusCode, b)
	}
	if _, err := c.Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("example.com through the proxy: %v", err)
	}
}

// A served world that follows the wall starts at the wall's present, so
// the connector's clock and the world's agree.
func TestStartTime(t *testing.T) {
	wall := func() time.Time { return time.Date(2026, 12, 1, 19, 50, 0, 0, time.UTC) }
	cases := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"now", "2026-12-01T19:50:00Z", false},
		{"09:00", "2026-01-05T09:00:00Z", false},
		{"day 2 09:30", "2026-01-06T09:30:00Z", false},
		{"day 99999999999 09:00", "", true},
		{"25:00", "", true},
		{"9:00 tomorrow", "", true},
	}
	for _, c := range cases {
		got, err := StartTime(c.in, wall)
		if (err != nil) != c.wantErr {
			t.Errorf("%q: error %v", c.in, err)
			continue
		}
		if err == nil && got.Wall().Format(time.RFC3339) != c.want {
			t.Errorf("%q starts at %s; want %s", c.in, got.Wall().Format(time.RFC3339), c.want)
		}
	}
	if _, err := StartTime("now", func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }); err == nil {
		t.Error("a wall clock before the first day was accepted")
	}
}
