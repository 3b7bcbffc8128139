package event

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/nimbus"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/xphone"
)

// row is one input: its name for people (the explorer's report), its name
// in the control API's JSON, its phrase (see phrase.go), the people it
// needs at least, how it acts on a world, and an example for the step
// catalogue and the tests.
type row struct {
	name    string
	json    string
	phrase  string
	users   int
	apply   func(*input) error
	example Event
	tmpl    *template
}

var rows [NumOps]row

func init() {
	for o, r := range table {
		if r.json == "" {
			panic(fmt.Sprintf("event: input %d has no row", o))
		}
		if r.phrase != "" {
			t, err := compile(r.phrase)
			if err != nil {
				panic(fmt.Sprintf("event: %s: %v", r.json, err))
			}
			r.tmpl = t
		}
		r.example.Op = Op(o)
		rows[o] = r
	}
}

func client(fn func(*teams.Model, teams.UserID, teams.ClientKind) error) func(*input) error {
	return func(in *input) error { return fn(in.m(), in.u(), in.ev.Client) }
}

func onUser(fn func(*teams.Model, teams.UserID) error) func(*input) error {
	return func(in *input) error { return fn(in.m(), in.u()) }
}

// inLastCall applies fn to the last call started and the acting user.
func inLastCall(fn func(*teams.Model, teams.CallID, teams.UserID) error) func(*input) error {
	return func(in *input) error {
		c, ok := LastCall(in.w)
		if !ok {
			return ErrNoCall
		}
		var u teams.UserID
		if len(in.ids) > 0 {
			u = in.u()
		}
		return fn(in.m(), c, u)
	}
}

func startCall(in *input, parties ...teams.UserID) error {
	id, err := in.m().StartCall(parties...)
	if err == nil {
		c := callsOf(in.w)
		c.last, c.has = id, true
	}
	return err
}

// deskCall lifts the handset (or takes a ringing call) on the desk phone
// and talks; a line that is busy or away is refused before anything
// changes.
func deskCall(first pbx.LineEvent) func(*input) error {
	return func(in *input) error {
		if cl, i, ok := pbxUser(in); ok {
			if l := cl.PBX().UserAt(i).Line(pbx.DeskPhone); !l.Present || !l.Registered || l.State != pbx.Idle {
				return ErrRefused
			}
		}
		cl := cloudlink.Of(in.w)
		i, err := cl.PBX().Ensure(in.u())
		if err != nil {
			return err
		}
		if err := cl.PBX().LineEvent(i, pbx.DeskPhone, first); err != nil {
			return err
		}
		return cl.PBX().LineEvent(i, pbx.DeskPhone, pbx.Answer)
	}
}

// pbxUser returns the PBX user of a person without creating one, so that
// an input refused before it acts changes nothing.
func pbxUser(in *input) (*cloudlink.Model, int, bool) {
	cl, ok := sim.Find[*cloudlink.Model](in.w)
	if !ok {
		return nil, 0, false
	}
	i, ok := cl.PBX().Find(in.u())
	return cl, i, ok
}

// onXPhone runs fn for a person who uses XPhone; others are refused
// without touching the world.
func onXPhone(fn func(*xphone.Model, teams.UserID, *Event) error) func(*input) error {
	return func(in *input) error {
		xp, ok := sim.Find[*xphone.Model](in.w)
		if !ok || !xp.Uses(in.u()) {
			return ErrRefused
		}
		return fn(xp, in.u(), &in.ev)
	}
}

func xpOn(fn func(*xphone.Model, teams.UserID) error) func(*input) error {
	return onXPhone(func(m *xphone.Model, u teams.UserID, _ *Event) error { return fn(m, u) })
}

func nbService(in *input) (*nimbus.Model, *nimbus.Service, bool) {
	nb, ok := sim.Find[*nimbus.Model](in.w)
	if !ok {
		return nil, nil, false
	}
	svc, err := nb.Service(in.ev.Name)
	return nb, svc, err == nil
}

// onRinging lets a Nimbus agent at whom a call rings act on it.
func onRinging(fn func(*nimbus.Model, teams.UserID) error) func(*input) error {
	return func(in *input) error {
		nb, ok := sim.Find[*nimbus.Model](in.w)
		if !ok {
			return ErrRefused
		}
		if _, ringing := nb.Ringing(in.u()); !ringing {
			return ErrRefused
		}
		return fn(nb, in.u())
	}
}

const pron = "<her|his|their|the>"

// the examples' values
var (
	alice   = []string{"alice"}
	pair    = []string{"alice", "bob"}
	atTen   = clock.At(1, 10, 0)
	busy    = presence.Of(presence.Busy, presence.ActBusy)
	dnd     = presence.Of(presence.DoNotDisturb, presence.ActDoNotDisturb)
	inACall = presence.Of(presence.Busy, presence.InACall)
)

// table is every input to a world.
var table = [NumOps]row{
	Wait: {name: "wait", json: "wait", apply: func(*input) error { return nil }},

	SignIn: {name: "sign in", json: "signIn", users: 1, phrase: "{user} signs in to Teams on {client}",
		apply: client((*teams.Model).SignIn), example: Event{Users: alice, Client: teams.Web}},
	SignOut: {name: "sign out", json: "signOut", users: 1, phrase: "{user} signs out of Teams on {client}",
		apply: client((*teams.Model).SignOut), example: Event{Users: alice, Client: teams.Desktop}},
	Use: {name: "use a client", json: "use", users: 1, phrase: "{user} uses " + pron + " {client} client",
		apply: client((*teams.Model).Use), example: Event{Users: alice, Client: teams.Desktop}},
	GoIdle: {name: "client goes idle", json: "idle", users: 1, phrase: "{user}'s {client} client goes idle",
		apply: client((*teams.Model).GoIdle), example: Event{Users: alice, Client: teams.Desktop}},
	// The computer's lock and sleep touch every Teams client on it: the
	// desktop app and a web client in its browser (T-ACT-2).
	Lock: {name: "lock", json: "lock", users: 1, phrase: "{user} locks " + pron + " computer",
		apply: onUser((*teams.Model).LockComputer), example: Event{Users: alice}},
	Unlock: {name: "unlock", json: "unlock", users: 1, phrase: "{user} unlocks " + pron + " computer",
		apply: onUser((*teams.Model).UnlockComputer), example: Event{Users: alice}},
	Sleep: {name: "sleep", json: "sleep", users: 1, phrase: "{user}'s computer goes to sleep",
		apply: onUser((*teams.Model).SleepComputer), example: Event{Users: alice}},
	Wake: {name: "wake", json: "wake", users: 1, phrase: "{user}'s computer wakes up",
		apply: onUser((*teams.Model).WakeComputer), example: Event{Users: alice}},
	Background: {name: "mobile to background", json: "background", users: 1, phrase: "{user} sends the mobile app to the background",
		apply: onUser((*teams.Model).Background), example: Event{Users: alice}},
	LoseNetwork: {name: "fault: client loses network", json: "loseNetwork", users: 1, phrase: "{user}'s {client} client loses its network",
		apply: client((*teams.Model).LoseNetwork), example: Event{Users: alice, Client: teams.Desktop}},
	RestoreNetwork: {name: "client network back", json: "restoreNetwork", users: 1, phrase: "{user}'s {client} client gets its network back",
		apply: client((*teams.Model).RestoreNetwork), example: Event{Users: alice, Client: teams.Desktop}},

	StartCall: {name: "start a Teams call", json: "startCall", users: 2, phrase: "{users} <are|start> in a <Teams call|Teams conference call|conference call|call>",
		apply: func(in *input) error { return startCall(in, in.ids...) }, example: Event{Users: []string{"alice", "bob", "carol"}}},
	// the second person calls the first; if it rings it is answered
	PlaceCall: {name: "place a call", json: "placeCall", users: 2, phrase: "{other} calls {user}",
		apply: func(in *input) error {
			if out, _ := in.m().Call(in.u(), in.v()); out != teams.Rings {
				return nil
			}
			return startCall(in, in.v(), in.u())
		}, example: Event{Users: []string{"alice", "bob"}}},
	JoinCall: {name: "join the call", json: "joinCall", users: 1, phrase: "{user} joins the call",
		apply: inLastCall((*teams.Model).JoinCall), example: Event{Users: []string{"carol"}}},
	LeaveCall: {name: "leave the call", json: "leaveCall", users: 1, phrase: "{user} leaves the call",
		apply: inLastCall((*teams.Model).LeaveCall), example: Event{Users: []string{"carol"}}},
	EndCall: {name: "end the call", json: "endCall", phrase: "the call ends",
		apply: inLastCall(func(m *teams.Model, c teams.CallID, _ teams.UserID) error { return m.EndCall(c) })},
	JoinMeeting: {name: "join a Teams meeting", json: "joinMeeting", users: 1, phrase: "{user} joins a Teams meeting",
		apply: onUser((*teams.Model).JoinMeeting), example: Event{Users: alice}},
	LeaveMeeting: {name: "leave the Teams meeting", json: "leaveMeeting", users: 1, phrase: "{user} leaves the Teams meeting",
		apply: onUser((*teams.Model).LeaveMeeting), example: Event{Users: alice}},
	StartPresenting: {name: "start presenting", json: "startPresenting", users: 1, phrase: "{user} starts presenting",
		apply: onUser((*teams.Model).StartPresenting), example: Event{Users: alice}},
	StopPresenting: {name: "stop presenting", json: "stopPresenting", users: 1, phrase: "{user} stops presenting",
		apply: onUser((*teams.Model).StopPresenting), example: Event{Users: alice}},

	Appointment: {name: "calendar entry", json: "appointment", users: 1, phrase: "{user} has {show} from {from} to {to}",
		apply: func(in *input) error {
			day := in.w.Clock.Now().Day()
			if in.ev.From.Day() != day || in.ev.To.Day() != day {
				return ErrNextDay
			}
			_, err := in.m().AddAppointment(in.u(), in.ev.Show.Phrase(), in.ev.From, in.ev.To, in.ev.Show)
			return err
		}, example: Event{Users: alice, Show: teams.ShowFocus, From: atTen, To: atTen.Add(3600e9)}},
	AutoRepliesOn: {name: "automatic replies on", json: "autoRepliesOn", users: 1, phrase: "{user} turns automatic replies on",
		apply: func(in *input) error { return in.m().SetAutoReplies(in.u(), true) }, example: Event{Users: alice}},
	AutoRepliesOff: {name: "automatic replies off", json: "autoRepliesOff", users: 1, phrase: "{user} turns automatic replies off",
		apply: func(in *input) error { return in.m().SetAutoReplies(in.u(), false) }, example: Event{Users: alice}},
	SetManual: {name: "set a status by hand", json: "setPreferred", users: 1, phrase: "{user} sets " + pron + " <status|presence> to {presence}[ for {duration}]",
		apply:   func(in *input) error { return in.m().SetPreferred(in.u(), in.ev.Presence, in.ev.For, teams.ViaClient) },
		example: Event{Users: alice, Presence: busy, For: 2 * 3600e9}},
	ResetManual: {name: "reset the status", json: "clearPreferred", users: 1, phrase: "{user} resets " + pron + " <status|presence>",
		apply: onUser((*teams.Model).ClearPreferred), example: Event{Users: alice}},
	GraphPreferred: {name: "preferred presence through Graph", json: "graphPreferred", users: 1, phrase: "{user}'s preferred presence is set to {presence} through Graph",
		apply:   func(in *input) error { return in.m().SetPreferred(in.u(), in.ev.Presence, 0, teams.ViaGraph) },
		example: Event{Users: alice, Presence: dnd}},
	AppSet: {name: "an app sets presence", json: "appSetPresence", users: 1, phrase: "the app {name} sets {user}'s presence to {presence}[ for {duration}]",
		apply: func(in *input) error {
			return in.m().SetAppPresence(in.u(), in.m().App(in.ev.Name), in.ev.Presence, in.ev.For)
		}, example: Event{Users: alice, Name: "dialer", Presence: inACall, For: 3600e9}},
	AppClear: {name: "an app clears presence", json: "appClearPresence", users: 1, phrase: "the app {name} clears {user}'s presence",
		apply:   func(in *input) error { return in.m().ClearAppPresence(in.u(), in.m().App(in.ev.Name)) },
		example: Event{Users: alice, Name: "dialer"}},
	Priority: {name: "priority access", json: "priorityAccess", users: 2, phrase: "{other} is on {user}'s priority-access list",
		apply: func(in *input) error { in.m().AddPriority(in.u(), in.v()); return nil }, example: Event{Users: pair}},
	Privacy: {name: "privacy mode", json: "privacyMode", users: 1, phrase: "{user} turns privacy mode on",
		apply: func(in *input) error { in.m().SetPrivacy(in.u(), true); return nil }, example: Event{Users: alice}},
	Block: {name: "block", json: "block", users: 2, phrase: "{user} blocks {other}",
		apply: func(in *input) error { in.m().Block(in.u(), in.v()); return nil }, example: Event{Users: pair}},

	// work location (G-LOC-1)
	SetLocation: {name: "a work location is set", json: "setWorkLocation", users: 1, phrase: "{user} sets " + pron + " work location to {location}[ at {place}]",
		apply:   func(in *input) error { return in.m().SetManualLocation(in.u(), in.ev.Location, in.ev.Place) },
		example: Event{Users: alice, Location: teams.WorkOffice, Place: "building 4"}},
	DetectLocation: {name: "a work location is detected", json: "detectWorkLocation", users: 1, phrase: "{user}'s work location is detected as {location}[ at {place}][ by {name}]",
		apply: func(in *input) error {
			by := in.ev.Name
			if by == "" {
				by = "Teams" // no app named: Teams detected it itself
			}
			return in.m().SetAutomaticLocation(in.u(), by, in.ev.Location, in.ev.Place)
		}, example: Event{Users: alice, Location: teams.WorkRemote, Name: "docking station"}},
	ClearLocation: {name: "a work location is cleared", json: "clearWorkLocation", users: 1, phrase: "{user} clears " + pron + " work location",
		apply: onUser((*teams.Model).ClearLocation), example: Event{Users: alice}},
	ClearDetectedLocation: {name: "a detected work location is cleared", json: "clearDetectedWorkLocation", users: 1, phrase: "{user}'s detected work location is cleared",
		apply: onUser((*teams.Model).ClearAutomaticLocation), example: Event{Users: alice}},
	WorkingHours: {name: "working hours with a location", json: "workingHours", users: 1, phrase: "{user} works {where}[ at {place}] on {days} <|from >{start}<–| to |-| – >{end}",
		apply: func(in *input) error {
			ev := in.ev
			return in.m().AddWorkingHours(in.u(), teams.WorkingHours{Days: ev.Days, Start: ev.Start, End: ev.End, Type: ev.Location, PlaceID: ev.Place})
		}, example: Event{Users: alice, Location: teams.WorkOffice, Days: teams.WorkWeek, Start: 9 * 3600e9, End: 17 * 3600e9}},

	// PBX lines and MiVO400 presence behind CloudLink, and CloudLink's
	// restarts
	PBXMakeCall: {name: "PBX: make a call on the desk phone", json: "pbxMakeCall", users: 1, phrase: "{user} makes a call on her desk phone",
		apply: deskCall(pbx.OffHook), example: Event{Users: alice}},
	PBXTakeCall: {name: "PBX: take a call on the desk phone", json: "pbxTakeCall", users: 1, phrase: "{user} takes a call on her desk phone",
		apply: deskCall(pbx.Incoming), example: Event{Users: alice}},
	PBXHangUp: {name: "PBX: hang up the desk phone", json: "pbxHangUp", users: 1, phrase: "{user} hangs up her desk phone",
		apply: func(in *input) error {
			cl, i, ok := pbxUser(in)
			if !ok || cl.PBX().UserAt(i).Line(pbx.DeskPhone).State == pbx.Idle {
				return ErrRefused
			}
			return cl.PBX().LineEvent(i, pbx.DeskPhone, pbx.HangUp)
		}, example: Event{Users: alice}},
	PBXPresence: {name: "PBX: MiVO400 presence on the desk phone", json: "pbxPresence", users: 1, phrase: "{user} sets {state} on her desk phone",
		apply: func(in *input) error {
			cl := cloudlink.Of(in.w)
			i, err := cl.PBX().Ensure(in.u())
			if err != nil {
				return err
			}
			return cl.PBX().SetUserPresence(i, in.ev.State, pbx.ViaPhone)
		}, example: Event{Users: alice, State: pbx.StMeeting}},
	CloudLinkStop: {name: "fault: CloudLink stops", json: "cloudLinkStop", phrase: "CloudLink stops",
		apply: func(in *input) error { cloudlink.Of(in.w).Stop(); return nil }},
	CloudLinkStart: {name: "CloudLink starts again", json: "cloudLinkStart", phrase: "CloudLink starts again",
		apply: func(in *input) error { cloudlink.Of(in.w).Start(); return nil }},

	// XPhone Connect clients, with their faults
	XPhoneUse: {name: "XPhone: user starts using it", json: "xphoneUse", users: 1, phrase: "{user} uses XPhone Connect",
		apply: func(in *input) error {
			if xp, ok := sim.Find[*xphone.Model](in.w); ok && xp.Uses(in.u()) {
				return ErrRefused
			}
			return xphone.Attach(in.w).AddUser(in.u())
		}, example: Event{Users: alice}},
	XPhoneCall: {name: "XPhone: call starts", json: "xphoneCall", users: 1, phrase: "{user} starts an XPhone call",
		apply: xpOn((*xphone.Model).StartCall), example: Event{Users: alice}},
	XPhoneCallEnds: {name: "XPhone: call ends", json: "xphoneCallEnds", users: 1, phrase: "{user}'s XPhone call ends",
		apply: xpOn((*xphone.Model).EndCall), example: Event{Users: alice}},
	XPhoneProfile: {name: "XPhone: select a profile", json: "xphoneProfile", users: 1, phrase: "{user} selects the XPhone profile {name}",
		apply:   onXPhone(func(m *xphone.Model, u teams.UserID, ev *Event) error { return m.SelectProfile(u, ev.Name) }),
		example: Event{Users: alice, Name: "Nicht stören"}},
	XPhoneLoseServer: {name: "fault: XPhone client loses its server", json: "xphoneLoseServer", users: 1, phrase: "{user}'s XPhone client loses its connection to the XPhone server",
		apply: xpOn((*xphone.Model).LoseConnection), example: Event{Users: alice}},
	XPhoneReconnect: {name: "XPhone client reconnects", json: "xphoneReconnect", users: 1, phrase: "{user}'s XPhone client reconnects to the XPhone server",
		apply: xpOn((*xphone.Model).RestoreConnection), example: Event{Users: alice}},
	XPhoneQuit: {name: "fault: XPhone client quits", json: "xphoneQuit", users: 1, phrase: "{user} quits the XPhone client",
		apply: xpOn((*xphone.Model).Quit), example: Event{Users: alice}},
	XPhoneStart: {name: "XPhone client starts", json: "xphoneStart", users: 1, phrase: "{user} starts the XPhone client",
		apply: xpOn((*xphone.Model).Start), example: Event{Users: alice}},
	XPhoneNotificationsStop: {name: "fault: XPhone loses change notifications", json: "xphoneNotificationsStop", users: 1, phrase: "XPhone stops receiving change notifications for {user}",
		apply: xpOn(func(m *xphone.Model, u teams.UserID) error { return m.SetNotifications(u, false) }), example: Event{Users: alice}},
	XPhoneNotificationsResume: {name: "XPhone change notifications resume", json: "xphoneNotificationsResume", users: 1, phrase: "XPhone resumes receiving change notifications for {user}",
		apply: xpOn(func(m *xphone.Model, u teams.UserID) error { return m.SetNotifications(u, true) }), example: Event{Users: alice}},

	// Luware Nimbus: a service, its calls and its agents
	NimbusService: {name: "Nimbus: a service with two agents", json: "nimbusService", users: 2, phrase: "a Nimbus service {name} with the agents {user} and {other}",
		apply: func(in *input) error {
			if _, _, ok := nbService(in); ok {
				return ErrRefused
			}
			nb := nimbus.Of(in.w)
			svc, err := nb.AddService(in.ev.Name, nimbus.TeamBased, nimbus.AvailableOnly)
			if err != nil {
				return err
			}
			for _, u := range in.ids {
				nb.AddMember(svc, u)
			}
			return nil
		}, example: Event{Users: pair, Name: "Support"}},
	NimbusBusyDistributed: {name: "Nimbus: Busy agents get calls", json: "nimbusBusyDistributed", phrase: `the Conversations Distribution of {name} sets "Busy *" to "Distributed to the user"`,
		apply: func(in *input) error {
			nb, svc, ok := nbService(in)
			if !ok {
				return ErrRefused
			}
			c, err := nimbus.ParseColumn("Busy *")
			if err != nil {
				return err
			}
			d := svc.Dist
			d[c] = true
			nb.SetDistribution(svc, d) // calls waiting are offered at once (NB-2)
			return nil
		}, example: Event{Name: "Support"}},
	NimbusAccount: {name: "Nimbus: a presence account", json: "nimbusAccount", phrase: "Nimbus has the presence account {name}",
		apply: func(in *input) error {
			if nb, ok := sim.Find[*nimbus.Model](in.w); ok && len(nb.Accounts()) > 0 {
				return ErrRefused
			}
			_, err := nimbus.Of(in.w).AddAccount(in.ev.Name)
			return err
		}, example: Event{Name: "pa1"}},
	NimbusArrive: {name: "Nimbus: a call arrives", json: "nimbusArrive", phrase: "a call arrives <at|for> {name}",
		apply: func(in *input) error {
			nb, svc, ok := nbService(in)
			if !ok {
				return ErrRefused
			}
			nb.Arrive(svc)
			return nil
		}, example: Event{Name: "Support"}},
	NimbusAccept: {name: "Nimbus: the agent accepts", json: "nimbusAccept", users: 1, phrase: "{user} accepts the Nimbus call",
		apply: onRinging((*nimbus.Model).Accept), example: Event{Users: alice}},
	NimbusDecline: {name: "Nimbus: the agent declines", json: "nimbusDecline", users: 1, phrase: "{user} declines the Nimbus call",
		apply: onRinging((*nimbus.Model).Decline), example: Event{Users: alice}},
	NimbusHangUp: {name: "Nimbus: the agent ends the call", json: "nimbusHangUp", users: 1, phrase: "{user} ends the Nimbus call",
		apply: func(in *input) error {
			nb, ok := sim.Find[*nimbus.Model](in.w)
			if !ok {
				return ErrRefused
			}
			return nb.HangUp(in.u())
		}, example: Event{Users: alice}},

	// a client that vanishes: the session stands, Away, until it times out
	Crash: {name: "a client crashes", json: "crash", users: 1, phrase: "{user}'s {client} client <crashes|quits without signing out>",
		apply: client((*teams.Model).Crash), example: Event{Users: alice, Client: teams.Web}},
	SignOutAll: {name: "sign out everywhere", json: "signOutAll", users: 1, phrase: "{user} signs out of every Teams client",
		apply: func(in *input) error {
			for _, k := range teams.ClientKinds() {
				if err := in.m().SignOut(in.u(), k); err != nil {
					return err
				}
			}
			return nil
		}, example: Event{Users: alice}},
	// an indicator a client shows of itself (T-LOCAL-1)
	Indicator: {name: "a client reports an indicator", json: "indicator", users: 1, phrase: "{user}'s {client} client reports {indicator}",
		apply:   func(in *input) error { return in.m().SetIndicator(in.u(), in.ev.Client, in.ev.Indicator) },
		example: Event{Users: alice, Client: teams.Web, Indicator: teams.AuthenticationFailed}},

	// Graph's faults, on the seam of every in-process model and the Graph
	// fake alike: an outage and its end, and what Graph may do to the
	// change notifications about a user (C-5, C-7, C-8, C-10)
	GraphOutage: {name: "fault: Graph fails a share of requests", json: "graphOutage",
		phrase: "the Graph fake answers {share}% of requests with {status}[ and a Retry-After of {retryAfter}]",
		apply:  graphOutage, example: Event{Share: 100, Status: 503, RetryAfter: 30 * time.Second}},
	GraphRecovers: {name: "Graph recovers", json: "graphRecovers", phrase: "the Graph fake stops injecting faults",
		apply: graphRecovers},
	GraphDelayNotes: {name: "fault: Graph delays notifications", json: "graphDelayNotifications", users: 1, phrase: "Graph delays notifications about {user} by {duration}",
		apply: notes(func(nf *graph.NotifyFaults, ev *Event) { nf.Delay = ev.For }), example: Event{Users: alice, For: 30 * time.Second}},
	GraphReverseNotes: {name: "fault: Graph reverses notifications", json: "graphReverseNotifications", users: 1, phrase: "Graph delivers notifications about {user} in reverse order",
		apply: notes(func(nf *graph.NotifyFaults, _ *Event) { nf.Reverse = true }), example: Event{Users: alice}},
	GraphDropNote: {name: "fault: Graph drops a notification", json: "graphDropNotification", users: 1, phrase: "Graph drops the next notification about {user}",
		apply: notes(func(nf *graph.NotifyFaults, _ *Event) { nf.DropNext++ }), example: Event{Users: alice}},
	GraphDuplicateNotes: {name: "fault: Graph duplicates notifications", json: "graphDuplicateNotifications", users: 1, phrase: "Graph duplicates notifications about {user}",
		apply: notes(func(nf *graph.NotifyFaults, _ *Event) { nf.Duplicate = true }), example: Event{Users: alice}},
}

// Ops lists every op, in the table's order.
func Ops() []Op {
	out := make([]Op, NumOps)
	for i := range out {
		out[i] = Op(i)
	}
	return out
}

// Name is the op's name for people.
func (o Op) Name() string {
	if o >= NumOps {
		return fmt.Sprintf("Op(%d)", uint8(o))
	}
	return rows[o].name
}

// JSON is the op's name in the control API.
func (o Op) JSON() string {
	if o >= NumOps {
		return ""
	}
	return rows[o].json
}

func (o Op) String() string { return o.JSON() }

// Example is an event of the op, for the step catalogue and the tests.
func (o Op) Example() Event { return rows[o].example }

// People is the number of people the op names at least.
func (o Op) People() int { return rows[o].users }

// jsonNames lists the control API's names, for messages.
func jsonNames() string {
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r.json)
	}
	return strings.Join(out, ", ")
}
