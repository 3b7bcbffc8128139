package presence

import "strings"

// Term is one glossary row: a label from a source document or the Teams UI
// and the presence it stands for.
type Term struct {
	Label    string
	Presence Presence
	Source   string // where the label comes from
}

// glossary maps the words of the seed documents and the Teams UI onto Graph
// values (RULEBOOK §0). It is the only place such words are interpreted.
var glossary = []Term{
	{"Verfügbar", Of(Available, ActAvailable), "seeds 002, 003"},
	{"Beschäftigt", Of(Busy, ActBusy), "seeds 000, 003"},
	{"Besetzt", Of(Busy, ActBusy), "seed 002"},
	{"Am Telefon", Of(Busy, InACall), "seeds 001, 003"},
	{"In einem Anruf", Of(Busy, InACall), "seed 003"},
	{"In einer Besprechung", Of(Busy, InAMeeting), "seed 003"},
	{"Besprechung", Of(Busy, InAMeeting), "seed 002"},
	{"Nicht stören", Of(DoNotDisturb, ActDoNotDisturb), "seeds 001, 002"},
	{"Bitte nicht stören", Of(DoNotDisturb, ActDoNotDisturb), "seed 003"},
	{"Präsentieren", Of(DoNotDisturb, Presenting), "seeds 002, 003"},
	{"Präsentation", Of(DoNotDisturb, Presenting), "seed 001"},
	{"Konzentration", Of(DoNotDisturb, Focusing), "seed 003"},
	{"Abwesend", Of(Away, ActAway), "seeds 000, 002"},
	{"Weg", Of(Away, ActAway), "seed 002"},
	{"Bin gleich zurück", Of(BeRightBack, ActBeRightBack), "seed 003"},
	{"Offline erscheinen", Of(Offline, OffWork), "seed 003"},
	{"Status unbekannt", Unknown, "seed 003"},
	{"Unbekannt", Unknown, "seed 002"},
	{"Available", Of(Available, ActAvailable), "Teams UI"},
	{"Busy – In a call", Of(Busy, InACall), "Teams UI"},
	{"Busy – In a conference call", Of(Busy, InAConferenceCall), "Teams UI"},
	{"Busy – In a meeting", Of(Busy, InAMeeting), "Teams UI"},
	{"In a call", Of(Busy, InACall), "Teams UI"},
	{"In a meeting", Of(Busy, InAMeeting), "Teams UI"},
	{"Do not disturb", Of(DoNotDisturb, ActDoNotDisturb), "Teams UI"},
	{"Do not disturb – Presenting", Of(DoNotDisturb, Presenting), "Teams UI"},
	{"Do not disturb – Focusing", Of(DoNotDisturb, Focusing), "Teams UI"},
	{"Presenting", Of(DoNotDisturb, Presenting), "Teams UI"},
	{"Focusing", Of(DoNotDisturb, Focusing), "Teams UI"},
	{"Be right back", Of(BeRightBack, ActBeRightBack), "Teams UI"},
	{"Appear offline", Of(Offline, OffWork), "Teams UI"},
	{"Status unknown", Unknown, "Teams UI"},
}

func lookupLabel(s string) (Presence, bool) {
	key := normLabel(s)
	for _, g := range glossary {
		if normLabel(g.Label) == key {
			return g.Presence, true
		}
	}
	return Unknown, false
}

// normLabel folds case, the dash variants and ß/ss so "Busy - In a call" and
// "Ausser Haus" match their typographic spellings.
func normLabel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("–", "-", "—", "-", "ß", "ss", "ä", "ae", "ö", "oe", "ü", "ue").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// Glossary returns a copy of the label table.
func Glossary() []Term { return append([]Term(nil), glossary...) }

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
