package teams

import (
	"fmt"

	p "github.com/presencesim/presencesim/sim/presence"
)

// Precedence is the aggregation order among live sources: availability first
// (T-AGG-2, extended by T-AGG-5 for the idle variants and the states the
// rulebook leaves open), activity to break ties (T-AGG-5). Earlier entries win.
type Precedence struct {
	Availability []p.Availability
	Activity     []p.Activity

	avRank  [16]uint8
	actRank [32]uint8
}

// DefaultPrecedence is the rulebook's order.
//
//	T-AGG-2: DoNotDisturb > Busy > Available > Away (Graph, seed 002).
//	T-AGG-5: idle variants rank below their base; BeRightBack between
//	         Available and Away; Offline and PresenceUnknown last (decided).
func DefaultPrecedence() Precedence {
	return Precedence{
		Availability: []p.Availability{
			p.DoNotDisturb, p.Busy, p.BusyIdle, p.Available, p.AvailableIdle,
			p.BeRightBack, p.Away, p.Offline, p.AvailabilityUnknown,
		},
		Activity: []p.Activity{
			p.Presenting, p.Focusing, p.ActDoNotDisturb, p.UrgentInterruptionsOnly,
			p.InAConferenceCall, p.InACall, p.InAMeeting, p.ActBusy,
			p.ActAvailable, p.AvailableInactive, p.Inactive,
			p.ActBeRightBack, p.ActAway, p.OutOfOffice, p.OffWork, p.ActOffline, p.ActivityUnknown,
		},
	}
}

// compile turns the lists into rank arrays (higher wins) and checks that each
// value appears exactly once.
func (pr *Precedence) compile() error {
	pr.avRank, pr.actRank = [16]uint8{}, [32]uint8{}
	seenAv := map[p.Availability]bool{}
	for i, a := range pr.Availability {
		if !a.Valid() || seenAv[a] {
			return fmt.Errorf("precedence: availability %v listed twice or invalid", a)
		}
		seenAv[a] = true
		pr.avRank[a] = uint8(len(pr.Availability) - i)
	}
	seenAct := map[p.Activity]bool{}
	for i, a := range pr.Activity {
		if !a.Valid() || seenAct[a] {
			return fmt.Errorf("precedence: activity %v listed twice or invalid", a)
		}
		seenAct[a] = true
		pr.actRank[a] = uint8(len(pr.Activity) - i)
	}
	for _, a := range p.Availabilities() {
		if !seenAv[a] {
			return fmt.Errorf("precedence: availability %v missing", a)
		}
	}
	for _, a := range p.Activities() {
		if !seenAct[a] {
			return fmt.Errorf("precedence: activity %v missing", a)
		}
	}
	return nil
}

// beats reports whether a outranks b, and whether the availability decided.
func (pr *Precedence) beats(a, b p.Presence) (wins, byAvailability bool) {
	ra, rb := pr.avRank[a.Availability], pr.avRank[b.Availability]
	if ra != rb {
		return ra > rb, true
	}
	return pr.actRank[a.Activity] > pr.actRank[b.Activity], false
}

// SwapAvailability exchanges two entries of the availability order; a test
// hook that breaks T-AGG-2 on purpose.
func (pr *Precedence) SwapAvailability(a, b p.Availability) {
	for i := range pr.Availability {
		switch pr.Availability[i] {
		case a:
			pr.Availability[i] = b
		case b:
			pr.Availability[i] = a
		}
	}
}

// sourceRule names, per kind of source, the rule by which it yields its
// presence; the explanation and the trace cite it.
var sourceRule = [numSourceKinds]string{
	SrcDesktop:    "T-ACT-1",
	SrcWeb:        "T-ACT-1",
	SrcMobile:     "T-ACT-1",
	SrcCall:       "T-CALL-1",
	SrcMeeting:    "T-CALL-1",
	SrcPresenting: "T-PRES-1",
	SrcCalendar:   "T-CAL-1",
	SrcFocus:      "T-CAL-2",
	SrcApp:        "T-SRC-2",
	SrcPreferred:  rulePreferred,
	SrcOOF:        "T-OOF-1",
}

// The rules by which the aggregation itself decides (T-AGG-1..5) and by
// which a source yields less than its kind's rule says.
const (
	rulePreferred         = "T-AGG-1" // a preferred presence overrides the sources
	ruleHighest           = "T-AGG-2" // the highest availability among live sources wins
	rulePreferredNoEffect = "T-AGG-3" // no session: a preferred presence has no effect
	ruleNoSession         = "T-AGG-4" // no session: Offline
	ruleActivityDecides   = "T-AGG-5" // equal availability: the activity decides
	ruleClientIdle        = "T-ACT-2" // idle, locked or in the background: Away
	ruleClientVanished    = "T-ACT-4" // gone without signing out: Away until it times out
	ruleFaded             = "G-SET-2" // an app session not refreshed fades
	ruleWorkLocation      = "G-LOC-1" // the work location's three layers
)

// sourcePresence is what a system source shows while it is on.
var sourcePresence = [numSourceKinds]p.Presence{
	SrcCall:       p.Of(p.Busy, p.InACall),
	SrcMeeting:    p.Of(p.Busy, p.InAMeeting),
	SrcPresenting: p.Of(p.DoNotDisturb, p.Presenting),
	SrcCalendar:   p.Of(p.Busy, p.InAMeeting),
	SrcFocus:      p.Of(p.DoNotDisturb, p.Focusing),
}

// clientPresence is what a client session shows per state (T-ACT-1, T-ACT-2):
// running and active → Available; idle, locked or in the background → Away.
var clientPresence = [numClientStates]p.Presence{
	Active:     p.Of(p.Available, p.ActAvailable),
	Idle:       p.Of(p.Away, p.ActAway),
	Locked:     p.Of(p.Away, p.ActAway),
	Background: p.Of(p.Away, p.ActAway),
}

// federatedAvailability projects availability onto the user-configured level
// that federated users and external apps see (T-FED-1).
var federatedAvailability = [16]p.Availability{
	p.AvailabilityUnknown: p.AvailabilityUnknown,
	p.Available:           p.Available,
	p.AvailableIdle:       p.Available,
	p.Away:                p.Away,
	p.BeRightBack:         p.BeRightBack,
	p.Busy:                p.Busy,
	p.BusyIdle:            p.Busy,
	p.DoNotDisturb:        p.DoNotDisturb,
	p.Offline:             p.Offline,
}

// Colour is the colour external viewers see (T-FED-2).
type Colour string

// The colours of T-FED-2.
const (
	Green  Colour = "green"
	Yellow Colour = "yellow"
	Red    Colour = "red"
	Grey   Colour = "grey"
)

// colourOf is the T-FED-2 table; PresenceUnknown shows grey like Offline
// (decided).
var colourOf = [16]Colour{
	p.AvailabilityUnknown: Grey,
	p.Available:           Green,
	p.AvailableIdle:       Green,
	p.Away:                Yellow,
	p.BeRightBack:         Yellow,
	p.Busy:                Red,
	p.BusyIdle:            Red,
	p.DoNotDisturb:        Red,
	p.Offline:             Grey,
}

// ColourOf returns the T-FED-2 colour of an availability.
func ColourOf(a p.Availability) Colour { return colourOf[a] }

// CallOutcome is what happens to an incoming call (T-REACH-1).
type CallOutcome string

// ChatOutcome is what happens to an incoming chat message (T-REACH-1).
type ChatOutcome string

// The outcomes of T-REACH-1.
const (
	Rings        CallOutcome = "rings"
	Voicemail    CallOutcome = "goes to voicemail"
	NotDelivered CallOutcome = "is not delivered"

	Delivered       ChatOutcome = "is delivered with a banner"
	DeliveredQuiet  ChatOutcome = "is delivered without a banner"
	HeldUntilOnline ChatOutcome = "is held until the user is online"
)

// reach is the T-REACH-1 table: per availability, what a call and a chat do;
// people on the priority-access list break through DoNotDisturb.
var reach = [16]struct {
	call, callPriority CallOutcome
	chat, chatPriority ChatOutcome
}{
	p.AvailabilityUnknown: {Rings, Rings, Delivered, Delivered},
	p.Available:           {Rings, Rings, Delivered, Delivered},
	p.AvailableIdle:       {Rings, Rings, Delivered, Delivered},
	p.Away:                {Rings, Rings, Delivered, Delivered},
	p.BeRightBack:         {Rings, Rings, Delivered, Delivered},
	p.Busy:                {Rings, Rings, Delivered, Delivered},
	p.BusyIdle:            {Rings, Rings, Delivered, Delivered},
	p.DoNotDisturb:        {Voicemail, Rings, DeliveredQuiet, Delivered},
	p.Offline:             {Voicemail, Voicemail, HeldUntilOnline, HeldUntilOnline},
}
