package explore

import (
	"time"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/teams"
)

var (
	// the work location signals a run draws (G-LOC-1)
	locTypes  = []teams.WorkLocationType{teams.WorkOffice, teams.WorkOffice, teams.WorkRemote, teams.WorkTimeOff, teams.WorkUnspecified}
	locPlaces = []string{"", "", "building 4"}
	locDays   = []teams.Weekdays{teams.WorkWeek, teams.WorkWeek, teams.Monday, teams.Wednesday, teams.Friday, teams.Saturday}
)

// locationDraws draws the work location inputs: set by hand or detected
// by an app, cleared, working hours.
func locationDraws() {
	draws[event.SetLocation] = drawSpec{weight: 2, draw: func(r *Run, c Chooser, a *Action) {
		u := pickUser(r, c)
		manual, app := c.IntN(2) == 0, c.IntN(len(appNames))
		a.Users = r.one(u)
		if !manual {
			a.Op, a.Name = event.DetectLocation, appNames[app]
		}
		a.Location, a.Place = locTypes[c.IntN(len(locTypes))], locPlaces[c.IntN(len(locPlaces))]
	}}
	draws[event.DetectLocation] = drawSpec{drawn: true}
	draws[event.ClearLocation] = drawSpec{weight: 1, draw: drawUOr(event.ClearDetectedLocation)}
	draws[event.ClearDetectedLocation] = drawSpec{drawn: true}
	draws[event.WorkingHours] = drawSpec{weight: 1, draw: func(r *Run, c Chooser, a *Action) {
		u := pickUser(r, c)
		a.Users, a.Days = r.one(u), locDays[c.IntN(len(locDays))]
		a.Location, a.Place = []teams.WorkLocationType{teams.WorkOffice, teams.WorkRemote}[c.IntN(2)], locPlaces[c.IntN(len(locPlaces))]
		a.Start = time.Duration(6+c.IntN(5)) * time.Hour
		a.End = a.Start + time.Duration(2+c.IntN(8))*time.Hour
	}}
}
