package invariant

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/nimbus"
	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/xphone"
)

// clSession is CL-8 (and CL-7 for DoNotDisturb) as the rulebook states it:
// the CloudLink presences that keep a session in Teams, and what it holds.
var clSession = [16]struct {
	on bool
	p  p.Presence
}{
	p.Busy: {true, p.Of(p.Busy, p.InACall)},
	p.Away: {true, p.Of(p.Away, p.ActAway)},
}

// xpBounds is XP-13 and C-9: per change made in XPhone or by its timers at
// most one write to each thing XPhone owns in Teams (its app session, the
// preferred presence it set: quitting may have to clear both, C-3 and C-4),
// none for a change read from Teams.
var xpBounds = [...]int{xphone.FromXPhone: 1, xphone.FromTeams: 0, xphone.FromTimer: 1}

// xpResource tells which thing in Teams a journalled write touches: the
// preferred presence (set/clearUserPreferredPresence) or the app session.
func xpResource(what string) int {
	if strings.Contains(what, "PreferredPresence") {
		return 1
	}
	return 0
}

// xpTally is what the XPhone invariant remembers of the journal.
type xpTally struct {
	read   int
	origin map[int]xphone.Origin
	writes map[[2]int]int
}

// nbSeen remembers, per Nimbus call, the offers to agents in a call seen.
type nbSeen struct{ inCall []int }

func init() {
	Integrations = append(Integrations,
		Invariant{
			Name:     "cloudlink-session-iff-busy-or-away",
			Rules:    []string{"CL-8", "CL-6", "CL-7", "CL-14"},
			Text:     "while CloudLink runs and syncs a user, its session in Teams exists exactly while the CloudLink presence (without its DoNotDisturb sources where DND is not synced) is Busy (Busy/InACall) or Away (Away/Away), or DoNotDisturb (DoNotDisturb/Presenting) where DND is synced; a PBX user it does not sync holds no session, so no one writes into another's presence",
			PerWorld: true,
			Check:    checkCloudLink,
			Explain: func(c *Checker, u teams.UserID) string {
				cl, ok := sim.Find[*cloudlink.Model](c.w)
				if !ok || u < 0 {
					return ""
				}
				if i, ok := cl.PBX().Find(u); ok {
					return "CloudLink:\n" + cl.Explain(i)
				}
				return ""
			},
		},
		Invariant{
			Name:     "xphone-writes-bounded",
			Rules:    []string{"XP-13", "C-9"},
			Text:     "XPhone writes each thing it owns in Teams (its session, its preferred presence) at most once per change made in XPhone or by its timers, and never writes back a change it read from Teams",
			PerWorld: true,
			Check:    checkXPhone,
			Explain: func(c *Checker, u teams.UserID) string {
				xp, ok := sim.Find[*xphone.Model](c.w)
				if !ok || u < 0 || !xp.Uses(u) {
					return ""
				}
				return "XPhone:\n" + xp.Explain(u)
			},
		},
		Invariant{
			Name:     "nimbus-no-offer-to-a-visible-call",
			Rules:    []string{"NB-4"},
			Text:     "Nimbus never offers a call to an agent it can see in a call (a presence account reading InACall or InAConferenceCall)",
			PerWorld: true,
			Check:    checkNimbus,
		},
	)
}

func checkCloudLink(c *Checker, _ teams.UserID) (bool, string) {
	cl, ok := sim.Find[*cloudlink.Model](c.w)
	if !ok || !cl.Running() || cl.Settings().SyncDelay > 0 || cl.Retrying() {
		return false, "" // stopped, writing later than the change, or waiting out a failing Graph: no claim now
	}
	px, m := cl.PBX(), c.w.Teams
	dnd := cl.Settings().SyncDND
	applies := false
	for i := 0; i < px.Len(); i++ {
		target, linked := cl.Link(i)
		if !linked {
			if held, to, on := cl.Session(i); on {
				c.Blame(to)
				return true, fmt.Sprintf("CloudLink does not sync the PBX user %s (%s), yet holds a session %s for it in %s's presence (CL-14)", px.UserAt(i).Name, cl.Unsynced(i), held.Short(), m.Name(to))
			}
			continue
		}
		applies = true
		a := cl.SessionPresence(i)
		want := clSession[a]
		if a == p.DoNotDisturb && dnd {
			want.on, want.p = true, p.Of(p.DoNotDisturb, p.Presenting)
		}
		// what CloudLink holds by its own account; someone else clearing its
		// session with its app id is not CloudLink's doing
		held, _, on := cl.Session(i)
		got, _, has := m.AppSession(target, cl.App())
		switch {
		case want.on && !on:
			c.Blame(target)
			return true, fmt.Sprintf("CloudLink presence is %s, but CloudLink holds no session in Teams for %s (CL-8 wants %s)", a, m.Name(target), want.p.Short())
		case want.on && held.Pair() != want.p:
			c.Blame(target)
			return true, fmt.Sprintf("CloudLink presence is %s, but its session in Teams holds %s instead of %s (CL-8)", a, held.Short(), want.p.Short())
		case !want.on && (on || has):
			if has {
				held = got
			}
			c.Blame(target)
			return true, fmt.Sprintf("CloudLink presence is %s, but a CloudLink session %s remains in Teams for %s (CL-8: no session)", a, held.Short(), m.Name(target))
		}
	}
	return applies, ""
}

func checkXPhone(c *Checker, _ teams.UserID) (bool, string) {
	xp, ok := sim.Find[*xphone.Model](c.w)
	if !ok {
		return false, ""
	}
	t := State(c, "xphone", func() *xpTally { return &xpTally{origin: map[int]xphone.Origin{}, writes: map[[2]int]int{}} })
	j := xp.Journal()
	applies := false
	for ; t.read < len(j); t.read++ {
		e := j[t.read]
		if e.Kind == xphone.Input {
			t.origin[e.Input] = e.Origin
			continue
		}
		applies = true
		key := [2]int{e.Input, xpResource(e.What)}
		t.writes[key]++
		o, known := t.origin[e.Input]
		if !known {
			continue
		}
		if n := t.writes[key]; int(o) < len(xpBounds) && n > xpBounds[o] {
			if u, err := c.w.Teams.User(e.User); err == nil {
				c.Blame(u)
			}
			t.read++
			return true, fmt.Sprintf("input #%d (a change from %s) caused write %d of the same thing in Teams, at most %d allowed: %s", e.Input, o, n, xpBounds[o], e)
		}
	}
	return applies, ""
}

func checkNimbus(c *Checker, _ teams.UserID) (bool, string) {
	nb, ok := sim.Find[*nimbus.Model](c.w)
	if !ok {
		return false, ""
	}
	last, err := nb.LastCall()
	if err != nil {
		return false, ""
	}
	s := State(c, "nimbus", func() *nbSeen { return &nbSeen{} })
	for len(s.inCall) <= int(last.ID) {
		s.inCall = append(s.inCall, 0)
	}
	applies := false
	for id := nimbus.CallID(0); id <= last.ID; id++ {
		call, err := nb.Call(id)
		if err != nil || call.OffersInCall == s.inCall[id] {
			continue
		}
		s.inCall[id] = call.OffersInCall
		if call.State != nimbus.Ringing {
			continue
		}
		t := nb.Tracking()
		if t.Source != nimbus.PresenceAccount || nb.Settings().AccountView != nimbus.InternalView {
			continue // through federation an agent's call is not visible (NB-3)
		}
		acc, err := nb.Account(t.Account)
		if err != nil {
			continue
		}
		if graphBehind(c, nb.Reader(), call.Agent) {
			continue // Graph has not told Nimbus yet: no claim until it does (C-7)
		}
		seen, _ := c.w.Teams.ViewAs(call.Agent, acc.Guest)
		applies = true
		if seen.Activity == p.InACall || seen.Activity == p.InAConferenceCall {
			c.Blame(call.Agent)
			return true, fmt.Sprintf("Nimbus call #%d rings at %s, whom the presence account %q reads as %s (NB-4: never distributed to an agent in a call)", id, c.w.Teams.Name(call.Agent), t.Account, seen.Short())
		}
	}
	return applies, ""
}
