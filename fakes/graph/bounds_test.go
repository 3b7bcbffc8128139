package graph

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
)

func TestJournalPages(t *testing.T) {
	j := newJournal(4)
	for i := 0; i < 10; i++ {
		j.add(Entry{Path: string(rune('a' + i))})
	}
	cases := []struct {
		seq           uint64
		max           int
		want          string
		next, dropped uint64
	}{
		{0, 0, "ghij", 10, 6},
		{0, 2, "gh", 8, 6},
		{7, 2, "hi", 9, 0},
		{9, 5, "j", 10, 0},
		{10, 5, "", 10, 0},
		{42, 5, "", 10, 0},
	}
	for _, c := range cases {
		list, next, dropped := j.Page(c.seq, c.max)
		got := ""
		for _, e := range list {
			got += e.Path
		}
		if got != c.want || next != c.next || dropped != c.dropped {
			t.Errorf("Page(%d, %d) = %q, next %d, dropped %d; want %q, %d, %d", c.seq, c.max, got, next, dropped, c.want, c.next, c.dropped)
		}
	}
	if j.Len() != 10 || j.Dropped() != 6 {
		t.Fatalf("Len %d, Dropped %d; want 10 and 6", j.Len(), j.Dropped())
	}
}

// A client that sends megabyte paths without a token must not make the
// journal keep megabytes per request.
func TestJournalCutsLongPaths(t *testing.T) {
	f := newFixture(t, Options{JournalSize: 50})
	long := "/v1.0/users/" + strings.Repeat("é", 512<<10) + "/presence" // 1 MiB of path
	const requests = 80
	for i := 0; i < requests; i++ {
		req := httptest.NewRequest(http.MethodGet, "https://graph.microsoft.com/", nil)
		req.URL.Path = long
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", rec.Code)
		}
	}
	es := f.h.Journal.Entries()
	if len(es) != 50 || f.h.Journal.Dropped() != requests-50 || es[0].Seq != requests-50 {
		t.Fatalf("kept %d from seq %d, dropped %d; want the last 50 of %d", len(es), es[0].Seq, f.h.Journal.Dropped(), requests)
	}
	kept := 0
	for _, e := range es {
		kept += len(e.Path)
		if e.PathBytes != len(long) || !strings.HasSuffix(e.Path, "…") || !strings.HasPrefix(long, strings.TrimSuffix(e.Path, "…")) {
			t.Fatalf("entry %d: path of %d bytes (pathBytes %d) is not a marked cut of the %d-byte path", e.Seq, len(e.Path), e.PathBytes, len(long))
		}
	}
	if kept > 50*(MaxJournalPath+len("…")) {
		t.Fatalf("the journal keeps %d bytes of path for 50 requests", kept)
	}
}

func TestStatusMessageBounds(t *testing.T) {
	f := newFixture(t, Options{})
	tok := f.userToken("alice")
	msg := func(content, expiry string) string {
		b := `{"statusMessage":{"message":{"content":` + strconv.Quote(content) + `,"contentType":"text"}`
		if expiry != "" {
			b += `,"expiryDateTime":{"dateTime":"` + expiry + `","timeZone":"UTC"}`
		}
		return b + `}}`
	}
	cases := []struct {
		name, body string
		status     int
		says       string
	}{
		{"280 two-byte characters", msg(strings.Repeat("é", 280), ""), 200, ""},
		{"280 four-byte characters", msg(strings.Repeat("😀", 280), ""), 200, ""},
		{"281 characters", msg(strings.Repeat("a", 281), ""), 400, "281 characters"},
		{"an expiry in 2100", msg("away", "2100-01-01T00:00:00"), 200, ""},
		{"an expiry in 9999", msg("away", "9999-12-31T00:00:00"), 400, "beyond what presencesim's clock can reach"},
		{"an expiry just past the clock's end", msg("away", "2318-04-15T00:00:00"), 400, "leave expiryDateTime out"},
		{"an expiry in the past", msg("away", "2001-01-01T00:00:00"), 400, "past"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, b, _ := f.do("POST", "/v1.0/me/presence/setStatusMessage", tok, c.body)
			if st != c.status || !strings.Contains(string(b), c.says) {
				t.Fatalf("%d %s; want %d saying %q", st, b, c.status, c.says)
			}
		})
	}
	// What was accepted reads back as set.
	f.do("POST", "/v1.0/me/presence/setStatusMessage", tok, msg("back soon", "2100-01-01T00:00:00"))
	_, b, _ := f.do("GET", "/v1.0/me/presence", tok, "")
	if !strings.Contains(string(b), `"expiryDateTime":{"dateTime":"2100-01-01T00:00:00.0000000"`) {
		t.Fatalf("the expiry set for 2100 reads back as %s", b)
	}
}

func TestDurationBounds(t *testing.T) {
	f := newFixture(t, Options{})
	app, user := f.appToken(), f.userToken("alice")
	cases := []struct {
		name, path, tok, duration string
		status                    int
	}{
		{"setPresence within range", "/v1.0/users/{alice}/presence/setPresence", app, "PT4H", 200},
		{"setPresence beyond G-SET-1", "/v1.0/users/{alice}/presence/setPresence", app, "P1D", 400},
		{"setPresence beyond time.Duration", "/v1.0/users/{alice}/presence/setPresence", app, "P106752D", 400},
		{"preferred for a week", "/v1.0/me/presence/setUserPreferredPresence", user, "P7D", 200},
		{"preferred for a century", "/v1.0/me/presence/setUserPreferredPresence", user, "P36500D", 200},
		{"preferred beyond the parser", "/v1.0/me/presence/setUserPreferredPresence", user, "P36501D", 400},
		{"preferred beyond time.Duration", "/v1.0/me/presence/setUserPreferredPresence", user, "P106752D", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pair := `"availability":"Busy","activity":"InACall"`
			if strings.Contains(c.path, "Preferred") {
				pair = `"availability":"Busy","activity":"Busy"`
			}
			body := `{"sessionId":"` + f.app.AppID + `",` + pair + `,"expirationDuration":"` + c.duration + `"}`
			st, b, _ := f.do("POST", strings.Replace(c.path, "{alice}", f.ids["alice"], 1), c.tok, body)
			if st != c.status {
				t.Fatalf("%d %s; want %d", st, b, c.status)
			}
		})
	}
	// The century of preferred presence ends a century from now: the
	// world's clock did not wrap.
	_ = f.lw.Do(func(w *sim.World) error {
		far := false
		for _, p := range w.Clock.Pending() {
			far = far || p.At.Sub(w.Clock.Now()) >= MaxISODuration-time.Hour
		}
		if !far {
			t.Errorf("no timer a century ahead: %v", w.Clock.Pending())
		}
		return nil
	})
}

// countingReader counts what the handler took from a request body.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// A gzip body that inflates to far more than 1 MiB is refused after 1 MiB
// of it, without inflating the rest.
func TestGzipBombsAreBounded(t *testing.T) {
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 32; i++ { // 32 MiB inflated
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	cases := []struct {
		name   string
		body   []byte
		status int
	}{
		{"32 MiB of zeros", zb.Bytes(), http.StatusRequestEntityTooLarge},
		{"two members", append(append([]byte{}, zb.Bytes()...), zb.Bytes()...), http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cr := &countingReader{r: bytes.NewReader(c.body)}
			req := httptest.NewRequest("POST", "/v1.0/communications/getPresencesByUserId", cr)
			req.Header.Set("Content-Encoding", "gzip")
			body, e := readBody(req)
			if e == nil || e.Status != c.status || len(body) != 0 {
				t.Fatalf("read %d bytes, error %v; want %d", len(body), e, c.status)
			}
			if cr.n > len(zb.Bytes())/4 {
				t.Fatalf("took %d of %d compressed bytes to refuse it", cr.n, len(c.body))
			}
		})
	}
}
