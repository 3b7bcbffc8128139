package workload

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/teams"
)

// Options shape a day.
type Options struct {
	// Day is the day of the world's clock the work happens on (1 when 0).
	Day int
	// Phones gives everyone a desk phone on the PBX and makes desk-phone
	// calls part of the day.
	Phones bool
	// PhoneCallsPerHour is each person's rate of desk-phone calls (1 when
	// zero); ShortCalls is the share of them lasting 2–30 s (0.2 when zero).
	PhoneCallsPerHour float64
	ShortCalls        float64
}

// Day is one working day in progress.
type Day struct {
	w      *sim.World
	rnd    *rand.Rand
	opt    Options
	users  []teams.UserID
	lines  []int // PBX user index per person, with Phones
	calls  map[teams.UserID]ongoing
	onLine []bool // a desk-phone call in progress, per person
	gone   []bool // left for the day
	inputs uint64
}

type ongoing struct {
	call teams.CallID
	peer teams.UserID
}

// Operations of the day, as clock events.
const (
	opArrive int32 = iota
	opInput
	opLunch
	opBack
	opCall
	opHangUp
	opLeave
	opPhone
	opPhoneAnswer
	opPhoneHangUp
)

// Schedule plans the day for the people in users and returns it; its
// events fire as the world's clock moves.
func Schedule(w *sim.World, users []teams.UserID, opt Options) (*Day, error) {
	if opt.Day == 0 {
		opt.Day = 1
	}
	if opt.PhoneCallsPerHour == 0 {
		opt.PhoneCallsPerHour = 1
	}
	if opt.ShortCalls == 0 {
		opt.ShortCalls = 0.2
	}
	if opt.PhoneCallsPerHour < 0 || opt.ShortCalls < 0 || opt.ShortCalls > 1 {
		return nil, fmt.Errorf("workload: %v phone calls per hour and %v short ones: want a rate ≥ 0 and a share in [0, 1]", opt.PhoneCallsPerHour, opt.ShortCalls)
	}
	d := &Day{w: w, rnd: w.Stream("workload"), opt: opt, users: users, calls: map[teams.UserID]ongoing{}, onLine: make([]bool, len(users)), gone: make([]bool, len(users))}
	var phones *pbx.Model
	if opt.Phones {
		phones = pbx.Of(w)
		d.lines = make([]int, len(users))
	}
	for i, id := range users {
		if phones != nil {
			li, err := phones.Ensure(id)
			if err != nil {
				return nil, err
			}
			if err := phones.AddDevice(li, pbx.DeskPhone); err != nil {
				return nil, err
			}
			d.lines[i] = li
		}
		arrive := d.at(7, 30).Add(time.Duration(d.rnd.Int64N(int64(2 * time.Hour))))
		w.Clock.Schedule(arrive, d, clock.Event{Op: opArrive, A: int32(i)})
		for m := 0; m < 3; m++ {
			start := d.at(9, 0).Add(time.Duration(d.rnd.Int64N(int64(7 * time.Hour))))
			show := teams.ShowBusy
			if d.rnd.IntN(5) == 0 {
				show = teams.ShowFocus
			}
			if _, err := w.Teams.AddAppointment(id, "meeting", start, start.Add(30*time.Minute), show); err != nil {
				return nil, err
			}
		}
		if d.rnd.IntN(20) == 0 {
			_ = w.Teams.SetAutoReplies(id, true)
		}
	}
	return d, nil
}

// Inputs counts the workload's own actions, as opposed to the model's
// timers.
func (d *Day) Inputs() uint64 { return d.inputs }

func (d *Day) at(h, m int) clock.Time { return clock.At(d.opt.Day, h, m) }

func (d *Day) after(after time.Duration, op int32, i int) {
	d.w.Clock.After(after, d, clock.Event{Op: op, A: int32(i)})
}

func (d *Day) minutes(lo, hi int) time.Duration {
	return time.Duration(lo+d.rnd.IntN(hi-lo+1)) * time.Minute
}

// phoneGap is the wait to a person's next desk-phone call: exponential
// around the hourly rate.
func (d *Day) phoneGap() time.Duration {
	return time.Duration(d.rnd.ExpFloat64() / d.opt.PhoneCallsPerHour * float64(time.Hour))
}

// phoneLength is how long a desk-phone call lasts: 2–30 s for the short
// share, else 1–20 minutes.
func (d *Day) phoneLength() time.Duration {
	if d.rnd.Float64() < d.opt.ShortCalls {
		return time.Duration(2+d.rnd.IntN(29)) * time.Second
	}
	return d.minutes(1, 20)
}

// Fire runs one operation of the day (clock.Handler).
func (d *Day) Fire(now clock.Time, ev clock.Event) {
	m, i := d.w.Teams, int(ev.A)
	u := d.users[i]
	d.inputs++
	switch ev.Op {
	case opArrive:
		_ = m.SignIn(u, teams.Desktop)
		_ = m.SignIn(u, teams.Mobile)
		_ = m.Background(u)
		d.after(d.minutes(1, 4), opInput, i)
		d.after(d.at(12, 0).Sub(now)+d.minutes(0, 60), opLunch, i)
		d.after(d.at(16, 30).Sub(now)+d.minutes(0, 90), opLeave, i)
		d.after(d.minutes(10, 90), opCall, i)
		if d.lines != nil {
			d.after(d.phoneGap(), opPhone, i)
		}
	case opInput:
		if live, st := m.ClientSession(u, teams.Desktop); !live || st == teams.Locked {
			return
		}
		_ = m.Use(u, teams.Desktop)
		gap := d.minutes(1, 4)
		if d.rnd.IntN(8) == 0 {
			gap = d.minutes(6, 25) // an idle stretch: the idle timer fires
		}
		d.after(gap, opInput, i)
	case opLunch:
		_ = m.Lock(u, teams.Desktop)
		d.after(d.minutes(30, 60), opBack, i)
	case opBack:
		_ = m.Unlock(u, teams.Desktop)
		d.after(d.minutes(1, 3), opInput, i)
	case opCall:
		if _, busy := d.calls[u]; !busy {
			peer := d.users[d.rnd.IntN(len(d.users))]
			if _, peerBusy := d.calls[peer]; peer != u && !peerBusy {
				if c, err := m.StartCall(u, peer); err == nil {
					d.calls[u], d.calls[peer] = ongoing{c, peer}, ongoing{c, u}
					d.after(d.minutes(2, 20), opHangUp, i)
				}
			}
		}
		d.after(d.minutes(30, 120), opCall, i)
	case opHangUp:
		if c, ok := d.calls[u]; ok {
			_ = m.EndCall(c.call)
			delete(d.calls, u)
			delete(d.calls, c.peer)
		}
	case opLeave:
		d.gone[i] = true
		for _, k := range teams.ClientKinds() {
			_ = m.SignOut(u, k)
		}
	case opPhone:
		if d.gone[i] {
			return // the day's calls end with the day
		}
		if !d.onLine[i] {
			p := pbx.Of(d.w)
			// half the calls are made, half received and answered after a
			// few rings
			if d.rnd.IntN(2) == 0 {
				if p.LineEvent(d.lines[i], pbx.DeskPhone, pbx.OffHook) == nil {
					d.onLine[i] = true
					d.after(d.phoneLength(), opPhoneHangUp, i)
				}
			} else if p.LineEvent(d.lines[i], pbx.DeskPhone, pbx.Incoming) == nil {
				d.onLine[i] = true
				d.w.Clock.After(time.Duration(3+d.rnd.IntN(10))*time.Second, d, clock.Event{Op: opPhoneAnswer, A: int32(i)})
			}
		}
		d.after(d.phoneGap(), opPhone, i)
	case opPhoneAnswer:
		if d.onLine[i] && pbx.Of(d.w).LineEvent(d.lines[i], pbx.DeskPhone, pbx.Answer) == nil {
			d.after(d.phoneLength(), opPhoneHangUp, i)
			return
		}
		d.after(0, opPhoneHangUp, i)
	case opPhoneHangUp:
		if d.onLine[i] {
			_ = pbx.Of(d.w).LineEvent(d.lines[i], pbx.DeskPhone, pbx.HangUp)
			d.onLine[i] = false
		}
	}
}
