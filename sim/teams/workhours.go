package teams

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
)

// Weekdays is a set of days of the week; virtual day 1 is a Monday.
type Weekdays uint8

// The days, Monday first.
const (
	Monday Weekdays = 1 << iota
	Tuesday
	Wednesday
	Thursday
	Friday
	Saturday
	Sunday

	WorkWeek = Monday | Tuesday | Wednesday | Thursday | Friday
	AllWeek  = WorkWeek | Saturday | Sunday
)

var dayNames = [7]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// Has reports whether the set holds the day of week d (0 is Monday).
func (w Weekdays) Has(d int) bool { return d >= 0 && d < 7 && w&(1<<d) != 0 }

func (w Weekdays) String() string {
	switch w {
	case AllWeek:
		return "every day"
	case WorkWeek:
		return "Monday to Friday"
	}
	var parts []string
	for d, n := range dayNames {
		if w.Has(d) {
			parts = append(parts, strings.ToUpper(n[:1])+n[1:])
		}
	}
	if len(parts) == 0 {
		return "no day"
	}
	return strings.Join(parts, ", ")
}

// ParseWeekdays reads "Mondays", "Monday", "weekdays", "every day",
// "Monday to Friday", "Mondays and Wednesdays", "Mon, Tue".
func ParseWeekdays(s string) (Weekdays, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	switch in {
	case "weekdays", "workdays", "working days":
		return WorkWeek, nil
	case "every day", "all days", "daily":
		return AllWeek, nil
	}
	if from, to, ok := strings.Cut(in, " to "); ok {
		a, err1 := parseDay(from)
		b, err2 := parseDay(to)
		if err1 != nil || err2 != nil || b < a {
			return 0, fmt.Errorf("malformed range of days %q; write e.g. \"Monday to Friday\"", s)
		}
		var w Weekdays
		for d := a; d <= b; d++ {
			w |= 1 << d
		}
		return w, nil
	}
	var w Weekdays
	for _, part := range strings.FieldsFunc(strings.ReplaceAll(in, " and ", ","), func(r rune) bool { return r == ',' }) {
		d, err := parseDay(part)
		if err != nil {
			return 0, fmt.Errorf("%v in %q; write e.g. \"Mondays\", \"weekdays\" or \"Monday to Friday\"", err, s)
		}
		w |= 1 << d
	}
	if w == 0 {
		return 0, fmt.Errorf("no day in %q; write e.g. \"Mondays\", \"weekdays\" or \"Monday to Friday\"", s)
	}
	return w, nil
}

func parseDay(s string) (int, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "s")
	if len(s) >= 3 {
		for d, n := range dayNames {
			if strings.HasPrefix(n, s) {
				return d, nil
			}
		}
	}
	return 0, fmt.Errorf("unknown day %q", s)
}

// WorkingHours is a segment of a calendar's working hours with the work
// location it names: the scheduled layer of G-LOC-1 (Outlook's working
// hours and location). Times of day are UTC, the world's zone.
type WorkingHours struct {
	Days       Weekdays
	Start, End time.Duration // time of day, Start < End ≤ 24h
	Type       WorkLocationType
	PlaceID    string
}

func (h WorkingHours) String() string {
	return fmt.Sprintf("%s %s–%s %s", h.Days, clock.Time(h.Start), clock.Time(h.End), LocationSignal{Type: h.Type, PlaceID: h.PlaceID})
}

// covers reports whether the segment is in force at t.
func (h WorkingHours) covers(t clock.Time) bool {
	day, tod := weekTime(t)
	return h.Days.Has(day) && tod >= h.Start && tod < h.End
}

// weekTime splits t into the day of week (0 is Monday) and the time of day.
func weekTime(t clock.Time) (int, time.Duration) {
	if t < 0 {
		return -1, 0
	}
	d := time.Duration(t)
	return int(d/(24*time.Hour)) % 7, d % (24 * time.Hour)
}

// AddWorkingHours puts a segment of working hours with its location into
// the user's calendar. Overlapping segments are allowed; the more precise
// location wins, between equals the one added first.
func (m *Model) AddWorkingHours(id UserID, h WorkingHours) error {
	if err := m.valid(id); err != nil {
		return err
	}
	if h.Days&AllWeek == 0 || h.Days&^AllWeek != 0 {
		return fmt.Errorf("%w: working hours need at least one day of the week", ErrInvalid)
	}
	if h.Start < 0 || h.End > 24*time.Hour || h.End <= h.Start {
		return fmt.Errorf("%w: working hours must end after they start, within one day (%s to %s)", ErrInvalid, clock.Time(h.Start), clock.Time(h.End))
	}
	if err := checkSignal(h.Type, h.PlaceID); err != nil {
		return err
	}
	u := m.users[id]
	if len(u.wl.hours) >= MaxWorkingHours {
		return fmt.Errorf("%w: %s's calendar holds %d segments of working hours already, the most presencesim keeps", ErrInvalid, u.dir.Name, MaxWorkingHours)
	}
	u.wl.hours = append(u.wl.hours, h)
	m.workingHoursEdge(id)
	return nil
}

// workingHoursEdge takes the segments in force now as the scheduled layer
// and sets the timer for the next start or end of a segment.
func (m *Model) workingHoursEdge(id UserID) {
	u := m.users[id]
	now := m.clk.Now()
	before := u.detail()
	prev, had := u.wl.sched, u.wl.hasSched
	u.wl.hasSched, u.wl.active = false, 0
	var best LocationSignal
	for i, h := range u.wl.hours {
		if !h.covers(now) {
			continue
		}
		u.wl.active |= 1 << i
		s := LocationSignal{Type: h.Type, PlaceID: h.PlaceID, By: "working hours " + h.String()}
		if !u.wl.hasSched || s.Precision() > best.Precision() {
			best, u.wl.hasSched = s, true
		}
	}
	if u.wl.hasSched {
		best.At = now
		if had && prev.Type == best.Type && prev.PlaceID == best.PlaceID {
			best.At = prev.At // the same location continues
		}
		u.wl.sched = best
	} else {
		u.wl.sched = LocationSignal{}
	}
	m.clk.Cancel(u.wl.edge)
	u.wl.edge = clock.Timer{}
	if next, ok := nextEdge(u.wl.hours, now); ok {
		u.wl.edge = m.clk.Schedule(next, locationTimers{m}, clock.Event{Op: 1, A: int32(id), Label: "working hours begin or end (G-LOC-1)"})
	}
	note := "scheduled: none"
	if u.wl.hasSched {
		note = "scheduled: " + u.wl.sched.String()
	}
	m.relocate(id, before, note)
}

// nextEdge is the first start or end of a segment after now, within the
// coming week.
func nextEdge(hours []WorkingHours, now clock.Time) (clock.Time, bool) {
	if len(hours) == 0 || now < 0 {
		return 0, false
	}
	day, tod := weekTime(now)
	midnight := now.Add(-tod)
	var next clock.Time
	found := false
	for _, h := range hours {
		for k := 0; k <= 7; k++ {
			if !h.Days.Has((day + k) % 7) {
				continue
			}
			base := midnight.Add(time.Duration(k) * 24 * time.Hour)
			for _, at := range [2]clock.Time{base.Add(h.Start), base.Add(h.End)} {
				if at > now && (!found || at < next) {
					next, found = at, true
				}
			}
		}
	}
	return next, found
}

// locationTimers is the clock handler of the working-hours edges, apart from
// the model's own timers so the two sets of operations stay independent.
type locationTimers struct{ m *Model }

// Fire takes the working hours in force at the edge.
func (t locationTimers) Fire(_ clock.Time, ev clock.Event) {
	id := UserID(ev.A)
	if t.m.valid(id) == nil {
		t.m.users[id].wl.edge = clock.Timer{}
		t.m.workingHoursEdge(id)
	}
}
