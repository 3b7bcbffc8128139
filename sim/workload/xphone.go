package workload

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	sx "github.com/presencesim/presencesim/sim/xphone"
)

// XPhone is the XPhone client side of a day: what the workload does in
// it, with the world held (its clock events fire locked). The XPhone
// server fake's Direct inputs are one.
type XPhone interface {
	Call(w *sim.World, u teams.UserID, on bool) error
	Meeting(w *sim.World, u teams.UserID, on bool) error
	SelectProfile(w *sim.World, u teams.UserID, profile string) error
}

// XPhoneOptions shape the XPhone part of a day.
type XPhoneOptions struct {
	// Day is the day of the world's clock (1 when 0).
	Day int
	// From is when the XPhone day begins, within the working hours
	// (08:00 when zero): a client served only from some time on gets the
	// same day whenever it was served before From.
	From clock.Time
	// CallsPerHour is each person's rate of calls in the XPhone client
	// (0.5 when zero); ShortCalls the share lasting 2–30 s (0.2 when zero).
	CallsPerHour float64
	ShortCalls   float64
	// Meetings is the share of people joining an XPhone Connect meeting
	// of 15–60 minutes in the day (0.3 when zero), DND the share selecting
	// the Do-not-disturb profile for 10–45 minutes (0.3 when zero), Away
	// the share stepping away ("Abwesend") for 5–30 minutes (0.2 when
	// zero), each once.
	Meetings, DND, Away float64
}

// XPhoneDay is the XPhone part of a day in progress.
type XPhoneDay struct {
	w     *sim.World
	x     XPhone
	rnd   *rand.Rand
	opt   XPhoneOptions
	users []teams.UserID
	// what the workload did that the server took, per person
	calls    []bool
	selected []bool // a profile other than the first selected
	inputs   uint64
	// the profiles it selects, from the default "Meine Profile"
	home, dnd, away string
}

// Operations of the XPhone day.
const (
	xpCall int32 = iota
	xpHangUp
	xpMeeting
	xpLeaveMeeting
	xpSelect
	xpBack
)

// ScheduleXPhone plans the XPhone part of the day for the people in users
// (working hours 08:00–17:30) and returns it; its draws come from the
// world's "workload-xphone" stream, so adding it leaves the rest of the
// day as it was.
func ScheduleXPhone(w *sim.World, users []teams.UserID, x XPhone, opt XPhoneOptions) (*XPhoneDay, error) {
	if opt.Day == 0 {
		opt.Day = 1
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&opt.CallsPerHour, 0.5)
	def(&opt.ShortCalls, 0.2)
	def(&opt.Meetings, 0.3)
	def(&opt.DND, 0.3)
	def(&opt.Away, 0.2)
	for _, v := range []float64{opt.ShortCalls, opt.Meetings, opt.DND, opt.Away} {
		if v < 0 || v > 1 {
			return nil, fmt.Errorf("workload: XPhone shares %v, %v, %v, %v: want each in [0, 1]", opt.ShortCalls, opt.Meetings, opt.DND, opt.Away)
		}
	}
	if opt.CallsPerHour < 0 || x == nil {
		return nil, fmt.Errorf("workload: %v XPhone calls per hour, client %v: want a rate ≥ 0 and a client", opt.CallsPerHour, x)
	}
	d := &XPhoneDay{w: w, x: x, rnd: w.Stream("workload-xphone"), opt: opt, users: users,
		calls: make([]bool, len(users)), selected: make([]bool, len(users))}
	for _, p := range sx.DefaultProfiles() {
		switch {
		case d.home == "":
			d.home = p.Name
		case d.dnd == "" && p.Presence.Availability == presence.DoNotDisturb:
			d.dnd = p.Name
		case d.away == "" && p.Presence.Availability == presence.Away:
			d.away = p.Name
		}
	}
	start, hours := clock.At(opt.Day, 8, 0), 9*time.Hour+30*time.Minute
	from := max(start, opt.From)
	within := func() clock.Time { return max(from, start.Add(time.Duration(d.rnd.Int64N(int64(hours))))) }
	for i := range users {
		if opt.CallsPerHour > 0 {
			w.Clock.Schedule(from.Add(d.gap()), d, clock.Event{Op: xpCall, A: int32(i)})
		}
		if d.rnd.Float64() < opt.Meetings {
			w.Clock.Schedule(within(), d, clock.Event{Op: xpMeeting, A: int32(i)})
		}
		if d.rnd.Float64() < opt.DND {
			w.Clock.Schedule(within(), d, clock.Event{Op: xpSelect, A: int32(i), B: 1})
		}
		if d.rnd.Float64() < opt.Away {
			w.Clock.Schedule(within(), d, clock.Event{Op: xpSelect, A: int32(i), B: 2})
		}
	}
	return d, nil
}

// Inputs counts what the workload did in XPhone and the server took.
func (d *XPhoneDay) Inputs() uint64 { return d.inputs }

func (d *XPhoneDay) gap() time.Duration {
	return time.Duration(d.rnd.ExpFloat64() / d.opt.CallsPerHour * float64(time.Hour))
}

func (d *XPhoneDay) minutes(lo, hi int) time.Duration {
	return time.Duration(lo+d.rnd.IntN(hi-lo+1)) * time.Minute
}

func (d *XPhoneDay) after(after time.Duration, op int32, i int) {
	d.w.Clock.After(after, d, clock.Event{Op: op, A: int32(i)})
}

// Fire runs one operation of the XPhone day (clock.Handler).
func (d *XPhoneDay) Fire(now clock.Time, ev clock.Event) {
	i := int(ev.A)
	u := d.users[i]
	ok := func(err error) bool {
		if err == nil {
			d.inputs++
		}
		return err == nil
	}
	switch ev.Op {
	case xpCall:
		if now >= clock.At(d.opt.Day, 17, 30) {
			return // the day's calls end with the day
		}
		// every draw is made whether the client takes the call or not, so
		// that a refusal changes nothing else of the day
		length, short := d.minutes(1, 20), d.rnd.Float64() < d.opt.ShortCalls
		if short {
			length = time.Duration(2+d.rnd.IntN(29)) * time.Second
		}
		if !d.calls[i] && ok(d.x.Call(d.w, u, true)) {
			d.calls[i] = true
			d.after(length, xpHangUp, i)
		}
		d.after(d.gap(), xpCall, i)
	case xpHangUp:
		if d.calls[i] && ok(d.x.Call(d.w, u, false)) {
			d.calls[i] = false
		}
	case xpMeeting:
		if length := d.minutes(15, 60); ok(d.x.Meeting(d.w, u, true)) {
			d.after(length, xpLeaveMeeting, i)
		}
	case xpLeaveMeeting:
		ok(d.x.Meeting(d.w, u, false))
	case xpSelect:
		name, length := d.dnd, d.minutes(10, 45)
		if ev.B == 2 {
			name, length = d.away, d.minutes(5, 30)
		}
		if d.selected[i] {
			return // already away or not to be disturbed: once at a time
		}
		if ok(d.x.SelectProfile(d.w, u, name)) {
			d.selected[i] = true
			d.after(length, xpBack, i)
		}
	case xpBack:
		if d.selected[i] && ok(d.x.SelectProfile(d.w, u, d.home)) {
			d.selected[i] = false
		}
	}
}
