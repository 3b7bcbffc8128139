package teams

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/presencesim/presencesim/sim/clock"
)

// WorkLocationType is where a user works (G-LOC-1).
type WorkLocationType uint8

// The work location types Graph knows.
const (
	WorkUnspecified WorkLocationType = iota
	WorkOffice
	WorkRemote
	WorkTimeOff
	numWorkLocationTypes
)

var workLocationTypeNames = [numWorkLocationTypes]string{"unspecified", "office", "remote", "timeOff"}

func (t WorkLocationType) String() string {
	if t < numWorkLocationTypes {
		return workLocationTypeNames[t]
	}
	return fmt.Sprintf("WorkLocationType(%d)", uint8(t))
}

// ParseWorkLocationType reads Graph's names (unspecified, office, remote,
// timeOff) in any case.
func ParseWorkLocationType(s string) (WorkLocationType, error) {
	for i, n := range workLocationTypeNames {
		if strings.EqualFold(s, n) {
			return WorkLocationType(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown workLocationType %q; valid: %s (G-LOC-1)", ErrInvalid, clip(s, 40), strings.Join(workLocationTypeNames[:], ", "))
}

// WorkLocationSource is the layer a work location comes from (G-LOC-1).
type WorkLocationSource uint8

// The layers, in Graph's order of names; LocationNone when no layer holds a
// signal.
const (
	LocationNone WorkLocationSource = iota
	LocationManual
	LocationScheduled
	LocationAutomatic
	numWorkLocationSources
)

var workLocationSourceNames = [numWorkLocationSources]string{"none", "manual", "scheduled", "automatic"}

func (s WorkLocationSource) String() string {
	if s < numWorkLocationSources {
		return workLocationSourceNames[s]
	}
	return fmt.Sprintf("WorkLocationSource(%d)", uint8(s))
}

// locationRank orders the layers: manual > automatic > scheduled > none.
var locationRank = [numWorkLocationSources]uint8{LocationNone: 0, LocationScheduled: 1, LocationAutomatic: 2, LocationManual: 3}

// Outranks reports whether a signal of layer s wins over one of layer o.
func (s WorkLocationSource) Outranks(o WorkLocationSource) bool {
	return s < numWorkLocationSources && o < numWorkLocationSources && locationRank[s] > locationRank[o]
}

// WorkLocation is a user's aggregated work location, as Graph's
// userWorkLocation shows it.
type WorkLocation struct {
	Type    WorkLocationType
	Source  WorkLocationSource
	PlaceID string
}

func (l WorkLocation) String() string {
	s := l.Type.String()
	if l.PlaceID != "" {
		s += fmt.Sprintf(" at %q", l.PlaceID)
	}
	return s + " (" + l.Source.String() + ")"
}

// LocationSignal is one signal of a layer: what it says, who said it and
// when.
type LocationSignal struct {
	Type    WorkLocationType
	PlaceID string
	By      string     // the detector (automatic), the working hours (scheduled), "by hand" (manual)
	At      clock.Time // when it was set or came into force
}

// Precision ranks how much a signal says: a type says more than
// unspecified, a type with a place more than the type alone (G-LOC-1:
// office + building > office).
func (s LocationSignal) Precision() int {
	switch {
	case s.Type == WorkUnspecified:
		return 0
	case s.PlaceID == "":
		return 1
	}
	return 2
}

func (s LocationSignal) String() string {
	out := s.Type.String()
	if s.PlaceID != "" {
		out += fmt.Sprintf(" at %q", s.PlaceID)
	}
	return out
}

// beats reports whether s wins over o inside a layer: the more
// precise wins; between equals, the later one (the newer detection).
func (s LocationSignal) beats(o LocationSignal) bool {
	if p, q := s.Precision(), o.Precision(); p != q {
		return p > q
	}
	return s.At > o.At
}

// Limits of the work location layers: every list that grows with traffic
// has a cap.
const (
	// MaxPlaceID is the longest placeId accepted, in characters.
	MaxPlaceID = 256
	// MaxLocationDetectors is how many detectors may hold an automatic
	// signal for one user at once.
	MaxLocationDetectors = 16
	// MaxWorkingHours is how many working-hours segments a calendar holds;
	// at most 32, one bit each in the mask of segments in force.
	MaxWorkingHours = 32
)

// workLocation is a user's three layers and their aggregate.
type workLocation struct {
	manual    LocationSignal
	hasManual bool
	auto      []LocationSignal // one per detector (By)
	hours     []WorkingHours
	sched     LocationSignal // the working hours in force since the last edge
	hasSched  bool
	active    uint32 // which of hours were in force at the last edge (MaxWorkingHours bits)
	cur       WorkLocation
	edge      clock.Timer
}

// aggregate is G-LOC-1: manual > automatic > scheduled, the more precise
// signal winning inside a layer; none when no layer holds a signal.
func (l *workLocation) aggregate() WorkLocation {
	switch {
	case l.hasManual:
		return WorkLocation{l.manual.Type, LocationManual, l.manual.PlaceID}
	case len(l.auto) > 0:
		best := l.auto[0]
		for _, s := range l.auto[1:] {
			if s.beats(best) {
				best = s
			}
		}
		return WorkLocation{best.Type, LocationAutomatic, best.PlaceID}
	case l.hasSched:
		return WorkLocation{l.sched.Type, LocationScheduled, l.sched.PlaceID}
	}
	return WorkLocation{}
}

func checkSignal(t WorkLocationType, place string) error {
	if t >= numWorkLocationTypes {
		return fmt.Errorf("%w: unknown work location type %d (G-LOC-1)", ErrInvalid, t)
	}
	if !utf8.ValidString(place) {
		return fmt.Errorf("%w: placeId is not valid UTF-8 (G-LOC-1)", ErrInvalid)
	}
	if n := utf8.RuneCountInString(place); n > MaxPlaceID {
		return fmt.Errorf("%w: placeId is %d characters long; at most %d are allowed (G-LOC-1)", ErrInvalid, n, MaxPlaceID)
	}
	if strings.IndexFunc(place, unicode.IsControl) >= 0 {
		return fmt.Errorf("%w: placeId holds a control character (G-LOC-1)", ErrInvalid)
	}
	return nil
}

// SetManualLocation sets the work location by hand (setManualLocation); it
// wins over every other layer until cleared.
func (m *Model) SetManualLocation(id UserID, t WorkLocationType, place string) error {
	if err := m.valid(id); err != nil {
		return err
	}
	if err := checkSignal(t, place); err != nil {
		return err
	}
	u := m.users[id]
	before := u.detail()
	u.wl.manual, u.wl.hasManual = LocationSignal{Type: t, PlaceID: place, By: "by hand", At: m.clk.Now()}, true
	m.relocate(id, before, "manual: "+u.wl.manual.String())
	return nil
}

// SetAutomaticLocation records what a detector (a Teams client, a network
// agent, a docking app) found (setAutomaticLocation). Each detector holds
// one signal; a new one replaces its last. Manual and scheduled signals are
// kept.
func (m *Model) SetAutomaticLocation(id UserID, by string, t WorkLocationType, place string) error {
	if err := m.valid(id); err != nil {
		return err
	}
	if err := checkSignal(t, place); err != nil {
		return err
	}
	u := m.users[id]
	sig := LocationSignal{Type: t, PlaceID: place, By: by, At: m.clk.Now()}
	i := 0
	for i < len(u.wl.auto) && u.wl.auto[i].By != by {
		i++
	}
	if i == len(u.wl.auto) && i >= MaxLocationDetectors {
		return fmt.Errorf("%w: %s has automatic work locations from %d detectors already, the most presencesim keeps (G-LOC-1)", ErrInvalid, u.dir.Name, MaxLocationDetectors)
	}
	before := u.detail()
	if i == len(u.wl.auto) {
		u.wl.auto = append(u.wl.auto, sig)
	} else {
		u.wl.auto[i] = sig
	}
	m.relocate(id, before, "automatic from "+by+": "+sig.String())
	return nil
}

// ClearAutomaticLocation drops the automatic layer (clearAutomaticLocation):
// a manual location stays in force, else the scheduled one, else none.
func (m *Model) ClearAutomaticLocation(id UserID) error {
	if err := m.valid(id); err != nil {
		return err
	}
	u := m.users[id]
	before := u.detail()
	u.wl.auto = u.wl.auto[:0]
	m.relocate(id, before, "automatic layer cleared")
	return nil
}

// ClearLocation drops the manual and the automatic layers (clearLocation);
// the working hours remain.
func (m *Model) ClearLocation(id UserID) error {
	if err := m.valid(id); err != nil {
		return err
	}
	u := m.users[id]
	before := u.detail()
	u.wl.auto = u.wl.auto[:0]
	u.wl.manual, u.wl.hasManual = LocationSignal{}, false
	m.relocate(id, before, "manual and automatic layers cleared")
	return nil
}

// WorkLocation is the user's aggregated work location (G-LOC-1).
func (m *Model) WorkLocation(id UserID) WorkLocation { return m.users[id].wl.cur }

// LocationLayers is what each layer of a user's work location holds now.
type LocationLayers struct {
	Manual       *LocationSignal
	Automatic    []LocationSignal
	Scheduled    *LocationSignal
	WorkingHours []WorkingHours
}

// WorkLocationLayers returns copies of the user's layers, for
// explanations and invariants.
func (m *Model) WorkLocationLayers(id UserID) LocationLayers {
	wl := &m.users[id].wl
	var l LocationLayers
	if wl.hasManual {
		s := wl.manual
		l.Manual = &s
	}
	if wl.hasSched {
		s := wl.sched
		l.Scheduled = &s
	}
	l.Automatic = append(l.Automatic, wl.auto...)
	l.WorkingHours = append(l.WorkingHours, wl.hours...)
	return l
}

// relocate aggregates the layers again after a layer changed (note) and,
// when the work location changed, records a change of the presence
// object; a change hidden by a higher layer is traced all the same.
func (m *Model) relocate(id UserID, before objectDetail, note string) {
	u := m.users[id]
	u.wl.cur = u.wl.aggregate()
	if u.detail() == before {
		m.source(id, "work location", u.cur, u.cur, "G-LOC-1", note+"; the work location stays "+u.wl.cur.String())
		return
	}
	m.objectChanged(id, before, "work location", "G-LOC-1", note+"; the work location is now "+u.wl.cur.String())
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// explainLocation adds the work location and the signals of its layers,
// highest layer first.
func (m *Model) explainLocation(e *Explanation, id UserID) {
	wl := &m.users[id].wl
	e.WorkLocation = wl.cur
	add := func(src WorkLocationSource, s LocationSignal) {
		e.Locations = append(e.Locations, SourceState{Name: src.String(), Rule: ruleWorkLocation, Detail: fmt.Sprintf("%s, %s since %s", s, s.By, s.At)})
	}
	if wl.hasManual {
		add(LocationManual, wl.manual)
	}
	for _, s := range wl.auto {
		add(LocationAutomatic, s)
	}
	if wl.hasSched {
		add(LocationScheduled, wl.sched)
	}
}

// LayerSignal is one signal with the layer that holds it.
type LayerSignal struct {
	Layer WorkLocationSource
	LocationSignal
}

// AppendLocationSignals appends every signal the user's layers hold now to
// buf: the manual one, each detector's, each segment of working hours in
// force since the last start or end of one. With a
// reused buf it allocates nothing, so checkers can call it after every
// event.
func (m *Model) AppendLocationSignals(id UserID, buf []LayerSignal) []LayerSignal {
	wl := &m.users[id].wl
	if wl.hasManual {
		buf = append(buf, LayerSignal{LocationManual, wl.manual})
	}
	for _, s := range wl.auto {
		buf = append(buf, LayerSignal{LocationAutomatic, s})
	}
	for i, h := range wl.hours {
		if wl.active&(1<<i) != 0 {
			buf = append(buf, LayerSignal{LocationScheduled, LocationSignal{Type: h.Type, PlaceID: h.PlaceID}})
		}
	}
	return buf
}
