package explore

import (
	"errors"
	"fmt"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/nimbus"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/xphone"
)

// system is an integration a world may include; its ops are drawn only in
// worlds that include it.
type system uint8

const (
	sysTeams     system = 0
	sysCloudLink system = 1 << iota
	sysXPhone
	sysNimbus
)

// The integration actions: PBX lines and MiVO400 presence behind CloudLink,
// XPhone Connect clients, Nimbus calls; with their faults (CloudLink
// restarts, XPhone losing its server or its change notifications).
const (
	OpPBXCall Op = numTeamsOps + iota
	OpPBXHangUp
	OpPBXPresence
	OpCloudLinkStop
	OpCloudLinkStart
	OpXPhoneUse
	OpXPhoneCall
	OpXPhoneCallEnds
	OpXPhoneProfile
	OpXPhoneConnection
	OpXPhoneClient
	OpXPhoneNotifications
	OpNimbusService
	OpNimbusBusyDistributed
	OpNimbusAccount
	OpNimbusArrive
	OpNimbusAnswer
	OpNimbusHangUp
	numOps
)

// nimbusService is the one service a world's Nimbus runs.
const nimbusService = "Support"

var (
	errRefused = errors.New("not possible in this state")
	// pbxStates are the MiVO400 user presences a desk phone may set (CL-4).
	pbxStates = []pbx.UserState{pbx.StAvailable, pbx.StAway, pbx.StMeeting, pbx.StBusy, pbx.StUnavailable}
	// pbxLabels are the PBX's default names of the states, as steps write
	// them.
	pbxLabels = pbx.New(sim.MustNew(1)).Labels()
	// xpProfiles are the default "My profiles" of an XPhone user.
	xpProfiles = []string{"Verfügbar", "Beschäftigt", "Nicht stören", "Abwesend"}
)

// pbxUser returns the PBX user of a person without creating one, so that
// an action refused before it acts changes nothing.
func pbxUser(r *Run, u int) (*cloudlink.Model, int, bool) {
	cl, ok := sim.Find[*cloudlink.Model](r.w)
	if !ok {
		return nil, 0, false
	}
	i, ok := cl.PBX().Find(r.users[u])
	return cl, i, ok
}

func xpUser(r *Run, u int) (*xphone.Model, bool) {
	xp, ok := sim.Find[*xphone.Model](r.w)
	return xp, ok && xp.Uses(r.users[u])
}

func nbService(r *Run) (*nimbus.Model, *nimbus.Service, bool) {
	nb, ok := sim.Find[*nimbus.Model](r.w)
	if !ok {
		return nil, nil, false
	}
	svc, err := nb.Service(nimbusService)
	return nb, svc, err == nil
}

func onOff(a *Action, on, off string) string {
	if a.On {
		return on
	}
	return off
}

func drawUOn(r *Run, c Chooser, a *Action) { a.U, a.On = pickUser(r, c), c.IntN(2) == 0 }

func integrationOps() []opSpec {
	return []opSpec{
		OpPBXCall - numTeamsOps: {name: "PBX: call on the desk phone", system: sysCloudLink, weight: 6, parties: 1, draw: drawUOn,
			apply: func(r *Run, a *Action) error {
				if cl, i, ok := pbxUser(r, a.U); ok {
					if l := cl.PBX().UserAt(i).Line(pbx.DeskPhone); !l.Present || !l.Registered || l.State != pbx.Idle {
						return errRefused
					}
				}
				cl := cloudlink.Of(r.w)
				i, err := cl.PBX().Ensure(r.users[a.U])
				if err != nil {
					return err
				}
				first := pbx.Incoming
				if a.On {
					first = pbx.OffHook
				}
				if err := cl.PBX().LineEvent(i, pbx.DeskPhone, first); err != nil {
					return err
				}
				return cl.PBX().LineEvent(i, pbx.DeskPhone, pbx.Answer)
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s %s a call on her desk phone", r.names[a.U], onOff(a, "makes", "takes"))
			}},
		OpPBXHangUp - numTeamsOps: {name: "PBX: hang up the desk phone", system: sysCloudLink, weight: 5, parties: 1, draw: drawU,
			apply: func(r *Run, a *Action) error {
				cl, i, ok := pbxUser(r, a.U)
				if !ok || cl.PBX().UserAt(i).Line(pbx.DeskPhone).State == pbx.Idle {
					return errRefused
				}
				return cl.PBX().LineEvent(i, pbx.DeskPhone, pbx.HangUp)
			},
			step: say("%s hangs up her desk phone")},
		OpPBXPresence - numTeamsOps: {name: "PBX: MiVO400 presence on the desk phone", system: sysCloudLink, weight: 4, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) { a.U, a.App = pickUser(r, c), c.IntN(len(pbxStates)) },
			apply: func(r *Run, a *Action) error {
				cl := cloudlink.Of(r.w)
				i, err := cl.PBX().Ensure(r.users[a.U])
				if err != nil {
					return err
				}
				return cl.PBX().SetUserPresence(i, pbxStates[a.App], pbx.ViaPhone)
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s sets %s on her desk phone", r.names[a.U], pbxLabels[pbxStates[a.App]])
			}},
		OpCloudLinkStop - numTeamsOps: {name: "fault: CloudLink stops", system: sysCloudLink, weight: 1,
			draw:  func(*Run, Chooser, *Action) {},
			apply: func(r *Run, _ *Action) error { cloudlink.Of(r.w).Stop(); return nil },
			step:  func(*Run, *Action, clock.Time) string { return "CloudLink stops" }},
		OpCloudLinkStart - numTeamsOps: {name: "CloudLink starts again", system: sysCloudLink, weight: 2,
			draw:  func(*Run, Chooser, *Action) {},
			apply: func(r *Run, _ *Action) error { cloudlink.Of(r.w).Start(); return nil },
			step:  func(*Run, *Action, clock.Time) string { return "CloudLink starts again" }},

		OpXPhoneUse - numTeamsOps: {name: "XPhone: user starts using it", system: sysXPhone, weight: 4, parties: 1, draw: drawU,
			apply: func(r *Run, a *Action) error {
				if _, ok := xpUser(r, a.U); ok {
					return errRefused
				}
				return xphone.Attach(r.w).AddUser(r.users[a.U])
			},
			step: say("%s uses XPhone Connect")},
		OpXPhoneCall - numTeamsOps: {name: "XPhone: call starts", system: sysXPhone, weight: 4, parties: 1, draw: drawU,
			apply: xpApply(func(m *xphone.Model, u teams.UserID, _ *Action) error { return m.StartCall(u) }),
			step:  say("%s starts an XPhone call")},
		OpXPhoneCallEnds - numTeamsOps: {name: "XPhone: call ends", system: sysXPhone, weight: 4, parties: 1, draw: drawU,
			apply: xpApply(func(m *xphone.Model, u teams.UserID, _ *Action) error { return m.EndCall(u) }),
			step:  say("%s's XPhone call ends")},
		OpXPhoneProfile - numTeamsOps: {name: "XPhone: select a profile", system: sysXPhone, weight: 3, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) { a.U, a.App = pickUser(r, c), c.IntN(len(xpProfiles)) },
			apply: xpApply(func(m *xphone.Model, u teams.UserID, a *Action) error {
				return m.SelectProfile(u, xpProfiles[a.App])
			}),
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s selects the XPhone profile %q", r.names[a.U], xpProfiles[a.App])
			}},
		OpXPhoneConnection - numTeamsOps: {name: "fault: XPhone client loses its server", system: sysXPhone, weight: 2, parties: 1, draw: drawUOn,
			apply: xpOnOff((*xphone.Model).RestoreConnection, (*xphone.Model).LoseConnection),
			step: func(r *Run, a *Action, _ clock.Time) string {
				return r.names[a.U] + onOff(a, "'s XPhone client reconnects to the XPhone server", "'s XPhone client loses its connection to the XPhone server")
			}},
		OpXPhoneClient - numTeamsOps: {name: "fault: XPhone client quits and starts", system: sysXPhone, weight: 2, parties: 1, draw: drawUOn,
			apply: xpOnOff((*xphone.Model).Start, (*xphone.Model).Quit),
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s %s the XPhone client", r.names[a.U], onOff(a, "starts", "quits"))
			}},
		OpXPhoneNotifications - numTeamsOps: {name: "fault: XPhone loses change notifications", system: sysXPhone, weight: 2, parties: 1, draw: drawUOn,
			apply: xpApply(func(m *xphone.Model, u teams.UserID, a *Action) error { return m.SetNotifications(u, a.On) }),
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("XPhone %s receiving change notifications for %s", onOff(a, "resumes", "stops"), r.names[a.U])
			}},

		OpNimbusService - numTeamsOps: {name: "Nimbus: a service with two agents", system: sysNimbus, weight: 3, parties: 2, draw: drawUV,
			apply: func(r *Run, a *Action) error {
				if _, _, ok := nbService(r); ok {
					return errRefused
				}
				nb := nimbus.Of(r.w)
				svc, err := nb.AddService(nimbusService, nimbus.TeamBased, nimbus.AvailableOnly)
				if err != nil {
					return err
				}
				nb.AddMember(svc, r.users[a.U])
				nb.AddMember(svc, r.users[a.V])
				return nil
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("a Nimbus service %q with the agents %s and %s", nimbusService, r.names[a.U], r.names[a.V])
			}},
		OpNimbusBusyDistributed - numTeamsOps: {name: "Nimbus: Busy agents get calls", system: sysNimbus, weight: 2,
			draw: func(*Run, Chooser, *Action) {},
			apply: func(r *Run, _ *Action) error {
				nb, svc, ok := nbService(r)
				if !ok {
					return errRefused
				}
				c, err := nimbus.ParseColumn("Busy *")
				if err != nil {
					return err
				}
				d := svc.Dist
				d[c] = true
				nb.SetDistribution(svc, d) // calls waiting are offered at once (NB-2)
				return nil
			},
			step: func(*Run, *Action, clock.Time) string {
				return fmt.Sprintf("the Conversations Distribution of %q sets \"Busy *\" to \"Distributed to the user\"", nimbusService)
			}},
		OpNimbusAccount - numTeamsOps: {name: "Nimbus: a presence account", system: sysNimbus, weight: 2,
			draw: func(*Run, Chooser, *Action) {},
			apply: func(r *Run, _ *Action) error {
				if nb, ok := sim.Find[*nimbus.Model](r.w); ok && len(nb.Accounts()) > 0 {
					return errRefused
				}
				_, err := nimbus.Of(r.w).AddAccount("pa1")
				return err
			},
			step: func(*Run, *Action, clock.Time) string { return `Nimbus has the presence account "pa1"` }},
		OpNimbusArrive - numTeamsOps: {name: "Nimbus: a call arrives", system: sysNimbus, weight: 5,
			draw: func(*Run, Chooser, *Action) {},
			apply: func(r *Run, _ *Action) error {
				nb, svc, ok := nbService(r)
				if !ok {
					return errRefused
				}
				nb.Arrive(svc)
				return nil
			},
			step: func(*Run, *Action, clock.Time) string { return fmt.Sprintf("a call arrives at %q", nimbusService) }},
		OpNimbusAnswer - numTeamsOps: {name: "Nimbus: the agent accepts or declines", system: sysNimbus, weight: 5, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) {
				drawUOn(r, c, a)
				// a call rings for seconds: answer it now, at whoever it rings
				if nb, ok := sim.Find[*nimbus.Model](r.w); ok {
					for i, u := range r.users {
						if _, ringing := nb.Ringing(u); ringing {
							a.U, a.Gap = i, 0
						}
					}
				}
			},
			apply: func(r *Run, a *Action) error {
				nb, ok := sim.Find[*nimbus.Model](r.w)
				if !ok {
					return errRefused
				}
				if _, ringing := nb.Ringing(r.users[a.U]); !ringing {
					return errRefused
				}
				if a.On {
					return nb.Accept(r.users[a.U])
				}
				return nb.Decline(r.users[a.U])
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s %s the Nimbus call", r.names[a.U], onOff(a, "accepts", "declines"))
			}},
		OpNimbusHangUp - numTeamsOps: {name: "Nimbus: the agent ends the call", system: sysNimbus, weight: 3, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) {
				drawU(r, c, a)
				if nb, ok := sim.Find[*nimbus.Model](r.w); ok {
					for i, u := range r.users {
						if st, err := nb.State(u); err == nil && st == nimbus.OnCall && c.IntN(2) == 0 {
							a.U = i
						}
					}
				}
			},
			apply: func(r *Run, a *Action) error {
				nb, ok := sim.Find[*nimbus.Model](r.w)
				if !ok {
					return errRefused
				}
				return nb.HangUp(r.users[a.U])
			},
			step: say("%s ends the Nimbus call")},
	}
}

// xpApply runs fn for a person who uses XPhone; others are refused without
// touching the world.
func xpApply(fn func(*xphone.Model, teams.UserID, *Action) error) func(*Run, *Action) error {
	return func(r *Run, a *Action) error {
		xp, ok := xpUser(r, a.U)
		if !ok {
			return errRefused
		}
		return fn(xp, r.users[a.U], a)
	}
}

// xpOnOff applies on to the acting user's XPhone client when the action
// switches on, off when it switches off.
func xpOnOff(on, off func(*xphone.Model, teams.UserID) error) func(*Run, *Action) error {
	return xpApply(func(m *xphone.Model, u teams.UserID, a *Action) error {
		if a.On {
			return on(m, u)
		}
		return off(m, u)
	})
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
