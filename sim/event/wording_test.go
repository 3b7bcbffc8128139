package event_test

import (
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/teams"
)

// TestWording reads the other wordings a phrase allows, as the feature
// files write them, besides the one Phrase writes.
func TestWording(t *testing.T) {
	office := func(ev event.Event) bool { return ev.Location == teams.WorkOffice }
	remote := func(ev event.Event) bool { return ev.Location == teams.WorkRemote }
	for _, c := range []struct {
		in   string
		op   event.Op
		want func(event.Event) bool
	}{
		{"alice and bob are in a call", event.StartCall, func(ev event.Event) bool { return len(ev.Users) == 2 }},
		{"alice, bob and carol are in a conference call", event.StartCall, func(ev event.Event) bool { return len(ev.Users) == 3 }},
		{"alice and bob are in a Teams conference call", event.StartCall, func(ev event.Event) bool { return len(ev.Users) == 2 }},
		{`a call arrives for "Support"`, event.NimbusArrive, func(ev event.Event) bool { return ev.Name == "Support" }},
		{"alice sets her work location to the office", event.SetLocation, office},
		{"alice sets her work location to time off", event.SetLocation, func(ev event.Event) bool { return ev.Location == teams.WorkTimeOff }},
		{"alice's work location is detected as home", event.DetectLocation, func(ev event.Event) bool { return remote(ev) && ev.Name == "" }},
		{"alice works from home on Fridays 08:00–16:00", event.WorkingHours, remote},
		{"alice works in the office on weekdays from 09:00 to 17:00", event.WorkingHours,
			func(ev event.Event) bool { return office(ev) && ev.Start == 9*time.Hour && ev.End == 17*time.Hour }},
		{"alice works remotely on Mondays 09:00-12:00", event.WorkingHours, func(ev event.Event) bool { return remote(ev) && ev.End == 12*time.Hour }},
	} {
		ev, err := event.Parse(c.in, at)
		if err != nil || ev.Op != c.op || !c.want(ev) {
			t.Errorf("Parse(%q) = %s %+v, %v; want a %s", c.in, ev.Op, ev, err, c.op)
		}
	}
}
