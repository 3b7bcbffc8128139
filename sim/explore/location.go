package explore

import (
	"fmt"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
)

var (
	// the work location signals a run draws (G-LOC-1)
	locTypes  = []teams.WorkLocationType{teams.WorkOffice, teams.WorkOffice, teams.WorkRemote, teams.WorkTimeOff, teams.WorkUnspecified}
	locPlaces = []string{"", "", "building 4"}
	locDays   = []teams.Weekdays{teams.WorkWeek, teams.WorkWeek, teams.Monday, teams.Wednesday, teams.Friday, teams.Saturday}
)

// locationOps are the work location actions, in the order of their ops
// from OpWorkLocation on.
func locationOps() []opSpec {
	return []opSpec{
		{name: "a work location is set or detected", weight: 2, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) {
				a.U, a.On, a.App = pickUser(r, c), c.IntN(2) == 0, c.IntN(len(appNames))
				a.Loc, a.Place = locTypes[c.IntN(len(locTypes))], locPlaces[c.IntN(len(locPlaces))]
			},
			apply: func(r *Run, a *Action) error {
				if a.On {
					return r.w.Teams.SetManualLocation(r.users[a.U], a.Loc, a.Place)
				}
				return r.w.Teams.SetAutomaticLocation(r.users[a.U], appNames[a.App], a.Loc, a.Place)
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				if a.On {
					return fmt.Sprintf("%s sets her work location to %s%s", r.names[a.U], a.Loc, atPlace(a.Place))
				}
				return fmt.Sprintf("%s's work location is detected as %s%s by %q", r.names[a.U], a.Loc, atPlace(a.Place), appNames[a.App])
			}},
		{name: "a work location is cleared", weight: 1, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) { a.U, a.On = pickUser(r, c), c.IntN(2) == 0 },
			apply: func(r *Run, a *Action) error {
				if a.On {
					return r.w.Teams.ClearLocation(r.users[a.U])
				}
				return r.w.Teams.ClearAutomaticLocation(r.users[a.U])
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				if a.On {
					return fmt.Sprintf("%s clears her work location", r.names[a.U])
				}
				return fmt.Sprintf("%s's detected work location is cleared", r.names[a.U])
			}},
		{name: "working hours with a location", weight: 1, parties: 1,
			draw: func(r *Run, c Chooser, a *Action) {
				a.U, a.Days = pickUser(r, c), locDays[c.IntN(len(locDays))]
				a.Loc, a.Place = []teams.WorkLocationType{teams.WorkOffice, teams.WorkRemote}[c.IntN(2)], locPlaces[c.IntN(len(locPlaces))]
				a.StartIn = time.Duration(6+c.IntN(5)) * time.Hour // the start, as a time of day
				a.Length = time.Duration(2+c.IntN(8)) * time.Hour
			},
			apply: func(r *Run, a *Action) error {
				return r.w.Teams.AddWorkingHours(r.users[a.U], teams.WorkingHours{Days: a.Days, Start: a.StartIn, End: a.StartIn + a.Length, Type: a.Loc, PlaceID: a.Place})
			},
			step: func(r *Run, a *Action, _ clock.Time) string {
				where := "from the office"
				if a.Loc == teams.WorkRemote {
					where = "remotely"
				}
				return fmt.Sprintf("%s works %s%s on %s %s–%s", r.names[a.U], where, atPlace(a.Place), a.Days, hhmm(clock.Time(a.StartIn)), hhmm(clock.Time(a.StartIn+a.Length)))
			}},
	}
}

func atPlace(p string) string {
	if p == "" {
		return ""
	}
	return fmt.Sprintf(" at %q", p)
}
