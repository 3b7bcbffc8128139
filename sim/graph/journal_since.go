package graph

// Journalled is how many in-process requests the journal has taken since
// Watch, including those it dropped for its cap; a reader of the journal
// keeps this count to read only what is new.
func (l *Layer) Journalled() uint64 {
	return uint64(len(l.journal.ring)) + l.journal.dropped
}

// RequestsSince calls fn for each journalled request from number n on
// (counted as Journalled counts), oldest first, without copying the
// journal; requests dropped already are skipped. It returns the count to
// pass next time.
func (l *Layer) RequestsSince(n uint64, fn func(Request)) uint64 {
	j := &l.journal
	total := l.Journalled()
	first := j.dropped // the oldest request still held
	if n < first {
		n = first
	}
	for ; n < total; n++ {
		k := int(n - first)
		if len(j.ring) == MaxJournal {
			k = (j.next + k) % MaxJournal
		}
		fn(j.ring[k])
	}
	return total
}
