package explore

import (
	"fmt"
	"time"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Action is one input to a world, after Gap of virtual time. The event
// names the run's people; its phrase is the action's step.
type Action struct {
	Gap time.Duration
	event.Event
}

// wait is an action that only lets time pass.
func wait(gap time.Duration) Action { return Action{Gap: gap} }

// drawSpec is how a run draws an input: how often, in which worlds, and
// how its fields are drawn. Inputs drawn through another's draw (the off
// of an on, the decline of an accept) have weight 0 and drawn set.
type drawSpec struct {
	system system // the integration the input needs; Teams inputs need none
	weight int
	draw   func(r *Run, c Chooser, a *Action)
	drawn  bool // drawn through another input's draw
}

var (
	// the pairs a user or Graph may set (T-MAN-1, G-PREF-1) and those an
	// app may write (G-SET-1): the vocabulary's own tables
	manualPairs     = presence.PreferredPairs.Pairs
	appPairs        = presence.SetPresencePairs.Pairs
	manualDurations = []time.Duration{0, 0, 30 * time.Minute, 2 * time.Hour}
	appDurations    = []time.Duration{0, 5 * time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour}
	showKinds       = []teams.ShowAs{teams.ShowBusy, teams.ShowBusy, teams.ShowFocus, teams.ShowOOF}
)

// appNames are the third-party apps that write presence sessions.
var appNames = []string{"dialer", "crm"}

func pickUser(r *Run, c Chooser) int { return c.IntN(len(r.names)) }

// pickOther draws a user other than those in not (distinct, fewer than the
// people of the run) with a single choice, so no sequence of choices can
// make it loop.
func pickOther(r *Run, c Chooser, not ...int) int {
	v := c.IntN(len(r.names) - len(not))
	for u := range r.names {
		excluded := false
		for _, n := range not {
			excluded = excluded || n == u
		}
		if excluded {
			continue
		}
		if v == 0 {
			return u
		}
		v--
	}
	return 0
}

// one names the run's person u; the slice shares the run's names.
func (r *Run) one(u int) []string { return r.names[u : u+1] }

func drawU(r *Run, c Chooser, a *Action) { a.Users = r.one(pickUser(r, c)) }
func drawUClient(r *Run, c Chooser, a *Action) {
	u := pickUser(r, c)
	a.Users, a.Client = r.one(u), teams.ClientKind(c.IntN(3))
}
func drawUV(r *Run, c Chooser, a *Action) {
	u := pickUser(r, c)
	a.Users = []string{r.names[u], r.names[pickOther(r, c, u)]}
}

// drawUOr draws a person and whether the input is on or its off.
func drawUOr(off event.Op) func(*Run, Chooser, *Action) {
	return func(r *Run, c Chooser, a *Action) {
		u := pickUser(r, c)
		a.Users = r.one(u)
		if c.IntN(2) != 0 {
			a.Op = off
		}
	}
}

func none(*Run, Chooser, *Action) {}

// draws is how a run draws each input of the event table. The order of the
// table and these weights decide a seed's runs.
var draws [event.NumOps]drawSpec

func init() {
	draws = [event.NumOps]drawSpec{
		event.Wait:           {weight: 4, draw: none},
		event.SignIn:         {weight: 10, draw: drawUClient},
		event.SignOut:        {weight: 4, draw: drawUClient},
		event.Use:            {weight: 8, draw: drawUClient},
		event.GoIdle:         {weight: 3, draw: drawUClient},
		event.Lock:           {weight: 3, draw: drawU},
		event.Unlock:         {weight: 3, draw: drawU},
		event.Sleep:          {weight: 2, draw: drawU},
		event.Wake:           {weight: 2, draw: drawU},
		event.Background:     {weight: 3, draw: drawU},
		event.LoseNetwork:    {weight: 3, draw: drawUClient},
		event.RestoreNetwork: {weight: 3, draw: drawUClient},
		event.StartCall: {weight: 4, draw: func(r *Run, c Chooser, a *Action) {
			u := pickUser(r, c)
			v := pickOther(r, c, u)
			a.Users = []string{r.names[u], r.names[v]}
			if len(r.names) > 2 && c.IntN(4) == 0 {
				a.Users = append(a.Users, r.names[pickOther(r, c, u, v)])
			}
		}},
		event.PlaceCall:       {weight: 3, draw: drawUV},
		event.JoinCall:        {weight: 2, draw: drawU},
		event.LeaveCall:       {weight: 3, draw: drawU},
		event.EndCall:         {weight: 3, draw: none},
		event.JoinMeeting:     {weight: 3, draw: drawU},
		event.LeaveMeeting:    {weight: 3, draw: drawU},
		event.StartPresenting: {weight: 2, draw: drawU},
		event.StopPresenting:  {weight: 2, draw: drawU},
		event.Appointment: {weight: 4, draw: func(r *Run, c Chooser, a *Action) {
			a.Users = r.one(pickUser(r, c))
			a.Show = showKinds[c.IntN(len(showKinds))]
			// times relative to when the action happens, after its gap
			at := r.w.Clock.Now().Add(a.Gap)
			a.From = at.Add(time.Duration(c.IntN(13)) * 15 * time.Minute)
			a.To = a.From.Add(time.Duration(1+c.IntN(8)) * 15 * time.Minute)
		}},
		event.AutoRepliesOn:  {weight: 2, draw: drawUOr(event.AutoRepliesOff)},
		event.AutoRepliesOff: {drawn: true},
		event.SetManual: {weight: 5, draw: func(r *Run, c Chooser, a *Action) {
			a.Users = r.one(pickUser(r, c))
			a.Presence = manualPairs[c.IntN(len(manualPairs))]
			a.For = manualDurations[c.IntN(len(manualDurations))]
		}},
		event.ResetManual: {weight: 3, draw: drawU},
		event.GraphPreferred: {weight: 2, draw: func(r *Run, c Chooser, a *Action) {
			u := pickUser(r, c)
			a.Users, a.Presence = r.one(u), manualPairs[c.IntN(len(manualPairs))]
		}},
		event.AppSet: {weight: 5, draw: func(r *Run, c Chooser, a *Action) {
			u := pickUser(r, c)
			a.Users, a.Name = r.one(u), appNames[c.IntN(len(appNames))]
			a.Presence = appPairs[c.IntN(len(appPairs))]
			a.For = appDurations[c.IntN(len(appDurations))]
		}},
		event.AppClear: {weight: 3, draw: func(r *Run, c Chooser, a *Action) {
			u := pickUser(r, c)
			a.Users, a.Name = r.one(u), appNames[c.IntN(len(appNames))]
		}},
		event.Priority: {weight: 1, draw: drawUV},
		event.Privacy:  {weight: 1, draw: drawU},
		event.Block:    {weight: 1, draw: drawUV},
	}
	locationDraws()
	integrationDraws()
	graphFaultDraws()
	for o := range draws {
		if draws[o].draw == nil && !draws[o].drawn && (event.Op(o) < event.Crash || event.Op(o) > event.Indicator) {
			panic(fmt.Sprintf("explore: %s has no draw", event.Op(o).Name()))
		}
	}
}

// Drawn lists the inputs a run may perform.
func Drawn() []event.Op {
	var out []event.Op
	for o, d := range draws {
		if d.draw != nil || d.drawn {
			out = append(out, event.Op(o))
		}
	}
	return out
}
