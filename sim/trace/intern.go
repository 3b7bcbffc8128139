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

// strtab interns the strings of one or more chunks; id 0 is "".
type strtab struct {
	strs  []string
	ids   map[string]uint32
	bytes int
}

func newStrtab() *strtab {
	return &strtab{strs: []string{""}, ids: map[string]uint32{"": 0}}
}

func (t *strtab) full() bool { return len(t.strs) >= tableStrings || t.bytes >= tableBytes }

func (t *strtab) intern(s string) uint32 {
	if id, ok := t.ids[s]; ok {
		return id
	}
	id := uint32(len(t.strs))
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
// again, so most lookups are a pointer hash and a comparison that equal
// pointers decide at once, not a hash of the bytes; a slot is trusted
// only when its string equals the one looked up, so a hit is always right.
type internCache [1 << cacheBits]struct {
	s  string
	id uint32
}

func (c *internCache) id(t *strtab, s string) uint32 {
	h := uint64(uintptr(unsafe.Pointer(unsafe.StringData(s))))
	h = (h ^ uint64(len(s))) * 0x9E3779B97F4A7C15 >> (64 - cacheBits)
	slot := &c[h]
	if slot.s == s {
		return slot.id
	}
	id := t.intern(s)
	slot.s, slot.id = s, id
	return id
}
