package trace

import "unsafe"

// The bounds of one string table. A table is shared by consecutive chunks
// and replaced at the next chunk once it holds this many strings or
// bytes, so a trace whose notes are new every time (a wait, a count)
// holds no strings beyond those of the chunks it keeps.
const (
	tableStrings = 1 << 14
	tableBytes   = 1 << 20
)

// strID is a string's id in its table. A table is full before it holds
// tableStrings, and one chunk adds at most four strings an entry, so every
// id fits; the constant below does not compile if it would not.
type strID uint16

const _ strID = tableStrings + 4*chunkSize - 1

// strtab interns the strings of one or more chunks; id 0 is "".
type strtab struct {
	strs  []string
	ids   map[string]strID
	bytes int
}

func newStrtab() *strtab {
	return &strtab{strs: []string{""}, ids: map[string]strID{"": 0}}
}

func (t *strtab) full() bool { return len(t.strs) >= tableStrings || t.bytes >= tableBytes }

func (t *strtab) intern(s string) strID {
	if id, ok := t.ids[s]; ok {
		return id
	}
	id := strID(len(t.strs))
	t.strs = append(t.strs, s)
	t.ids[s] = id
	t.bytes += len(s)
	return id
}

// reset empties the table, keeping its storage.
func (t *strtab) reset() {
	clear(t.strs[1:])
	t.strs = t.strs[:1]
	clear(t.ids)
	t.ids[""] = 0
	t.bytes = 0
}

// The intern cache has 2^bits sets of two slots. It starts small, for the
// many short-lived worlds of tests and explorations, and doubles while the
// table holds more than a quarter as many strings as it has sets (so few
// sets hold three that are used in turn), up to room for the names of a
// few thousand users, sources, rules and notes.
const (
	cacheMinBits = 6
	cacheMaxBits = 13
)

// internCache remembers the ids of recently recorded strings by where
// their bytes are. The models pass the same interned names again and
// again, so most lookups are a pointer hash and a comparison of pointer and
// length, not a hash of the bytes. A slot holds the pointer, so the bytes
// stay where they are while it does, and strings do not change: the same
// pointer and length are the same string. Any other string goes to the
// table, which compares bytes. Two slots a set, the newer first, so that
// two names that share a set do not evict each other in turn.
type internCache struct {
	sets []cacheSet
	bits uint
}

type cacheSet [2]cached

type cached struct {
	p  *byte
	n  uint32
	id strID
}

func newInternCache() *internCache {
	return &internCache{sets: make([]cacheSet, 1<<cacheMinBits), bits: cacheMinBits}
}

// clear forgets every string, keeping the cache's size.
func (c *internCache) clear() { clear(c.sets) }

func (c *internCache) set(p *byte, n int) *cacheSet {
	return &c.sets[(uint64(uintptr(unsafe.Pointer(p)))^uint64(n))*0x9E3779B97F4A7C15>>(64-c.bits)]
}

// put remembers a string's id, the older of the set's two going.
func (c *internCache) put(e cached) {
	set := c.set(e.p, int(e.n))
	set[1], set[0] = set[0], e
}

// grow doubles the cache, keeping what it remembers.
func (c *internCache) grow() {
	old := c.sets
	c.bits++
	c.sets = make([]cacheSet, 1<<c.bits)
	for i := range old {
		for j := 1; j >= 0; j-- { // the older first, so the newer stays first
			if e := old[i][j]; e.p != nil {
				c.put(e)
			}
		}
	}
}

func (c *internCache) id(t *strtab, s string) strID {
	p := unsafe.StringData(s)
	set := c.set(p, len(s))
	if set[0].p == p && int(set[0].n) == len(s) {
		return set[0].id
	}
	if set[1].p == p && int(set[1].n) == len(s) {
		return set[1].id
	}
	id := t.intern(s)
	if 4*len(t.strs) > len(c.sets) && c.bits < cacheMaxBits {
		c.grow()
	}
	if len(s) <= maxCached {
		c.put(cached{p, uint32(len(s)), id})
	}
	return id
}

// maxCached is the longest string the cache remembers; n must hold it.
const maxCached = 1 << 20
