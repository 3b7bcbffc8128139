package graph

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/presencesim/presencesim/sim/clock"
)

// Entry is one request in the journal: what a client asked and what the
// fake answered, on the world's clock.
type Entry struct {
	Seq    uint64     `json:"seq"`
	At     clock.Time `json:"-"`
	Time   time.Time  `json:"time"`
	Method string     `json:"method"`
	Path   string     `json:"path"`
	// PathBytes is the length of a path cut to MaxJournalPath bytes (0 when
	// the path is whole).
	PathBytes int    `json:"pathBytes,omitempty"`
	App       string `json:"app,omitempty"`    // caller's app display name
	AppID     string `json:"appId,omitempty"`  // caller's app id
	User      string `json:"user,omitempty"`   // signed-in user (delegated tokens)
	Target    string `json:"target,omitempty"` // user the request is about
	Status    int    `json:"status"`
	Fault     string `json:"fault,omitempty"` // "throttled", "injected 503", "latency 2s"
	RequestID string `json:"requestId"`
}

// Journal keeps the last requests the fake served, oldest first, in a ring
// so a long served run does not grow without bound.
type Journal struct {
	r ring[Entry]
}

// DefaultJournalSize is how many requests a journal keeps unless told.
const DefaultJournalSize = 100_000

// MaxJournalPath is how much of a request's path the journal keeps: a
// client may send megabytes of path, and the journal keeps thousands.
const MaxJournalPath = 256

func newJournal(size int) *Journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &Journal{r: ring[Entry]{size: size, seq: setEntrySeq}}
}

func setEntrySeq(e *Entry, seq uint64) { e.Seq = seq }

func (j *Journal) add(e Entry) {
	if len(e.Path) > MaxJournalPath {
		e.PathBytes, e.Path = len(e.Path), cutString(e.Path, MaxJournalPath)
	}
	// The method and a short path are slices of the request line, which
	// may be 64 KiB long: kept as they are, they would keep all of it.
	e.Path = strings.Clone(e.Path)
	e.Method = strings.Clone(cutString(e.Method, 32))
	j.r.add(e)
}

// cutString shortens s to at most n bytes at a character boundary and marks
// the cut with "…"; invalid UTF-8 becomes "?".
func cutString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strings.ToValidUTF8(s[:i], "?") + "…"
}

// Entries returns the kept requests, oldest first.
func (j *Journal) Entries() []Entry { return j.Since(0) }

// Since returns every kept request with Seq ≥ seq, oldest first. Page
// bounds the answer.
func (j *Journal) Since(seq uint64) []Entry {
	list, _, _ := j.r.page(seq, 0)
	return list
}

// Page returns at most max kept requests with Seq ≥ seq, oldest first;
// next is the seq to ask for next, dropped how many requests from seq on
// fell out of the journal before they were read.
func (j *Journal) Page(seq uint64, max int) (list []Entry, next, dropped uint64) {
	return j.r.page(seq, max)
}

// Filter returns the kept requests for which keep is true.
func (j *Journal) Filter(keep func(Entry) bool) []Entry {
	var out []Entry
	for _, e := range j.Entries() {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Len is the number of requests served so far (kept or not).
func (j *Journal) Len() uint64 {
	n, _ := j.r.counts()
	return n
}

// Dropped is how many requests fell out of the journal, oldest first.
func (j *Journal) Dropped() uint64 {
	_, lost := j.r.counts()
	return lost
}

// Reset forgets every request.
func (j *Journal) Reset() { j.r.reset() }
