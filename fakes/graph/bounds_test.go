package graph

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
