package reports

import "github.com/presencesim/presencesim/sim/presence"

// teamsColour is how Teams colours an availability: green available, red
// busy and do not disturb, yellow away and be right back, grey offline
// (T-FED-2 for what external viewers see; the same dots inside).
var teamsColour = map[presence.Availability]string{
	presence.Available:           "#92C353",
	presence.AvailableIdle:       "#92C353",
	presence.Busy:                "#C4314B",
	presence.BusyIdle:            "#C4314B",
	presence.DoNotDisturb:        "#C4314B",
	presence.Away:                "#FCD116",
	presence.BeRightBack:         "#FCD116",
	presence.Offline:             "#8A8886",
	presence.AvailabilityUnknown: "#D2D0CE",
}

// oofColour marks out of office, as Teams does with its purple ring.
const oofColour = "#B4009E"

// Colour is the Teams colour of a presence.
func Colour(p presence.Presence) string {
	if c, ok := teamsColour[p.Availability]; ok {
		return c
	}
	return teamsColour[presence.AvailabilityUnknown]
}

// textColour keeps labels readable on the yellow and light fills.
func textColour(p presence.Presence) string {
	switch p.Availability {
	case presence.Away, presence.BeRightBack, presence.AvailabilityUnknown:
		return "#201F1E"
	}
	return "#FFFFFF"
}

type swatch struct{ Name, Colour string }

// legend is the key printed above the timelines.
func legend() []swatch {
	return []swatch{
		{"Available", teamsColour[presence.Available]},
		{"Busy, Do not disturb", teamsColour[presence.Busy]},
		{"Away, Be right back", teamsColour[presence.Away]},
		{"Offline", teamsColour[presence.Offline]},
		{"Unknown", teamsColour[presence.AvailabilityUnknown]},
		{"Out of office", oofColour},
	}
}
