package presence

import "strings"

// Kind says what a glossary word names: a presence, only the out-of-office
// indicator, the "last seen" time beside Away, or an indicator that is no
// presence anyone is shown (a client-local state, "Blockiert").
type Kind uint8

// The kinds of glossary words.
const (
	KindPresence    Kind = iota // a presence: "Am Telefon" = Busy/InACall
	KindOutOfOffice             // the out-of-office indicator alone: "Ausser Haus"
	KindLastSeen                // Away with the time of the last activity: «Zuletzt gesehen»
	KindIndicator               // shown on one client or to one person only: noNetwork, Blockiert
)

var kindNames = [...]string{"presence", "out-of-office indicator", "last seen", "indicator"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Term is one glossary row: a label from a source document or the Teams UI,
// what it names, and the documents that use it in this spelling.
type Term struct {
	Label    string
	Presence Presence
	Source   string // "seed 000", "seeds 002, 003", "Teams UI"
	Kind     Kind
}

// glossary maps the words of the seed documents and the Teams UI onto Graph
// values (RULEBOOK §0). It is the only place such words are interpreted;
// Source names the seeds that use the word as a state, in this spelling.
var glossary = []Term{
	// seed 000's state table: its status names, the diagnostic names
	{"Unknown", Unknown, "seed 000", KindPresence},
	{"Available", Of(Available, ActAvailable), "seed 000; Teams UI", KindPresence},
	{"Away", Of(Away, ActAway), "seed 000; Teams UI", KindPresence},
	{"Busy", Of(Busy, ActBusy), "seed 000; Teams UI", KindPresence},
	{"Offline", Of(Offline, ActOffline), "seeds 000, 003; Teams UI", KindPresence},
	{"doNotDisturb", Of(DoNotDisturb, ActDoNotDisturb), "seed 000", KindPresence},
	{"Idle", Of(Away, ActAway), "seed 000", KindPresence},
	{"onThePhone", Of(Busy, InACall), "seed 000", KindPresence},
	{"beRightBack", Of(BeRightBack, ActBeRightBack), "seed 000", KindPresence},
	{"presenting", Of(DoNotDisturb, Presenting), "seed 000; Teams UI", KindPresence},
	{"inAMeeting", Of(Busy, InAMeeting), "seed 000", KindPresence},
	{"Im Meeting", Of(Busy, InAMeeting), "seed 000", KindPresence},
	{"Am Telefon", Of(Busy, InACall), "seeds 000, 001", KindPresence},
	{"Abwesend", Of(Away, ActAway), "seeds 000, 002", KindPresence},
	{"Beschäftigt", Of(Busy, ActBusy), "seeds 000, 001, 003", KindPresence},
	// seed 000's client-local indicators and "Blockiert" (T-LOCAL-1, T-FED-3)
	{"newActivity", Unknown, "seed 000", KindIndicator},
	{"connectionerror", Unknown, "seed 000", KindIndicator},
	{"authenticationFailed", Unknown, "seed 000", KindIndicator},
	{"noNetwork", Unknown, "seed 000", KindIndicator},
	{"Blockiert", Unknown, "seed 000", KindIndicator},
	// seeds 001 and 002
	{"Präsentation", Of(DoNotDisturb, Presenting), "seed 001", KindPresence},
	{"Nicht stören", Of(DoNotDisturb, ActDoNotDisturb), "seeds 001, 002, 003", KindPresence},
	{"Bitte nicht stören", Of(DoNotDisturb, ActDoNotDisturb), "seed 002", KindPresence},
	{"Besetzt", Of(Busy, ActBusy), "seed 002", KindPresence},
	{"Besprechung", Of(Busy, InAMeeting), "seed 002", KindPresence},
	{"Unbekannt", Unknown, "seed 002", KindPresence},
	{"Verfügbar", Of(Available, ActAvailable), "seeds 002, 003", KindPresence},
	{"Präsentieren", Of(DoNotDisturb, Presenting), "seeds 002, 003", KindPresence},
	// seed 003's state table
	{"Verfügbar, ausser Haus", Presence{Available, OutOfOffice, true}, "seed 003", KindPresence},
	{"Ausser Haus, verfügbar", Presence{Available, OutOfOffice, true}, "seed 003", KindPresence},
	{"In einem Anruf", Of(Busy, InACall), "seed 003", KindPresence},
	{"Beschäftigt – In einem Anruf", Of(Busy, InACall), "seed 003", KindPresence},
	{"In einer Besprechung", Of(Busy, InAMeeting), "seed 003", KindPresence},
	{"Beschäftigt – In einer Besprechung", Of(Busy, InAMeeting), "seed 003", KindPresence},
	{"Bei einem Anruf, ausser Haus", Presence{Busy, InACall, true}, "seed 003", KindPresence},
	{"Konzentration", Of(DoNotDisturb, Focusing), "seed 003", KindPresence},
	{"Weg", Of(Away, ActAway), "seed 003", KindPresence},
	{"Bin gleich zurück", Of(BeRightBack, ActBeRightBack), "seed 003", KindPresence},
	{"Offline erscheinen", Of(Offline, OffWork), "seed 003", KindPresence},
	{"Status unbekannt", Unknown, "seed 003", KindPresence},
	{"Ausser Haus", Presence{OutOfOffice: true}, "seed 003", KindOutOfOffice},
	{"Abwesenheit", Presence{OutOfOffice: true}, "seed 003", KindOutOfOffice},
	{"Zuletzt gesehen", Of(Away, ActAway), "seed 003", KindLastSeen},
	{"Zeitpunkt für «Zuletzt gesehen»", Of(Away, ActAway), "seed 003", KindLastSeen},
	// the Teams UI in English
	{"Busy – In a call", Of(Busy, InACall), "Teams UI", KindPresence},
	{"Busy – In a conference call", Of(Busy, InAConferenceCall), "Teams UI", KindPresence},
	{"Busy – In a meeting", Of(Busy, InAMeeting), "Teams UI", KindPresence},
	{"In a call", Of(Busy, InACall), "Teams UI", KindPresence},
	{"In a meeting", Of(Busy, InAMeeting), "Teams UI", KindPresence},
	{"Do not disturb", Of(DoNotDisturb, ActDoNotDisturb), "Teams UI", KindPresence},
	{"Do not disturb – Presenting", Of(DoNotDisturb, Presenting), "Teams UI", KindPresence},
	{"Do not disturb – Focusing", Of(DoNotDisturb, Focusing), "Teams UI", KindPresence},
	{"Focusing", Of(DoNotDisturb, Focusing), "Teams UI", KindPresence},
	{"Be right back", Of(BeRightBack, ActBeRightBack), "Teams UI", KindPresence},
	{"Appear offline", Of(Offline, OffWork), "Teams UI", KindPresence},
	{"Status unknown", Unknown, "Teams UI", KindPresence},
	{"Out of office", Presence{OutOfOffice: true}, "Teams UI", KindOutOfOffice},
	{"Last seen", Of(Away, ActAway), "Teams UI", KindLastSeen},
	{"Blocked", Unknown, "Teams UI", KindIndicator},
}

// Lookup finds a glossary word in any of its spellings (see normLabel).
func Lookup(s string) (Term, bool) {
	key := normLabel(s)
	for _, g := range glossary {
		if normLabel(g.Label) == key {
			return g, true
		}
	}
	return Term{}, false
}

func lookupLabel(s string) (Presence, bool) {
	if t, ok := Lookup(s); ok && t.Kind == KindPresence {
		return t.Presence, true
	}
	return Unknown, false
}

// normLabel folds case, the dash variants, ß/ss, the umlauts, the guillemets
// and a closing full stop, so "Busy - In a call", "Ausser Haus" and seed 003's
// "Konzentration." match their glossary spellings.
func normLabel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("–", "-", "—", "-", " - ", " - ", "ß", "ss", "ä", "ae", "ö", "oe", "ü", "ue", "«", "", "»", "", "\u00a0", " ").Replace(s)
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	return strings.Join(strings.Fields(s), " ")
}

// displayActivity is the Teams UI wording of an activity in a display label.
var displayActivity = map[Activity]string{
	InACall:                 "In a call",
	InAConferenceCall:       "In a conference call",
	InAMeeting:              "In a meeting",
	Presenting:              "Presenting",
	Focusing:                "Focusing",
	OffWork:                 "Off work",
	UrgentInterruptionsOnly: "Urgent interruptions only",
	AvailableInactive:       "Inactive",
	Inactive:                "Inactive",
}

var displayAvailability = [numAvailability]string{
	AvailabilityUnknown: "Status unknown",
	Available:           "Available",
	AvailableIdle:       "Available",
	Away:                "Away",
	BeRightBack:         "Be right back",
	Busy:                "Busy",
	BusyIdle:            "Busy",
	DoNotDisturb:        "Do not disturb",
	Offline:             "Offline",
}

// Label is the Teams display label: "Busy – In a call",
// "Available, out of office", "Offline".
func (p Presence) Label() string {
	if !p.Availability.Valid() {
		return p.String()
	}
	s := displayAvailability[p.Availability]
	if p.Activity == OutOfOffice {
		return s + ", out of office"
	}
	if d, ok := displayActivity[p.Activity]; ok {
		s += " – " + d
	}
	if p.OutOfOffice {
		s += ", out of office"
	}
	return s
}
