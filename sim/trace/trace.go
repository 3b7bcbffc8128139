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
// and source names), so recording allocates nothing but the slice growth.
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

// Trace is the ordered record of a world's changes.
type Trace struct {
	entries []Entry
	off     bool
}

// Record appends an entry unless recording is off.
func (t *Trace) Record(e Entry) {
	if t == nil || t.off {
		return
	}
	t.entries = append(t.entries, e)
}

// SetRecording turns recording on or off (benchmarks measure both).
func (t *Trace) SetRecording(on bool) { t.off = !on }

// Entries returns the recorded entries; the slice is shared, do not modify.
func (t *Trace) Entries() []Entry { return t.entries }

// Len is the number of entries.
func (t *Trace) Len() int { return len(t.entries) }

// Reset drops every entry but keeps the storage.
func (t *Trace) Reset() { t.entries = t.entries[:0] }

// WriteText prints the trace one entry per line.
func (t *Trace) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, e := range t.entries {
		b.Reset()
		e.write(&b)
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
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
	for _, e := range t.entries {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Summary is a one-line count for logs.
func (t *Trace) Summary() string {
	n := 0
	for _, e := range t.entries {
		if e.Kind == PresenceChange {
			n++
		}
	}
	return fmt.Sprintf("%d trace entries, %d presence changes", len(t.entries), n)
}
