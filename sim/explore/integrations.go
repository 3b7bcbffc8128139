package explore

import (
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/nimbus"
	"github.com/presencesim/presencesim/sim/pbx"
)

// system is an integration a world may include; its inputs are drawn only
// in worlds that include it.
type system uint8

const (
	sysTeams     system = 0
	sysCloudLink system = 1 << iota
	sysXPhone
	sysNimbus
	// sysGraph is Graph's faults: drawn in every world with a connector
	sysGraph
)

// nimbusService is the one service a world's Nimbus runs.
const nimbusService = "Support"

var (
	// pbxStates are the MiVO400 user presences a desk phone may set (CL-4).
	pbxStates = []pbx.UserState{pbx.StAvailable, pbx.StAway, pbx.StMeeting, pbx.StBusy, pbx.StUnavailable}
	// xpProfiles are the default "My profiles" of an XPhone user.
	xpProfiles = []string{"Verfügbar", "Beschäftigt", "Nicht stören", "Abwesend"}
)

func named(name string) func(*Run, Chooser, *Action) {
	return func(_ *Run, _ Chooser, a *Action) { a.Name = name }
}

// integrationDraws draws the integration inputs: PBX lines and MiVO400
// presence behind CloudLink, XPhone Connect clients, Nimbus calls; with
// their faults (CloudLink restarts, XPhone losing its server or its change
// notifications).
func integrationDraws() {
	cl := func(weight int, draw func(*Run, Chooser, *Action)) drawSpec {
		return drawSpec{system: sysCloudLink, weight: weight, draw: draw}
	}
	xp := func(weight int, draw func(*Run, Chooser, *Action)) drawSpec {
		return drawSpec{system: sysXPhone, weight: weight, draw: draw}
	}
	nb := func(weight int, draw func(*Run, Chooser, *Action)) drawSpec {
		return drawSpec{system: sysNimbus, weight: weight, draw: draw}
	}
	then := drawSpec{drawn: true}
	draws[event.PBXMakeCall] = cl(6, drawUOr(event.PBXTakeCall))
	draws[event.PBXTakeCall] = then
	draws[event.PBXHangUp] = cl(5, drawU)
	draws[event.PBXPresence] = cl(4, func(r *Run, c Chooser, a *Action) {
		u := pickUser(r, c)
		a.Users, a.State = r.one(u), pbxStates[c.IntN(len(pbxStates))]
	})
	draws[event.CloudLinkStop] = cl(1, none)
	draws[event.CloudLinkStart] = cl(2, none)

	draws[event.XPhoneUse] = xp(4, drawU)
	draws[event.XPhoneCall] = xp(4, drawU)
	draws[event.XPhoneCallEnds] = xp(4, drawU)
	draws[event.XPhoneProfile] = xp(3, func(r *Run, c Chooser, a *Action) {
		u := pickUser(r, c)
		a.Users, a.Name = r.one(u), xpProfiles[c.IntN(len(xpProfiles))]
	})
	// on: the client reconnects, starts, receives again
	draws[event.XPhoneLoseServer] = xp(2, drawUOn(event.XPhoneReconnect, event.XPhoneLoseServer))
	draws[event.XPhoneReconnect] = then
	draws[event.XPhoneQuit] = xp(2, drawUOn(event.XPhoneStart, event.XPhoneQuit))
	draws[event.XPhoneStart] = then
	draws[event.XPhoneNotificationsStop] = xp(2, drawUOn(event.XPhoneNotificationsResume, event.XPhoneNotificationsStop))
	draws[event.XPhoneNotificationsResume] = then

	draws[event.NimbusService] = nb(3, func(r *Run, c Chooser, a *Action) { drawUV(r, c, a); a.Name = nimbusService })
	draws[event.NimbusBusyDistributed] = nb(2, named(nimbusService))
	draws[event.NimbusAccount] = nb(2, named("pa1"))
	draws[event.NimbusArrive] = nb(5, named(nimbusService))
	draws[event.NimbusAccept] = nb(5, func(r *Run, c Chooser, a *Action) {
		drawUOr(event.NimbusDecline)(r, c, a)
		// a call rings for seconds: answer it now, at whoever it rings
		if nb, ok := sim.Find[*nimbus.Model](r.w); ok {
			for i, u := range r.users {
				if _, ringing := nb.Ringing(u); ringing {
					a.Users, a.Gap = r.one(i), 0
				}
			}
		}
	})
	draws[event.NimbusDecline] = then
	draws[event.NimbusHangUp] = nb(3, func(r *Run, c Chooser, a *Action) {
		drawU(r, c, a)
		if nb, ok := sim.Find[*nimbus.Model](r.w); ok {
			for i, u := range r.users {
				if st, err := nb.State(u); err == nil && st == nimbus.OnCall && c.IntN(2) == 0 {
					a.Users = r.one(i)
				}
			}
		}
	})
}

// drawUOn draws a person and which of two inputs: on when the choice is
// the first.
func drawUOn(on, off event.Op) func(*Run, Chooser, *Action) {
	return func(r *Run, c Chooser, a *Action) {
		a.Users = r.one(pickUser(r, c))
		a.Op = off
		if c.IntN(2) == 0 {
			a.Op = on
		}
	}
}

// nimbusRinging reports whether a Nimbus call rings at one of the people.
func nimbusRinging(r *Run) bool {
	nb, ok := sim.Find[*nimbus.Model](r.w)
	if !ok {
		return false
	}
	for _, u := range r.users {
		if _, ringing := nb.Ringing(u); ringing {
			return true
		}
	}
	return false
}
