package graph

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseISODuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"PT5M", 5 * time.Minute, true},
		{"PT1H30M", 90 * time.Minute, true},
		{"PT4H", 4 * time.Hour, true},
		{"P1D", 24 * time.Hour, true},
		{"P1DT2H", 26 * time.Hour, true},
		{"PT90S", 90 * time.Second, true},
		{"PT0.5S", 500 * time.Millisecond, true},
		{"pt8h", 8 * time.Hour, true},
		{"P1W", 7 * 24 * time.Hour, true},
		{"PT1,5H", 90 * time.Minute, true},
		{"", 0, false},
		{"P", 0, false},
		{"PT", 0, false},
		{"5M", 0, false},
		{"PT5", 0, false},
		{"P1Y", 0, false},
		{"P1M", 0, false},
		{"PT1D", 0, false},
		{"P1H", 0, false},
		{"-PT5M", 0, false},
		{"PTT5M", 0, false},
		{"PT0.3S", 300 * time.Millisecond, true},
		{"P36500D", MaxISODuration, true},
		{"P5214W2D", MaxISODuration, true},
		{"P36500DT0.000001S", 0, false},
		{"P36501D", 0, false},
		{"P106752D", 0, false}, // beyond time.Duration: used to read as negative
		{"P1000000W", 0, false},
		{"PT9223372036.854775807S", 0, false},
		{"PT153722867280912930H", 0, false},
		{"P36000DT" + strings.Repeat("9", 400) + "S", 0, false},
		{"P30000DT240000H", 0, false}, // each part fits, the sum does not
	}
	for _, c := range cases {
		got, err := ParseISODuration(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseISODuration(%q) = %s, %v; want %s, ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "PT5M") {
			t.Errorf("the error for %q does not show a valid example: %v", c.in, err)
		}
	}
}

func TestJournalKeepsTheLatestInOrder(t *testing.T) {
	j := newJournal(3)
	for i := 0; i < 5; i++ {
		j.add(Entry{Path: string(rune('a' + i))})
	}
	got := ""
	for _, e := range j.Entries() {
		got += e.Path
	}
	if got != "cde" || j.Len() != 5 {
		t.Fatalf("a journal of 3 after 5 requests keeps cde of 5; got %q of %d", got, j.Len())
	}
	if s := j.Since(4); len(s) != 1 || s[0].Path != "e" || s[0].Seq != 4 {
		t.Fatalf("Since(4) = %+v", s)
	}
}

func TestThrottleWindowOnTheWorldClock(t *testing.T) {
	f := newFixture(t, Options{Throttle: Throttle{Limit: 2, Window: 10 * time.Second}})
	tok := f.appToken()
	path := "/v1.0/users/" + f.ids["alice"] + "/presence"
	var got []int
	for i := 0; i < 3; i++ {
		st, _, _ := f.do("GET", path, tok, "")
		got = append(got, st)
	}
	_, _, h := f.do("GET", path, tok, "")
	if got[0] != 200 || got[1] != 200 || got[2] != http.StatusTooManyRequests || h.Get("Retry-After") != "10" {
		t.Fatalf("limit 2 per 10 s: statuses %v, Retry-After %q", got, h.Get("Retry-After"))
	}
	_ = f.lw.Advance(10 * time.Second)
	if st, _, _ := f.do("GET", path, tok, ""); st != 200 {
		t.Fatalf("a new window serves again; got %d", st)
	}
}

func TestTokensCarryPermissions(t *testing.T) {
	f := newFixture(t, Options{})
	c, err := f.h.Entra().Verify(f.appToken())
	if err != nil || c.Delegated() || !c.Has(PresenceReadWriteAll) || c.Has(PresenceReadWrite) {
		t.Fatalf("app token claims: %+v, %v", c, err)
	}
	c, err = f.h.Entra().Verify(f.userToken("bob"))
	if err != nil || !c.Delegated() || !c.Has(PresenceReadWrite) || c.Has(PresenceReadWriteAll) || c.Oid != f.ids["bob"] {
		t.Fatalf("delegated token claims: %+v, %v", c, err)
	}
	if _, err := f.h.Entra().Verify(f.appToken() + "x"); err == nil {
		t.Fatal("a token with a changed signature verifies")
	}
}

func TestGzipRequestBodies(t *testing.T) {
	f := newFixture(t, Options{})
	tok := f.appToken()
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = zw.Write([]byte(`{"sessionId":"` + f.app.AppID + `","availability":"Away","activity":"Away"}`))
	_ = zw.Close()
	cases := []struct {
		name, encoding string
		body           []byte
		status         int
	}{
		{"gzip", "gzip", zb.Bytes(), 200},
		{"broken gzip", "gzip", []byte("not gzip"), 400},
		{"unknown encoding", "br", zb.Bytes(), 415},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("POST", "https://graph.microsoft.com/v1.0/users/"+f.ids["alice"]+"/presence/setPresence", bytes.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Encoding", c.encoding)
		resp, err := f.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}
}
