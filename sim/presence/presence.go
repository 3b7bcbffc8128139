package presence

import (
	"fmt"
	"sort"
	"strings"
)

// Availability is Graph's base presence value.
type Availability uint8

// The Graph availability values (RULEBOOK §0). The zero value is
// PresenceUnknown so an unset field never reads as Available.
const (
	AvailabilityUnknown Availability = iota // PresenceUnknown
	Available
	AvailableIdle
	Away
	BeRightBack
	Busy
	BusyIdle
	DoNotDisturb
	Offline
	numAvailability
)

// Activity is Graph's supplemental presence value.
type Activity uint8

// The Graph activity values, plus Focusing and AvailableInactive which
// Microsoft text names though the enum lists omit them.
const (
	ActivityUnknown Activity = iota // PresenceUnknown
	ActAvailable
	ActAway
	ActBeRightBack
	ActBusy
	ActDoNotDisturb
	InACall
	InAConferenceCall
	Inactive
	InAMeeting
	ActOffline
	OffWork
	OutOfOffice
	Presenting
	UrgentInterruptionsOnly
	Focusing
	AvailableInactive
	numActivity
)

var availabilityNames = [numAvailability]string{
	AvailabilityUnknown: "PresenceUnknown",
	Available:           "Available",
	AvailableIdle:       "AvailableIdle",
	Away:                "Away",
	BeRightBack:         "BeRightBack",
	Busy:                "Busy",
	BusyIdle:            "BusyIdle",
	DoNotDisturb:        "DoNotDisturb",
	Offline:             "Offline",
}

var activityNames = [numActivity]string{
	ActivityUnknown:         "PresenceUnknown",
	ActAvailable:            "Available",
	ActAway:                 "Away",
	ActBeRightBack:          "BeRightBack",
	ActBusy:                 "Busy",
	ActDoNotDisturb:         "DoNotDisturb",
	InACall:                 "InACall",
	InAConferenceCall:       "InAConferenceCall",
	Inactive:                "Inactive",
	InAMeeting:              "InAMeeting",
	ActOffline:              "Offline",
	OffWork:                 "OffWork",
	OutOfOffice:             "OutOfOffice",
	Presenting:              "Presenting",
	UrgentInterruptionsOnly: "UrgentInterruptionsOnly",
	Focusing:                "Focusing",
	AvailableInactive:       "AvailableInactive",
}

// String is the PascalCase Graph word.
func (a Availability) String() string {
	if a < numAvailability {
		return availabilityNames[a]
	}
	return fmt.Sprintf("Availability(%d)", uint8(a))
}

// String is the PascalCase Graph word.
func (a Activity) String() string {
	if a < numActivity {
		return activityNames[a]
	}
	return fmt.Sprintf("Activity(%d)", uint8(a))
}

// GomegaString prints the value by name in gomega's failure messages
// (gomega's format.GomegaStringer), not as <presence.Availability>: 5.
func (a Availability) GomegaString() string { return a.String() }

// GomegaString prints the value by name in gomega's failure messages.
func (a Activity) GomegaString() string { return a.String() }

// GomegaString prints the presence as "Busy/InACall" in gomega's failure
// messages.
func (p Presence) GomegaString() string { return p.String() }

// Described is "Busy/InACall (Busy – In a call)", for the sentence of a
// failure message.
func (p Presence) Described() string { return p.String() + " (" + p.Label() + ")" }

// GomegaString prints the kind by name in gomega's failure messages.
func (k Kind) GomegaString() string { return k.String() }

// Valid reports whether a is one of the defined values.
func (a Availability) Valid() bool { return a < numAvailability }

// Valid reports whether a is one of the defined values.
func (a Activity) Valid() bool { return a < numActivity }

// Availabilities lists every availability in declaration order.
func Availabilities() []Availability {
	out := make([]Availability, numAvailability)
	for i := range out {
		out[i] = Availability(i)
	}
	return out
}

// Activities lists every activity in declaration order.
func Activities() []Activity {
	out := make([]Activity, numActivity)
	for i := range out {
		out[i] = Activity(i)
	}
	return out
}

// Presence is what a viewer sees of a user: availability, activity and
// whether automatic replies or an out-of-office event are on.
type Presence struct {
	Availability Availability
	Activity     Activity
	OutOfOffice  bool
}

// Unknown is PresenceUnknown/PresenceUnknown.
var Unknown = Presence{}

// Of builds a presence without the out-of-office flag.
func Of(a Availability, act Activity) Presence { return Presence{Availability: a, Activity: act} }

// Pair returns the presence without the out-of-office flag.
func (p Presence) Pair() Presence {
	return Presence{Availability: p.Availability, Activity: p.Activity}
}

// String is "Availability/Activity", with "+OOF" when out of office.
func (p Presence) String() string {
	s := p.Availability.String() + "/" + p.Activity.String()
	if p.OutOfOffice {
		s += " +OOF"
	}
	return s
}

// Short is "Busy" where availability and activity are the same word, else
// "Busy/InACall"; the form the step language uses.
func (p Presence) Short() string {
	s := p.Availability.String()
	if p.Activity.String() != s {
		s += "/" + p.Activity.String()
	}
	if p.OutOfOffice {
		s += " +OOF"
	}
	return s
}

// BaseActivity is the activity that carries no more than the availability
// itself ("Busy/Busy"), used where a source sets only an availability.
func BaseActivity(a Availability) Activity {
	switch a {
	case Available, AvailableIdle:
		return ActAvailable
	case Away:
		return ActAway
	case BeRightBack:
		return ActBeRightBack
	case Busy, BusyIdle:
		return ActBusy
	case DoNotDisturb:
		return ActDoNotDisturb
	case Offline:
		return ActOffline
	}
	return ActivityUnknown
}

// ParseAvailability reads a Graph availability word, PascalCase or camelCase.
func ParseAvailability(s string) (Availability, error) {
	key := fold(s)
	for i, n := range availabilityNames {
		if fold(n) == key {
			return Availability(i), nil
		}
	}
	return 0, fmt.Errorf("unknown availability %q; valid: %s", s, strings.Join(availabilityNames[:], ", "))
}

// ParseActivity reads a Graph activity word, PascalCase or camelCase.
func ParseActivity(s string) (Activity, error) {
	key := fold(s)
	for i, n := range activityNames {
		if fold(n) == key {
			return Activity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown activity %q; valid: %s", s, strings.Join(activityNames[:], ", "))
}

// Parse reads a presence as the step language writes it: "Busy/InACall",
// "Busy" (activity the same word), a German label from the glossary
// ("Am Telefon"), or a Teams display label ("Busy – In a call"). A trailing
// " +OOF" or ", out of office" sets the out-of-office flag.
func Parse(s string) (Presence, error) {
	in := strings.TrimSpace(s)
	var oof bool
	for _, suf := range []string{" +OOF", ", out of office", ", Ausser Haus", ", Außer Haus"} {
		if strings.HasSuffix(in, suf) {
			oof, in = true, strings.TrimSpace(strings.TrimSuffix(in, suf))
		}
	}
	if in == "" {
		return Unknown, fmt.Errorf("empty presence; write Availability/Activity, e.g. Busy/InACall")
	}
	if t, ok := Lookup(in); ok && t.Kind != KindPresence {
		return Unknown, fmt.Errorf("%q (%s) is the %s, not a presence; %s", in, t.Source, t.Kind, kindHint[t.Kind])
	}
	if p, ok := lookupLabel(in); ok {
		if oof {
			p = p.WithOutOfOffice()
		}
		return p, nil
	}
	av, act, slash := strings.Cut(in, "/")
	a, err := ParseAvailability(strings.TrimSpace(av))
	if err != nil {
		return Unknown, fmt.Errorf("unknown presence %q; valid: Availability/Activity with availability one of %s and activity one of %s, or a label: %s",
			s, strings.Join(availabilityNames[:], ", "), strings.Join(activityNames[:], ", "), strings.Join(Labels(), ", "))
	}
	p := Presence{Availability: a, Activity: BaseActivity(a)}
	if a == AvailabilityUnknown {
		p.Activity = ActivityUnknown
	}
	if slash {
		ac, err := ParseActivity(strings.TrimSpace(act))
		if err != nil {
			return Unknown, fmt.Errorf("in presence %q: %w", s, err)
		}
		p.Activity = ac
	} else if p.Activity == ActivityUnknown && a != AvailabilityUnknown {
		return Unknown, fmt.Errorf("presence %q needs an activity: write %s/<Activity>", s, a)
	}
	if oof {
		if slash {
			p.OutOfOffice = true // an explicit pair is taken as written
		} else {
			p = p.WithOutOfOffice()
		}
	}
	return p, nil
}

// kindHint says where a word that is no presence is written instead.
var kindHint = [...]string{
	KindOutOfOffice: `add it to a presence ("Available, out of office", "Verfügbar, ausser Haus") or write "alice is shown as out of office"`,
	KindLastSeen:    `write "bob sees alice as Away, last seen 09:00"`,
	KindIndicator:   `write: alice sees "noNetwork" on her desktop client; or, for the person she blocks: alice sees bob as Blockiert`,
}

// MustParse is Parse for literals in code; it panics on a bad literal.
func MustParse(s string) Presence {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Labels lists every German and display label Parse accepts as a presence,
// sorted.
func Labels() []string {
	out := make([]string, 0, len(glossary))
	for _, g := range glossary {
		if g.Kind == KindPresence {
			out = append(out, g.Label)
		}
	}
	sort.Strings(out)
	return out
}

// oofReplaces says which activities the out-of-office indicator replaces
// (T-OOF-1): "Available, out of office" is Available/OutOfOffice and a user
// with no session is Offline/OutOfOffice, while "In a call, out of office"
// keeps InACall and only sets the flag. Busy, DoNotDisturb and the system
// activities keep theirs (decided).
var oofReplaces = [numActivity]bool{
	ActAvailable:   true,
	ActAway:        true,
	ActBeRightBack: true,
	ActOffline:     true,
	OffWork:        true,
}

// WithOutOfOffice returns p as shown while the user is out of office
// (T-OOF-1): the flag set, and a plain activity replaced by OutOfOffice.
func (p Presence) WithOutOfOffice() Presence {
	p.OutOfOffice = true
	if p.Activity < numActivity && oofReplaces[p.Activity] {
		p.Activity = OutOfOffice
	}
	return p
}
