package xphone

import (
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// Direct is the harness's inputs for a caller that already holds the
// world: a workload's clock event, which fires with the world locked and
// so cannot take the lock again as SetProfiles, Call … do. The changes
// are the same, journalled and told to OnChange alike; the user is given
// by id, since a workload of thousands has no names to look up.
type Direct struct{ h *Handler }

// Direct returns the inputs for a caller that holds the world.
func (h *Handler) Direct() Direct { return Direct{h} }

// Call starts (on) or ends an XPhone call of the user.
func (d Direct) Call(w *sim.World, u teams.UserID, on bool) error {
	if err := d.h.st.known(w, u); err != nil {
		return err
	}
	return d.h.st.count(w, u, false, on)
}

// Meeting joins (on) or leaves an XPhone Connect meeting.
func (d Direct) Meeting(w *sim.World, u teams.UserID, on bool) error {
	if err := d.h.st.known(w, u); err != nil {
		return err
	}
	return d.h.st.count(w, u, true, on)
}

// SelectProfile is the user picking a profile in the client.
func (d Direct) SelectProfile(w *sim.World, u teams.UserID, profile string) error {
	if err := d.h.st.known(w, u); err != nil {
		return err
	}
	return d.h.st.selectProfile(w, u, profile, ByHarness)
}

// Selected is the user's selected profile; the caller holds the world.
func (d Direct) Selected(w *sim.World, u teams.UserID) string {
	x := d.h.st.get(u)
	return x.profiles[x.selected].Name
}

// Tell adds a listener of every change, told after the one the options
// set (a conformance session's), with the world held: a soak's tracker
// takes the changes as they come instead of reading the journal, which
// keeps only the last MaxJournal.
func (h *Handler) Tell(on func(Change)) {
	_ = h.lw.Do(func(*sim.World) error {
		if prev := h.st.onChange; prev != nil {
			h.st.onChange = func(c Change) { prev(c); on(c) }
		} else {
			h.st.onChange = on
		}
		return nil
	})
}
