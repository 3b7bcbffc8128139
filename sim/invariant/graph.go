package invariant

import (
	"fmt"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/follow"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/nimbus"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/xphone"
)

// The connector invariants judge the built-in models by what they ask
// Graph (the layer's journal) and by what their readers hold, as an
// external connector is judged. They claim only what a compliant connector
// guarantees during an outage: that it waits as long as Graph asked and
// that its view never goes back; showing the true state waits for the
// outage's end (C-10) and is no claim made after every event.

// retryWait is what the C-5 invariant remembers of one app: the earliest
// time it may ask again and the answer that said so.
type retryWait struct {
	app       string
	notBefore clock.Time
	since     graph.Request
}

type retryState struct {
	read uint64
	apps []retryWait
}

func (s *retryState) of(app string) *retryWait {
	for i := range s.apps {
		if s.apps[i].app == app {
			return &s.apps[i]
		}
	}
	s.apps = append(s.apps, retryWait{app: app})
	return &s.apps[len(s.apps)-1]
}

// readerView is what the C-8 invariant remembers of one reader: the
// newest sequenceNumber it held per user.
type readerView struct{ seq []uint64 }

type readerViews struct{ xp, nb readerView }

func init() {
	Integrations = append(Integrations,
		Invariant{
			Name:     "graph-retry-after-kept",
			Rules:    []string{"C-5"},
			Text:     "after Graph answers an app's request with a Retry-After (429, 503), the app sends Graph no request before that time has passed",
			PerWorld: true,
			Check:    checkRetryAfter,
		},
		Invariant{
			Name:     "reader-never-goes-back",
			Rules:    []string{"C-8"},
			Text:     "the presence a built-in model's reader holds of a user is the newest sequenceNumber Graph gave it and never goes back to an older one, whatever order Graph delivers notifications and reads in",
			PerWorld: true,
			Check:    checkReaders,
		},
	)
}

func checkRetryAfter(c *Checker, _ teams.UserID) (bool, string) {
	l := c.w.GraphFaults()
	s := State(c, "graph retry-after", func() *retryState { return &retryState{} })
	if l.Journalled() == s.read {
		return false, ""
	}
	applies, why := false, ""
	s.read = l.RequestsSince(s.read, func(r graph.Request) {
		if why != "" {
			return
		}
		a := s.of(r.App)
		if a.notBefore > 0 {
			applies = true
			if r.At < a.notBefore {
				if r.User >= 0 && int(r.User) < c.w.Teams.NumUsers() {
					c.Blame(r.User)
				}
				why = fmt.Sprintf("%s sent %s at %s, %s after Graph answered its %s at %s with %d and a Retry-After of %s: no request before %s (C-5)",
					r.App, r.Op, r.At, r.At.Sub(a.since.At), a.since.Op, a.since.At, a.since.Status, a.since.RetryAfter, a.notBefore)
				return
			}
		}
		if r.RetryAfter > 0 {
			if t := r.At.Add(r.RetryAfter); t > a.notBefore {
				a.notBefore, a.since = t, r
			}
		}
	})
	return applies, why
}

func checkReaders(c *Checker, _ teams.UserID) (bool, string) {
	v := State(c, "reader views", func() *readerViews { return &readerViews{} })
	applies := false
	if xp, ok := sim.Find[*xphone.Model](c.w); ok {
		a, why := checkReader(c, "XPhone", xp.Reader(), &v.xp)
		if why != "" {
			return true, why
		}
		applies = a
	}
	if nb, ok := sim.Find[*nimbus.Model](c.w); ok {
		a, why := checkReader(c, "Nimbus", nb.Reader(), &v.nb)
		if why != "" {
			return true, why
		}
		applies = applies || a
	}
	return applies, ""
}

func checkReader(c *Checker, who string, r *follow.Reader, v *readerView) (bool, string) {
	n := c.w.Teams.NumUsers()
	for len(v.seq) < n {
		v.seq = append(v.seq, 0)
	}
	applies := false
	for u := 0; u < n; u++ {
		p, ok := r.Current(teams.UserID(u))
		if !ok {
			continue
		}
		applies = true
		if o := r.Offered(teams.UserID(u)); p.Sequence < o {
			c.Blame(teams.UserID(u))
			return true, fmt.Sprintf("Graph gave %s's reader %s's presence at sequenceNumber %d, yet it holds %s at the older sequenceNumber %d (C-8)",
				who, c.w.Teams.Name(teams.UserID(u)), o, p.Presence.Short(), p.Sequence)
		}
		if p.Sequence < v.seq[u] {
			c.Blame(teams.UserID(u))
			return true, fmt.Sprintf("%s's reader held %s's presence at sequenceNumber %d and now holds %s at the older sequenceNumber %d (C-8)",
				who, c.w.Teams.Name(teams.UserID(u)), v.seq[u], p.Presence.Short(), p.Sequence)
		}
		v.seq[u] = p.Sequence
	}
	return applies, ""
}

// graphBehind says a reader holds an older presence of u than Teams does
// while Graph has failed requests or held, lost or reordered
// notifications: a compliant reader cannot know better until a later
// notification or read (C-7), so an invariant about what it sees makes no
// claim then. Without Graph's faults a reader is never behind.
func graphBehind(c *Checker, r *follow.Reader, u teams.UserID) bool {
	st := c.w.GraphFaults().Stats()
	if st.Injected+st.Throttled+st.NotesDropped+st.NotesDelayed+st.NotesReordered == 0 {
		return false
	}
	p, ok := r.Current(u)
	return !ok || p.Sequence < c.w.Teams.Sequence(u)
}
