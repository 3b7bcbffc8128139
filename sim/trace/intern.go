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

// cacheBits sizes the intern cache: room for the names of a few thousand
// users, sources, rules and notes with few collisions.
const cacheBits = 12

// internCache remembers the ids of recently recorded strings by where
// their bytes are. The models pass the same interned names again and
// again, so most lookups are a pointer hash and a comparison of pointer and
// length, not a hash of the bytes. A slot holds the pointer, so the bytes
// stay where they are while it does, and strings do not change: the same
// pointer and length are the same string. Any other string goes to the
// table, which compares bytes.
type internCache [1 << cacheBits]struct {
	p  *byte
	n  uint32
	id strID
}

func (c *internCache) id(t *strtab, s string) strID {
	p := unsafe.StringData(s)
	h := (uint64(uintptr(unsafe.Pointer(p))) ^ uint64(len(s))) * 0x9E3779B97F4A7C15 >> (64 - cacheBits)
	slot := &c[h]
	if slot.p == p && int(slot.n) == len(s) {
		return slot.id
	}
	id := t.intern(s)
	if len(s) <= maxCached {
		slot.p, slot.n, slot.id = p, uint32(len(s)), id
	}
	return id
}

// maxCached is the longest string the cache remembers; n must hold it.
const maxCached = 1 << 20
