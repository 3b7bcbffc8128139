package trace

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// liveStrings counts the strings held by the tables of the kept chunks,
// each table once.
func liveStrings(t *Trace) (strs, bytes int) {
	seen := map[*strtab]bool{}
	for _, c := range t.chunks {
		if !seen[c.tab] {
			seen[c.tab] = true
			strs += len(c.tab.strs)
			bytes += c.tab.bytes
		}
	}
	return strs, bytes
}

// Every entry reads back as it was recorded, whatever its strings: the
// same name from other bytes, names that differ in one byte, empty
// fields, and notes new each time that make the table turn over.
func TestEntriesReadBackAsRecorded(t *testing.T) {
	alice := "alice"
	aliceAgain := strings.Clone(alice)
	busy := presence.Of(presence.Busy, presence.InACall)
	for _, c := range []struct {
		name string
		n    int
		make func(i int) Entry
	}{
		{"one interned name", 10, func(i int) Entry { return Entry{At: clock.Time(i), User: alice, Source: "desktop", Rule: "T-ACT-1"} }},
		{"the same name from other bytes", 10, func(i int) Entry {
			u := alice
			if i%2 == 1 {
				u = aliceAgain
			}
			return Entry{At: clock.Time(i), User: u, Source: "web"}
		}},
		{"names one byte apart", 50, func(i int) Entry {
			return Entry{User: "user" + strconv.Itoa(i%10), Source: "user" + strconv.Itoa(i%10+1), Note: "user" + strconv.Itoa(i%7)}
		}},
		{"empty strings", 5, func(i int) Entry {
			return Entry{At: clock.Time(i), Kind: PresenceChange, Before: busy, After: busy.WithOutOfOffice()}
		}},
		{"a new note every time across tables", 3 * tableStrings, func(i int) Entry {
			return Entry{At: clock.Time(i), User: "bob", Source: "pbx:desk phone", Note: fmt.Sprintf("line %d: ringing", i)}
		}},
		{"the most ids a table gives", 2 * chunkSize, mostIDs},
	} {
		t.Run(c.name, func(t *testing.T) {
			var tr Trace
			want := make([]Entry, c.n)
			for i := range want {
				want[i] = c.make(i)
				tr.Record(want[i])
			}
			got := tr.Entries()
			if len(got) != len(want) {
				t.Fatalf("read back %d entries, recorded %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("entry %d reads back as %+v, recorded %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// mostIDs fills the first chunk's table to one string short of full, so
// that it is not replaced, and then gives every field of the second chunk
// a new string: the table reaches the largest id it can hand out.
func mostIDs(i int) Entry {
	u := func(f string) string { return f + strconv.Itoa(i) }
	switch {
	case i < (tableStrings-2)/4:
		return Entry{User: u("u"), Source: u("s"), Rule: u("r"), Note: u("n")}
	case i == (tableStrings-2)/4:
		return Entry{User: u("u"), Source: u("s")}
	case i < chunkSize:
		return Entry{User: "u0"}
	}
	return Entry{User: u("u"), Source: u("s"), Rule: u("r"), Note: u("n")}
}

// A limited trace whose notes are new every time keeps no more strings
// than its chunks need: the tables go with the chunks that use them.
func TestLimitBoundsTheStringTables(t *testing.T) {
	var tr Trace
	tr.Limit(2 * chunkSize)
	const total = 40 * chunkSize
	for i := 0; i < total; i++ {
		tr.Record(Entry{User: "alice", Source: "graph", Note: "refused after " + strconv.Itoa(i) + " s"})
	}
	strs, bytes := liveStrings(&tr)
	// at most two tables: a full one shared with a dropped chunk, and the
	// current one
	if max := 2 * (tableStrings + 4*chunkSize); strs > max || bytes > 2*(tableBytes+4*chunkSize*32) {
		t.Fatalf("the kept %d entries hold %d strings (%d bytes); want at most %d strings", tr.Len(), strs, bytes, max)
	}
	es := tr.Entries()
	if last := es[len(es)-1].Note; last != "refused after "+strconv.Itoa(total-1)+" s" {
		t.Fatalf("the newest entry reads %q", last)
	}
}

// A reset empties the table too: a world that resets its trace does not
// keep the strings of what it forgot.
func TestResetEmptiesTheTable(t *testing.T) {
	var tr Trace
	for i := 0; i < 100; i++ {
		tr.Record(Entry{User: "user" + strconv.Itoa(i)})
	}
	tr.Reset()
	tr.Record(Entry{User: "carol", Note: "again"})
	if strs, _ := liveStrings(&tr); strs != 3 {
		t.Fatalf("after a reset the table holds %d strings; want 3 (\"\", carol, again)", strs)
	}
	if es := tr.Entries(); len(es) != 1 || es[0].User != "carol" || es[0].Note != "again" {
		t.Fatalf("after a reset the trace reads %+v", es)
	}
}

// FuzzRecordRoundTrip records entries built from arbitrary strings,
// across a chunk boundary, and reads every one back unchanged.
func FuzzRecordRoundTrip(f *testing.F) {
	f.Add("alice", "desktop", "T-ACT-1", "", uint8(3))
	f.Add("", "", "", "line 1: ringing", uint8(0))
	f.Add("bob", "bob", "bob", "bob", uint8(255))
	f.Fuzz(func(t *testing.T, user, source, rule, note string, k uint8) {
		var tr Trace
		n := chunkSize + 3
		for i := 0; i < n; i++ {
			e := Entry{At: clock.Time(i), Kind: Kind(k % 2), User: user, Source: source, Rule: rule, Note: note}
			if i%3 == 0 {
				e.Note = note + strconv.Itoa(i) // a fresh string every third entry
			}
			tr.Record(e)
		}
		i := 0
		tr.Each(func(e Entry) {
			want := Entry{At: clock.Time(i), Kind: Kind(k % 2), User: user, Source: source, Rule: rule, Note: note}
			if i%3 == 0 {
				want.Note = note + strconv.Itoa(i)
			}
			if e != want {
				t.Fatalf("entry %d reads back as %+v, recorded %+v", i, e, want)
			}
			i++
		})
		if i != n {
			t.Fatalf("read back %d entries, recorded %d", i, n)
		}
	})
}

// has reports whether the cache remembers s.
func (c *internCache) has(s string) bool {
	set := c.set(unsafe.StringData(s), len(s))
	for _, e := range set {
		if e.p == unsafe.StringData(s) && int(e.n) == len(s) {
			return true
		}
	}
	return false
}

// The cache grows with the table and, at every size, still remembers
// nearly every name it was given once: names used in turn do not evict each
// other. It never grows past its bound.
func TestInternCacheKeepsWhatItSaw(t *testing.T) {
	for _, n := range []int{10, 100, 1000, 2000, 20000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			tab, c := newStrtab(), newInternCache()
			names := make([]string, n)
			for i := range names {
				names[i] = "user" + strconv.Itoa(i)
				if id := c.id(tab, names[i]); tab.strs[id] != names[i] {
					t.Fatalf("%s got id %d, which is %s", names[i], id, tab.strs[id])
				}
			}
			if c.bits > cacheMaxBits || len(c.sets) != 1<<c.bits {
				t.Fatalf("%d names: %d sets of %d bits; at most %d bits", n, len(c.sets), c.bits, cacheMaxBits)
			}
			if 4*n > 1<<cacheMaxBits {
				return // past its bound the cache need not hold them all
			}
			kept := 0
			for _, s := range names {
				if c.has(s) {
					kept++
				}
			}
			if kept < n*95/100 {
				t.Fatalf("the cache remembers %d of %d names in %d sets; want at least 95%%", kept, n, len(c.sets))
			}
		})
	}
}

// A limited trace that has reached its limit records into the storage of
// the chunks it drops: recording for weeks allocates nothing more.
func TestLimitedTraceReusesDroppedChunks(t *testing.T) {
	var tr Trace
	tr.Limit(3 * chunkSize)
	e := Entry{User: "alice", Source: "desktop", Rule: "T-ACT-1"}
	for i := 0; i < 4*chunkSize; i++ {
		tr.Record(e)
	}
	if n := testing.AllocsPerRun(10, func() {
		for i := 0; i < chunkSize; i++ {
			tr.Record(e)
		}
	}); n > 0.5 {
		t.Fatalf("a chunk's worth of entries past the limit allocates %.1f times; want none", n)
	}
	if tr.Len() > 3*chunkSize || tr.Len() < 2*chunkSize || tr.Entries()[0] != e {
		t.Fatalf("kept %d entries, the oldest %+v", tr.Len(), tr.Entries()[0])
	}
}
