package steps

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/teams"
)

// locationSteps are the steps of the work location: set by hand, detected,
// from working hours, and as Graph reads it.
type locationSteps struct{ *Scenario }

// Phrases of the work location steps (G-LOC-1).
const (
	locType   = `(unspecified|office|the office|remote|home|time off|timeOff)`
	locPlace  = `(?: at "([^"]+)")?`
	locSource = `(?:, (set manually|detected automatically|from ` + pron + ` working hours|with no source))?`
)

func registerLocation(sc *Scenario, r *registry) {
	s := locationSteps{sc}
	sc.inputs(r, event.SetLocation, event.DetectLocation, event.ClearDetectedLocation, event.ClearLocation, event.WorkingHours)
	r.step(`^(\w+)'s work location is `+locType+locPlace+locSource+`$`, "alice's work location is remote, set manually", s.is)
	r.step(`^Graph reads (\w+)'s work location as `+locType+locPlace+locSource+`$`, "Graph reads alice's work location as office, from her working hours", s.graphReads)
}

// locSourceOf reads the source phrase; none is expected when the phrase
// is left out and the type is unspecified.
func locSourceOf(phrase string, t teams.WorkLocationType) (teams.WorkLocationSource, error) {
	switch {
	case phrase == "set manually":
		return teams.LocationManual, nil
	case phrase == "detected automatically":
		return teams.LocationAutomatic, nil
	case strings.HasSuffix(phrase, "working hours"):
		return teams.LocationScheduled, nil
	case phrase == "with no source", phrase == "" && t == teams.WorkUnspecified:
		return teams.LocationNone, nil
	}
	return 0, fmt.Errorf("say where the work location %s comes from: \", set manually\", \", detected automatically\" or \", from her working hours\"", t)
}

func (s locationSteps) want(where, place, source string) (teams.WorkLocation, error) {
	t, err := event.ParseLocation(where)
	if err != nil {
		return teams.WorkLocation{}, err
	}
	src, err := locSourceOf(source, t)
	if err != nil {
		return teams.WorkLocation{}, err
	}
	return teams.WorkLocation{Type: t, Source: src, PlaceID: place}, nil
}

func (s locationSteps) is(name, where, place, source string) error {
	want, err := s.want(where, place, source)
	if err != nil {
		return err
	}
	id, err := s.user(name)
	if err != nil {
		return err
	}
	got := s.world.Teams.WorkLocation(id)
	return Check(s.explain(id), func(g gomegaG) {
		g.Expect(got.String()).To(equal(want.String()), "the aggregated work location: manual > automatic > scheduled, the more precise signal winning inside a layer (G-LOC-1)")
	})
}

// graphReads reads the user's presence through Graph with a reader app
// of its own and compares its workLocation.
func (s locationSteps) graphReads(name, where, place, source string) error {
	want, err := s.want(where, place, source)
	if err != nil {
		return err
	}
	r, err := readPresence(s.Scenario, name)
	if err != nil {
		return err
	}
	var body struct {
		WorkLocation *struct {
			Type    string  `json:"workLocationType"`
			Source  string  `json:"source"`
			PlaceID *string `json:"placeId"`
		} `json:"workLocation"`
	}
	_ = json.Unmarshal(r.Body, &body)
	id, _ := s.user(name)
	why := func() string { return r.Why() + "\n" + s.world.Teams.Explain(id).String() }
	return Check(why, func(g gomegaG) {
		g.Expect(r.Status).To(equal(http.StatusOK), "the GET status")
		g.Expect(body.WorkLocation).NotTo(gomega.BeNil(), "the presence's workLocation (G-LOC-1)")
		place := ""
		if body.WorkLocation.PlaceID != nil {
			place = *body.WorkLocation.PlaceID
		}
		g.Expect(body.WorkLocation.Type+" "+body.WorkLocation.Source+" "+place).To(equal(want.Type.String()+" "+want.Source.String()+" "+want.PlaceID), "Graph's workLocationType, source and placeId (G-LOC-1)")
	})
}
