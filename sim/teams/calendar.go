package teams

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// ShowAs is how a calendar entry shows the user (Exchange's showAs).
type ShowAs uint8

// The calendar entries presence reacts to.
const (
	ShowBusy  ShowAs = iota // an appointment or meeting: Busy/InAMeeting (T-CAL-1)
	ShowFocus               // focus time: DoNotDisturb/Focusing (T-CAL-2)
	ShowOOF                 // shown as out of office (T-OOF-1)
	ShowFree                // free: no effect
	numShowAs
)

// showAsTable is the one vocabulary of calendar entries: the name the model
// prints, the phrase a scenario and an explored action write ("alice has a
// meeting from 10:00 to 11:00"), further words read as the same, and the
// source an entry keeps on while it runs.
var showAsTable = [numShowAs]struct {
	name, phrase string
	also         []string
	src          SourceKind // numSourceKinds: none
}{
	ShowBusy:  {"busy", "meeting", []string{"appointment"}, SrcCalendar},
	ShowFocus: {"focus", "focus time", nil, SrcFocus},
	ShowOOF:   {"oof", "out-of-office event", []string{"out of office"}, SrcOOF},
	ShowFree:  {"free", "free slot", nil, numSourceKinds},
}

func (s ShowAs) String() string {
	if s >= numShowAs {
		return fmt.Sprintf("ShowAs(%d)", uint8(s))
	}
	return showAsTable[s].name
}

// Phrase is how a scenario names an entry of this kind: "meeting", "focus
// time", "out-of-office event", "free slot".
func (s ShowAs) Phrase() string { return showAsTable[s].phrase }

// source is the presence source an active entry keeps on; numSourceKinds
// for an entry that has no effect.
func (s ShowAs) source() SourceKind { return showAsTable[s].src }

// ShowAsPhrases is the alternation of the phrases and other words
// ParseShowAs reads, for a step's pattern.
func ShowAsPhrases() string {
	var words []string
	for _, r := range showAsTable {
		words = append(words, regexp.QuoteMeta(r.phrase))
		for _, w := range r.also {
			words = append(words, regexp.QuoteMeta(w))
		}
	}
	return strings.Join(words, "|")
}

// ParseShowAs reads a calendar entry's kind by its phrase ("meeting",
// "focus time", "out-of-office event", "free slot"), its name (busy, focus,
// oof, free) or another word for it ("appointment", "out of office"), in
// any case.
func ParseShowAs(s string) (ShowAs, error) {
	in := strings.TrimSpace(s)
	for k, r := range showAsTable {
		if strings.EqualFold(in, r.phrase) || strings.EqualFold(in, r.name) || slices.ContainsFunc(r.also, func(w string) bool { return strings.EqualFold(in, w) }) {
			return ShowAs(k), nil
		}
	}
	valid := make([]string, 0, len(showAsTable))
	for _, r := range showAsTable {
		valid = append(valid, r.phrase)
	}
	return 0, fmt.Errorf("unknown calendar entry %q; valid: %s", clip(s, 40), strings.Join(valid, ", "))
}

// Appointment is a calendar entry.
type Appointment struct {
	Subject    string
	Start, End clock.Time
	ShowAs     ShowAs
	active     bool
	start, end clock.Timer
}

// AddAppointment puts an entry in the user's Exchange calendar. Entries that
// have begun already count from now.
func (m *Model) AddAppointment(id UserID, subject string, start, end clock.Time, show ShowAs) (int, error) {
	if err := m.valid(id); err != nil {
		return 0, err
	}
	if show >= numShowAs {
		return 0, fmt.Errorf("%w: unknown calendar entry kind %d", ErrInvalid, show)
	}
	if end <= start {
		return 0, fmt.Errorf("%w: an appointment must end after it starts (%s to %s)", ErrInvalid, start, end)
	}
	u := m.users[id]
	i := len(u.appointments)
	u.appointments = append(u.appointments, Appointment{Subject: subject, Start: start, End: end, ShowAs: show})
	a := &u.appointments[i]
	if end > m.clk.Now() {
		a.start = m.after(start, opCalendarStart, id, int32(i))
		a.end = m.after(end, opCalendarEnd, id, int32(i))
	}
	return i, nil
}

// CancelAppointment removes an entry from the calendar.
func (m *Model) CancelAppointment(id UserID, i int) error {
	if err := m.valid(id); err != nil {
		return err
	}
	u := m.users[id]
	if i < 0 || i >= len(u.appointments) {
		return fmt.Errorf("%s has no appointment #%d", u.dir.Name, i)
	}
	a := &u.appointments[i]
	m.clk.Cancel(a.start)
	m.clk.Cancel(a.end)
	if a.active {
		m.calendarEdge(id, i, false)
	}
	a.End = a.Start
	return nil
}

// Appointments lists the user's calendar.
func (m *Model) Appointments(id UserID) []Appointment {
	return append([]Appointment(nil), m.users[id].appointments...)
}

func (m *Model) calendarEdge(id UserID, i int, start bool) {
	u := m.users[id]
	a := &u.appointments[i]
	if a.active == start {
		return
	}
	a.active = start
	d := 1
	if !start {
		d = -1
	}
	var ctr *int
	src := a.ShowAs.source()
	switch src {
	case SrcCalendar:
		ctr = &u.calBusy
	case SrcFocus:
		ctr = &u.calFocus
	case SrcOOF:
		ctr = &u.calOOF
	default:
		return
	}
	before := *ctr > 0
	*ctr += d
	if before != (*ctr > 0) {
		m.source(id, sourceNames[src], m.onOff(src, before), m.onOff(src, !before), sourceRule[src], a.Subject)
	}
	m.update(id, sourceNames[src])
}

// onOff is the presence a system source shows when on, Offline when off; for
// the out-of-office flag, Offline with the flag set.
func (m *Model) onOff(src SourceKind, on bool) presence.Presence {
	if !on {
		return presence.Of(presence.Offline, presence.ActOffline)
	}
	if src == SrcOOF {
		return presence.Presence{Availability: presence.Offline, Activity: presence.OutOfOffice, OutOfOffice: true}
	}
	if src == SrcFocus {
		return m.focusPresence()
	}
	return sourcePresence[src]
}

// focusPresence is what focus time shows (T-CAL-2): DoNotDisturb/Focusing,
// or Busy/InAMeeting with Settings.FocusAsMeeting, as seed 000 has it.
func (m *Model) focusPresence() presence.Presence {
	if m.set.FocusAsMeeting {
		return sourcePresence[SrcCalendar]
	}
	return sourcePresence[SrcFocus]
}

// SetAutoReplies turns automatic replies on or off (T-OOF-1).
func (m *Model) SetAutoReplies(id UserID, on bool) error {
	if err := m.valid(id); err != nil {
		return err
	}
	u := m.users[id]
	if u.autoReplies != on {
		m.source(id, "automatic replies", m.onOff(SrcOOF, u.autoReplies), m.onOff(SrcOOF, on), "T-OOF-1", "")
	}
	u.autoReplies = on
	m.update(id, "automatic replies")
	return nil
}

// OutOfOffice reports outOfOfficeSettings.isOutOfOffice (T-OOF-1).
func (m *Model) OutOfOffice(id UserID) bool { return m.users[id].oof() }
