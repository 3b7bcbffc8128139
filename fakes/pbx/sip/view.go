package sip

import (
	"strconv"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
)

// dialogStates is the dialog state of a line in a call, by line state. An
// idle line has no dialog; one that just went idle reports its call
// terminated once. A held call stays confirmed: RFC 4235 marks holding
// on the local target, not in the state.
var dialogStates = map[pbx.CallState]DialogState{
	pbx.Ringing:   Early,
	pbx.Connected: Confirmed,
	pbx.Held:      Confirmed,
}

// directions names a call's direction from the extension's side.
var directions = map[pbx.Direction]string{
	pbx.Made:     "initiator",
	pbx.Received: "recipient",
}

// userActivities are the RPID activities of the MiVoice Office 400 user
// presence states; Available has none. Unavailable is do-not-disturb
// (its Mitel One twin, CL-5) and closes the tuple.
var userActivities = map[pbx.UserState]Activity{
	pbx.StAway:        ActAway,
	pbx.StMeeting:     ActMeeting,
	pbx.StBusy:        ActBusy,
	pbx.StUnavailable: ActDND,
}

// mitelOneActivities serve a PBX without user presence, where Mitel One
// stands alone (CL-1).
var mitelOneActivities = map[pbx.MitelOneState]Activity{
	pbx.MOAway:         ActAway,
	pbx.MOBusy:         ActBusy,
	pbx.MODoNotDisturb: ActDND,
}

// calls numbers the calls of each line, so that a dialog keeps its id from
// ringing to terminated and the next call gets a new one. It is written
// and read with the world locked.
type calls struct {
	n map[lineKey]uint64
}

type lineKey struct {
	user int
	dev  pbx.Device
}

// saw counts a call that a line change starts.
func (c *calls) saw(ev pbx.Event) {
	if ev.Kind == pbx.LineChanged && ev.Before.State == pbx.Idle && ev.Line.State != pbx.Idle {
		if c.n == nil {
			c.n = map[lineKey]uint64{}
		}
		c.n[lineKey{ev.User, ev.Device}]++
	}
}

var deviceCodes = map[pbx.Device]string{pbx.DeskPhone: "desk", pbx.Softphone: "soft"}

func (c *calls) id(ext string, user int, d pbx.Device) string {
	return ext + "-" + deviceCodes[d] + "-" + strconv.FormatUint(c.n[lineKey{user, d}], 10)
}

// dialogsOf are the dialogs of a user's lines; ev, when it is the line
// change being reported, adds the call it ended as terminated.
func (c *calls) dialogsOf(u pbx.User, user int, ev *pbx.Event) []Dialog {
	var out []Dialog
	for _, l := range u.Lines {
		if !l.Present {
			continue
		}
		if ev != nil && ev.Kind == pbx.LineChanged && ev.Device == l.Device && ev.Before.State != pbx.Idle && l.State == pbx.Idle {
			out = append(out, Dialog{ID: c.id(u.Extension, user, l.Device), Direction: directions[ev.Before.Dir], State: Terminated})
			continue
		}
		st, ok := dialogStates[l.State]
		if !ok {
			continue
		}
		out = append(out, Dialog{ID: c.id(u.Extension, user, l.Device), Direction: directions[l.Dir], State: st, Held: l.State == pbx.Held})
	}
	return out
}

// presenceOf is the PIDF of a user: open while a line is registered and
// the user is not unavailable, the state's name as note, its activity and
// on-the-phone while a line is in a call.
func presenceOf(m *pbx.Model, u pbx.User, entity string, now clock.Time) PIDF {
	p := PIDF{Entity: entity, TupleID: "t" + u.Extension, At: now.Wall()}
	onPhone := false
	for _, l := range u.Lines {
		p.Open = p.Open || (l.Present && l.Registered)
		onPhone = onPhone || (l.Present && l.State != pbx.Idle)
	}
	if m.Settings().UserPresence {
		p.Note = m.Label(u.State)
		if a, ok := userActivities[u.State]; ok {
			p.Activities = append(p.Activities, a)
		}
	} else {
		p.Note = u.MitelOne.Label()
		if a, ok := mitelOneActivities[u.MitelOne]; ok {
			p.Activities = append(p.Activities, a)
		}
	}
	if p.Activities != nil && p.Activities[0] == ActDND {
		p.Open = false
	}
	if onPhone {
		p.Activities = append(p.Activities, ActOnThePhone)
	}
	return p
}
