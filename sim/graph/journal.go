package graph

import (
	"strconv"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
)

// Op names a seam operation in the journal, as the conformance harness
// names a connector's Graph requests.
type Op uint8

const (
	OpSetPresence Op = iota + 1
	OpClearPresence
	OpSetUserPreferredPresence
	OpClearUserPreferredPresence
	OpRead
	OpReadMany
	OpSubscribe
	OpUnsubscribe
	OpDirectory
)

var opNames = [...]string{"", "setPresence", "clearPresence", "setUserPreferredPresence", "clearUserPreferredPresence", "read", "bulk", "subscription", "unsubscribe", "directory"}

func (o Op) String() string {
	if int(o) < len(opNames) && o > 0 {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// Request is one in-process request as the layer answered it.
type Request struct {
	At     clock.Time
	App    string
	Op     Op
	User   teams.UserID
	Status int // 200 when served, else the error's status
	// RetryAfter is the answer's Retry-After (429 and 503).
	RetryAfter time.Duration
}

// MaxJournal caps the requests the journal keeps; older ones are dropped.
const MaxJournal = 4096

// journal keeps the latest in-process requests once Watch was called, so
// a world nobody watches pays nothing for it.
type journal struct {
	on      bool
	ring    []Request
	next    int
	dropped uint64
}

func (j *journal) add(r Request) {
	if len(j.ring) < MaxJournal {
		j.ring = append(j.ring, r)
		return
	}
	j.ring[j.next] = r
	j.next = (j.next + 1) % MaxJournal
	j.dropped++
}

// Requests lists the journalled in-process requests of app ("" for every
// app), oldest first.
func (l *Layer) Requests(app string) []Request {
	j := &l.journal
	var out []Request
	for i := range j.ring {
		r := j.ring[(j.next+i)%len(j.ring)]
		if app == "" || r.App == app {
			out = append(out, r)
		}
	}
	return out
}

// Journalling reports whether the layer journals in-process requests.
func (l *Layer) Journalling() bool { return l.journal.on }

// Watch starts the journal of in-process requests.
func (l *Layer) Watch() { l.journal.on = true }
