package explore

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Op is a kind of action.
type Op uint8

// The actions a run draws from. Each has a step of the step language, so a
// run can be written as a feature.
const (
	OpWait Op = iota
	OpSignIn
	OpSignOut
	OpUse
	OpGoIdle
	OpLock
	OpUnlock
	OpSleep
	OpWake
	OpBackground
	OpLoseNetwork
	OpRestoreNetwork
	OpStartCall
	OpPlaceCall
	OpJoinCall
	OpLeaveCall
	OpEndCall
	OpJoinMeeting
	OpLeaveMeeting
	OpStartPresenting
	OpStopPresenting
	OpAppointment
	OpAutoReplies
	OpSetManual
	OpResetManual
	OpGraphPreferred
	OpAppSet
	OpAppClear
	OpPriority
	OpPrivacy
	OpBlock
	OpWorkLocation
	OpClearLocation
	OpWorkingHours
	numTeamsOps
)

// Action is one thing that happens to a world, after Gap of virtual time.
// U, V and W index the run's users (W < 0: none); the other fields are
// used by the ops that need them.
type Action struct {
	Gap     time.Duration
	Op      Op
	U, V, W int
	Kind    teams.ClientKind
	P       presence.Presence
	Dur     time.Duration // manual or app presence lifetime; 0 = default
	App     int
	StartIn time.Duration // appointment: start relative to now
	Length  time.Duration // appointment length
	Show    teams.ShowAs
	On      bool // automatic replies on or off; work location: manual, or clear both layers
	Loc     teams.WorkLocationType
	Place   string         // work location: the place, if any
	Days    teams.Weekdays // working hours
}

// users lists the user indexes the action refers to.
func (a Action) users() []int {
	switch ops[a.Op].parties {
	case 0:
		return nil
	case 1:
		return []int{a.U}
	case 2:
		return []int{a.U, a.V}
	}
	if a.W >= 0 {
		return []int{a.U, a.V, a.W}
	}
	return []int{a.U, a.V}
}

// opSpec is one op: how often it is drawn, how its fields are drawn, how it
// acts on the world and the step that says the same.
type opSpec struct {
	name    string
	system  system // the integration the op needs; Teams ops need none
	weight  int
	parties int // users referred to: 0, 1, 2, or 3 (U, V and optional W)
	draw    func(r *Run, c Chooser, a *Action)
	apply   func(r *Run, a *Action) error
	step    func(r *Run, a *Action, now clock.Time) string
}

var (
	// the pairs a user or Graph may set (T-MAN-1, G-PREF-1) and those an
	// app may write (G-SET-1): the vocabulary's own tables
	manualPairs     = presence.PreferredPairs.Pairs
	appPairs        = presence.SetPresencePairs.Pairs
	manualDurations = []time.Duration{0, 0, 30 * time.Minute, 2 * time.Hour}
	appDurations    = []time.Duration{0, 5 * time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour}
	showKinds       = []teams.ShowAs{teams.ShowBusy, teams.ShowBusy, teams.ShowFocus, teams.ShowOOF}
)

func pickUser(r *Run, c Chooser) int { return c.IntN(len(r.names)) }

// pickOther draws a user other than those in not (distinct, fewer than the
// people of the run) with a single choice, so no sequence of choices can
// make it loop.
func pickOther(r *Run, c Chooser, not ...int) int {
	v := c.IntN(len(r.names) - len(not))
	for u := range r.names {
		excluded := false
		for _, n := range not {
			excluded = excluded || n == u
		}
		if excluded {
			continue
		}
		if v == 0 {
			return u
		}
		v--
	}
	return 0
}

func drawU(r *Run, c Chooser, a *Action) { a.U = pickUser(r, c) }
func drawUKind(r *Run, c Chooser, a *Action) {
	a.U, a.Kind = pickUser(r, c), teams.ClientKind(c.IntN(3))
}
func drawUV(r *Run, c Chooser, a *Action) { a.U = pickUser(r, c); a.V = pickOther(r, c, a.U) }
func onClient(fn func(*teams.Model, teams.UserID, teams.ClientKind) error) func(*Run, *Action) error {
	return func(r *Run, a *Action) error { return fn(r.w.Teams, r.users[a.U], a.Kind) }
}
func onDesktop(fn func(*teams.Model, teams.UserID, teams.ClientKind) error) func(*Run, *Action) error {
	return func(r *Run, a *Action) error { return fn(r.w.Teams, r.users[a.U], teams.Desktop) }
}
func onUser(fn func(*teams.Model, teams.UserID) error) func(*Run, *Action) error {
	return func(r *Run, a *Action) error { return fn(r.w.Teams, r.users[a.U]) }
}

// onCall applies fn to the last call started and the acting user; with no
// call yet the action is refused.
func onCall(fn func(*teams.Model, teams.CallID, teams.UserID) error) func(*Run, *Action) error {
	return func(r *Run, a *Action) error {
		if !r.hasCall {
			return errNoCall
		}
		return fn(r.w.Teams, r.lastCall, r.users[a.U])
	}
}
func say(format string) func(*Run, *Action, clock.Time) string {
	return func(r *Run, a *Action, _ clock.Time) string { return fmt.Sprintf(format, r.names[a.U]) }
}
func sayKind(format string) func(*Run, *Action, clock.Time) string {
	return func(r *Run, a *Action, _ clock.Time) string { return fmt.Sprintf(format, r.names[a.U], a.Kind) }
}

// ops is the action table. The steps are phrases of the step catalogue;
// a test checks each against it.
var ops [numOps]opSpec

func init() {
	teamsOps := [numTeamsOps]opSpec{
		OpWait: {name: "wait", weight: 4,
			draw:  func(*Run, Chooser, *Action) {},
			apply: func(*Run, *Action) error { return nil },
			step:  func(*Run, *Action, clock.Time) string { return "" }},
		OpSignIn: {name: "sign in", weight: 10, parties: 1, draw: drawUKind,
			apply: onClient((*teams.Model).SignIn),
			step:  sayKind("%s signs in to Teams on %s")},
		OpSignOut: {name: "sign out", weight: 4, parties: 1, draw: drawUKind,
			apply: onClient((*teams.Model).SignOut),
			step:  sayKind("%s signs out of Teams on %s")},
		OpUse: {name: "use a client", weight: 8, parties: 1, draw: drawUKind,
			apply: onClient((*teams.Model).Use),
			step:  sayKind("%s uses her %s client")},
		OpGoIdle: {name: "client goes idle", weight: 3, parties: 1, draw: drawUKind,
			apply: onClient((*teams.Model).GoIdle),
			step:  sayKind("%s's %s client goes idle")},
		OpLock: {name: "lock", weight: 3, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).LockComputer),
			step:  say("%s locks her computer")},
		OpUnlock: {name: "unlock", weight: 3, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).UnlockComputer),
			step:  say("%s unlocks her computer")},
		OpSleep: {name: "sleep", weight: 2, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).SleepComputer),
			step:  say("%s's computer goes to sleep")},
		OpWake: {name: "wake", weight: 2, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).WakeComputer),
			step:  say("%s's computer wakes up")},
		OpBackground: {name: "mobile to background", weight: 3, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).Background),
			step:  say("%s sends the mobile app to the background")},
		OpLoseNetwork: {name: "fault: client loses network", weight: 3, parties: 1, draw: drawUKind,
			apply: onClient((*teams.Model).LoseNetwork),
			step:  sayKind("%s's %s client loses its network")},
		OpRestoreNetwork: {name: "client network back", weight: 3, parties: 1, draw: drawUKind,
			apply: onClient((*teams.Model).RestoreNetwork),
			step:  sayKind("%s's %s client gets its network back")},
		OpStartCall: {name: "start a Teams call", weight: 4, parties: 3,
			draw: func(r *Run, c Chooser, a *Action) {
				drawUV(r, c, a)
				a.W = -1
				if len(r.names) > 2 && c.IntN(4) == 0 {
					a.W = pickOther(r, c, a.U, a.V)
				}
			},
			apply: func(r *Run, a *Action) error {
				parties := []teams.UserID{r.users[a.U], r.users[a.V]}
				if a.W >= 0 {
					parties = append(parties, r.users[a.W])
				}
				id, err := r.w.Teams.StartCall(parties...)
				if err == nil {
					r.lastCall, r.hasCall = id, true
				}
				return err
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				if a.W >= 0 {
					return fmt.Sprintf("%s, %s and %s are in a Teams call", r.names[a.U], r.names[a.V], r.names[a.W])
				}
				return fmt.Sprintf("%s and %s are in a Teams call", r.names[a.U], r.names[a.V])
			}},
		OpPlaceCall: {name: "place a call", weight: 3, parties: 2, draw: drawUV,
			apply: func(r *Run, a *Action) error {
				// V calls U; if it rings it is answered (as the step does).
				out, _ := r.w.Teams.Call(r.users[a.U], r.users[a.V])
				if out != teams.Rings {
					return nil
				}
				id, err := r.w.Teams.StartCall(r.users[a.V], r.users[a.U])
				if err == nil {
					r.lastCall, r.hasCall = id, true
				}
				return err
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s calls %s", r.names[a.V], r.names[a.U])
			}},
		OpJoinCall: {name: "join the call", weight: 2, parties: 1, draw: drawU,
			apply: onCall((*teams.Model).JoinCall),
			step:  say("%s joins the call")},
		OpLeaveCall: {name: "leave the call", weight: 3, parties: 1, draw: drawU,
			apply: onCall((*teams.Model).LeaveCall),
			step:  say("%s leaves the call")},
		OpEndCall: {name: "end the call", weight: 3,
			draw: func(*Run, Chooser, *Action) {},
			apply: onCall(func(m *teams.Model, c teams.CallID, _ teams.UserID) error {
				return m.EndCall(c)
			}),
			step: func(*Run, *Action, clock.Time) string { return "the call ends" }},
		OpJoinMeeting: {name: "join a Teams meeting", weight: 3, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).JoinMeeting),
			step:  say("%s joins a Teams meeting")},
		OpLeaveMeeting: {name: "leave the Teams meeting", weight: 3, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).LeaveMeeting),
			step:  say("%s leaves the Teams meeting")},
		OpStartPresenting: {name: "start presenting", weight: 2, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).StartPresenting),
			step:  say("%s starts presenting")},
		OpStopPresenting: {name: "stop presenting", weight: 2, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).StopPresenting),
			step:  say("%s stops presenting")},
		OpAppointment: {name: "calendar entry", weight: 4, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) {
				a.U = pickUser(r, c)
				a.Show = showKinds[c.IntN(len(showKinds))]
				a.StartIn = time.Duration(c.IntN(13)) * 15 * time.Minute
				a.Length = time.Duration(1+c.IntN(8)) * 15 * time.Minute
			},
			apply: func(r *Run, a *Action) error {
				now := r.w.Clock.Now()
				if now.Add(a.StartIn+a.Length).Day() != now.Day() {
					// the step names times of the current day only
					return errNextDay
				}
				_, err := r.w.Teams.AddAppointment(r.users[a.U], a.Show.Phrase(), now.Add(a.StartIn), now.Add(a.StartIn+a.Length), a.Show)
				return err
			},
			step: func(r *Run, a *Action, now clock.Time) string {
				return fmt.Sprintf("%s has %s %s from %s to %s", r.names[a.U], article(a.Show.Phrase()), a.Show.Phrase(), hhmm(now.Add(a.StartIn)), hhmm(now.Add(a.StartIn+a.Length)))
			}},
		OpAutoReplies: {name: "automatic replies", weight: 2, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) { a.U, a.On = pickUser(r, c), c.IntN(2) == 0 },
			apply: func(r *Run, a *Action) error {
				return r.w.Teams.SetAutoReplies(r.users[a.U], a.On)
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s turns automatic replies %s", r.names[a.U], map[bool]string{true: "on", false: "off"}[a.On])
			}},
		OpSetManual: {name: "set a status by hand", weight: 5, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) {
				a.U = pickUser(r, c)
				a.P = manualPairs[c.IntN(len(manualPairs))]
				a.Dur = manualDurations[c.IntN(len(manualDurations))]
			},
			apply: func(r *Run, a *Action) error {
				return r.w.Teams.SetPreferred(r.users[a.U], a.P, a.Dur, teams.ViaClient)
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				s := fmt.Sprintf("%s sets her status to %s", r.names[a.U], a.P.Short())
				if a.Dur > 0 {
					s += " for " + duration(a.Dur)
				}
				return s
			}},
		OpResetManual: {name: "reset the status", weight: 3, parties: 1, draw: drawU,
			apply: onUser((*teams.Model).ClearPreferred),
			step:  say("%s resets her status")},
		OpGraphPreferred: {name: "preferred presence through Graph", weight: 2, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) {
				a.U, a.P = pickUser(r, c), manualPairs[c.IntN(len(manualPairs))]
			},
			apply: func(r *Run, a *Action) error {
				return r.w.Teams.SetPreferred(r.users[a.U], a.P, 0, teams.ViaGraph)
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s's preferred presence is set to %s through Graph", r.names[a.U], a.P.Short())
			}},
		OpAppSet: {name: "an app sets presence", weight: 5, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) {
				a.U, a.App = pickUser(r, c), c.IntN(len(appNames))
				a.P = appPairs[c.IntN(len(appPairs))]
				a.Dur = appDurations[c.IntN(len(appDurations))]
			},
			apply: func(r *Run, a *Action) error {
				return r.w.Teams.SetAppPresence(r.users[a.U], r.w.Teams.App(appNames[a.App]), a.P, a.Dur)
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				s := fmt.Sprintf("the app %q sets %s's presence to %s", appNames[a.App], r.names[a.U], a.P.Short())
				if a.Dur > 0 {
					s += " for " + duration(a.Dur)
				}
				return s
			}},
		OpAppClear: {name: "an app clears presence", weight: 3, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) { a.U, a.App = pickUser(r, c), c.IntN(len(appNames)) },
			apply: func(r *Run, a *Action) error {
				return r.w.Teams.ClearAppPresence(r.users[a.U], r.w.Teams.App(appNames[a.App]))
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("the app %q clears %s's presence", appNames[a.App], r.names[a.U])
			}},
		OpPriority: {name: "priority access", weight: 1, parties: 2, draw: drawUV,
			apply: func(r *Run, a *Action) error { r.w.Teams.AddPriority(r.users[a.U], r.users[a.V]); return nil },
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s is on %s's priority-access list", r.names[a.V], r.names[a.U])
			}},
		OpPrivacy: {name: "privacy mode", weight: 1, parties: 1, draw: drawU,
			apply: func(r *Run, a *Action) error { r.w.Teams.SetPrivacy(r.users[a.U], true); return nil },
			step:  say("%s turns privacy mode on")},
		OpBlock: {name: "block", weight: 1, parties: 2, draw: drawUV,
			apply: func(r *Run, a *Action) error { r.w.Teams.Block(r.users[a.U], r.users[a.V]); return nil },
			step: func(r *Run, a *Action, _ clock.Time) string {
				return fmt.Sprintf("%s blocks %s", r.names[a.U], r.names[a.V])
			}},
	}
	for i, spec := range locationOps() {
		teamsOps[OpWorkLocation+Op(i)] = spec
	}
	copy(ops[:], teamsOps[:])
	copy(ops[numTeamsOps:], integrationOps())
	for i := range ops {
		if ops[i].name == "" {
			panic(fmt.Sprintf("explore: op %d has no entry in the action table", i))
		}
	}
}

var (
	errNoCall  = fmt.Errorf("there is no call yet")
	errNextDay = fmt.Errorf("a calendar entry within the day only")
)

// hhmm prints the time of day, as the calendar step reads it.
func hhmm(t clock.Time) string {
	d := time.Duration(t) % (24 * time.Hour)
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// appNames are the third-party apps that write presence sessions.
var appNames = []string{"dialer", "crm"}

func article(w string) string {
	if strings.IndexByte("aeiou", w[0]) >= 0 {
		return "an"
	}
	return "a"
}

// duration prints d the way the step language reads it.
func duration(d time.Duration) string {
	unit, n := "minute", int(d/time.Minute)
	switch {
	case d%(24*time.Hour) == 0:
		unit, n = "day", int(d/(24*time.Hour))
	case d%time.Hour == 0:
		unit, n = "hour", int(d/time.Hour)
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}
