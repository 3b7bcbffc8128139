package trace

import (
	"fmt"
	"io"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// Kind tells a source change from a change of what others see.
type Kind uint8

const (
	// SourceChange is a change of one input: a client, a calendar entry,
	// an app session, a PBX line.
	SourceChange Kind = iota
	// PresenceChange is a change of the user's aggregated presence.
	PresenceChange
)

// Entry is one line of the trace. Strings are interned by the models (user
// and source names), and the trace keeps each distinct string once, so
// recording allocates nothing but a chunk now and then and the growth of
// its string table.
type Entry struct {
	At     clock.Time
	Kind   Kind
	User   string
	Source string // the source that changed, or that caused the presence change
	Before presence.Presence
	After  presence.Presence
	Rule   string // rule id that decided the value
	Note   string // free text for non-presence sources ("line 1: ringing")
}

// String prints the entry as one line of the text trace.
func (e Entry) String() string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e Entry) write(b *strings.Builder) {
	b.WriteString(e.At.String())
	b.WriteByte(' ')
	b.WriteString(e.User)
	if e.Kind == PresenceChange {
		b.WriteString(" presence ")
	} else {
		b.WriteString(" source ")
	}
	b.WriteString(e.Source)
	b.WriteString(": ")
	if e.Note != "" {
		b.WriteString(e.Note)
	} else {
		b.WriteString(e.Before.String())
		b.WriteString(" -> ")
		b.WriteString(e.After.String())
	}
	if e.Rule != "" {
		b.WriteString(" [")
		b.WriteString(e.Rule)
		b.WriteByte(']')
	}
}

// chunkSize is the number of entries per storage chunk. Chunks never move
// once allocated, so recording a long run costs no copying on growth.
const chunkSize = 8192

// rec is an entry as a chunk stores it: its strings are ids into the
// chunk's string table, so a chunk holds no pointers the collector must
// scan and an append pays no write barrier. 24 bytes, a quarter of an
// Entry.
type rec struct {
	at                       clock.Time
	user, source, rule, note strID
	before, after            presence.Presence
	kind                     Kind
}

// chunk is a run of entries and the table their string ids index.
type chunk struct {
	recs []rec
	tab  *strtab
}

// Trace is the ordered record of a world's changes.
type Trace struct {
	chunks  []chunk
	n       int
	off     bool
	max     int // 0: unbounded
	dropped int
	watch   []func(Entry)
	tab     *strtab // the table new chunks take
	cache   *internCache
}

// Watch calls fn with every entry as it is recorded, kept or not: a
// measurement that outlives the trace's limit sees every change.
func (t *Trace) Watch(fn func(Entry)) { t.watch = append(t.watch, fn) }

// Limit keeps at most about max entries (at least max minus one chunk),
// dropping the oldest, for worlds that live as long as a server does.
func (t *Trace) Limit(max int) {
	t.max = max
	for t.max > 0 && t.n > t.max && len(t.chunks) > 1 {
		t.dropOldest()
	}
}

// Dropped is how many entries Limit has dropped.
func (t *Trace) Dropped() int { return t.dropped }

// dropOldest lets the oldest chunk go, and with it its string table once
// no newer chunk shares it; it returns the chunk's storage for reuse.
func (t *Trace) dropOldest() []rec {
	old := t.chunks[0]
	t.n -= len(old.recs)
	t.dropped += len(old.recs)
	t.chunks[0] = chunk{}
	t.chunks = t.chunks[1:]
	return old.recs[:0]
}

// Record appends an entry unless recording is off.
func (t *Trace) Record(e Entry) {
	if t == nil {
		return
	}
	for _, fn := range t.watch {
		fn(e)
	}
	if t.off {
		return
	}
	last := len(t.chunks) - 1
	if last < 0 || len(t.chunks[last].recs) == chunkSize {
		last = t.grow()
	}
	c := &t.chunks[last]
	c.recs = append(c.recs, rec{
		at: e.At, kind: e.Kind, before: e.Before, after: e.After,
		user: t.id(e.User), source: t.id(e.Source), rule: t.id(e.Rule), note: t.id(e.Note),
	})
	t.n++
}

// grow starts a chunk, dropping the oldest first when the limit says so,
// and returns its index; a limited trace records into the storage of the
// chunk it drops. A chunk takes a fresh string table when the current one
// is full, so that the strings of dropped chunks go with them.
func (t *Trace) grow() int {
	var recs []rec
	if last := len(t.chunks) - 1; t.max > 0 && t.n+chunkSize > t.max && last > 0 {
		recs = t.dropOldest()
	}
	if cap(recs) < chunkSize {
		recs = make([]rec, 0, chunkSize)
	}
	if t.tab == nil || t.tab.full() {
		t.tab = newStrtab()
		if t.cache == nil {
			t.cache = newInternCache()
		} else {
			t.cache.clear()
		}
	}
	t.chunks = append(t.chunks, chunk{recs: recs, tab: t.tab})
	return len(t.chunks) - 1
}

// id is the id of s in the current string table, added if new.
func (t *Trace) id(s string) strID {
	if s == "" {
		return 0
	}
	return t.cache.id(t.tab, s)
}

// entry is a stored entry with its strings back.
func (c *chunk) entry(i int) Entry {
	r := &c.recs[i]
	s := c.tab.strs
	return Entry{At: r.at, Kind: r.kind, User: s[r.user], Source: s[r.source],
		Before: r.before, After: r.after, Rule: s[r.rule], Note: s[r.note]}
}

// SetRecording turns recording on or off (benchmarks measure both).
func (t *Trace) SetRecording(on bool) { t.off = !on }

// Entries returns a copy of the recorded entries in order.
func (t *Trace) Entries() []Entry {
	out := make([]Entry, 0, t.n)
	t.Each(func(e Entry) { out = append(out, e) })
	return out
}

// Each calls fn for every entry in order, without copying.
func (t *Trace) Each(fn func(Entry)) {
	for ci := range t.chunks {
		c := &t.chunks[ci]
		for i := range c.recs {
			fn(c.entry(i))
		}
	}
}

// Len is the number of entries.
func (t *Trace) Len() int { return t.n }

// Reset drops every entry; the first chunk's storage and the string table
// are kept for reuse, emptied.
func (t *Trace) Reset() {
	if len(t.chunks) > 0 {
		clear(t.chunks[1:])
		t.chunks = t.chunks[:1]
		t.chunks[0].recs = t.chunks[0].recs[:0]
		t.tab.reset()
		t.chunks[0].tab = t.tab
		t.cache.clear()
	}
	t.n = 0
}

// WriteText prints the trace one entry per line.
func (t *Trace) WriteText(w io.Writer) error {
	var b strings.Builder
	var err error
	t.Each(func(e Entry) {
		if err != nil {
			return
		}
		b.Reset()
		e.write(&b)
		b.WriteByte('\n')
		_, err = io.WriteString(w, b.String())
	})
	return err
}

// Text returns the whole trace as text.
func (t *Trace) Text() string {
	var b strings.Builder
	_ = t.WriteText(&b)
	return b.String()
}

// Filter returns the entries for which keep is true.
func (t *Trace) Filter(keep func(Entry) bool) []Entry {
	var out []Entry
	t.Each(func(e Entry) {
		if keep(e) {
			out = append(out, e)
		}
	})
	return out
}

// Summary is a one-line count for logs.
func (t *Trace) Summary() string {
	n := 0
	t.Each(func(e Entry) {
		if e.Kind == PresenceChange {
			n++
		}
	})
	return fmt.Sprintf("%d trace entries, %d presence changes", t.n, n)
}
