package teams_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

func TestParseWorkLocationType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want teams.WorkLocationType
		ok   bool
	}{
		{"office", teams.WorkOffice, true},
		{"Remote", teams.WorkRemote, true},
		{"timeOff", teams.WorkTimeOff, true},
		{"TIMEOFF", teams.WorkTimeOff, true},
		{"unspecified", teams.WorkUnspecified, true},
		{"unknownFutureValue", 0, false},
		{"", 0, false},
		{"time off", 0, false},
	} {
		got, err := teams.ParseWorkLocationType(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseWorkLocationType(%q) = %s, %v; want %s, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, teams.ErrInvalid) {
			t.Errorf("ParseWorkLocationType(%q): %v is not ErrInvalid (Graph answers 400)", tc.in, err)
		}
		if tc.ok && got.String() != strings.ToLower(got.String()[:1])+got.String()[1:] {
			t.Errorf("%s is not printed by its Graph name", got)
		}
	}
}

func TestParseWeekdays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want teams.Weekdays
		ok   bool
	}{
		{"Mondays", teams.Monday, true},
		{"monday", teams.Monday, true},
		{"weekdays", teams.WorkWeek, true},
		{"every day", teams.AllWeek, true},
		{"Monday to Friday", teams.WorkWeek, true},
		{"Monday to Thursday", teams.WorkWeek &^ teams.Friday, true},
		{"Mondays and Wednesdays", teams.Monday | teams.Wednesday, true},
		{"Mon, Tue", teams.Monday | teams.Tuesday, true},
		{"Friday to Monday", 0, false},
		{"Mo", 0, false},
		{"someday", 0, false},
		{"", 0, false},
	} {
		got, err := teams.ParseWeekdays(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseWeekdays(%q) = %s, %v; want %s, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// signal is one step of a layering table.
type signal struct {
	layer teams.WorkLocationSource // LocationNone clears everything
	by    string
	typ   teams.WorkLocationType
	place string
}

func TestWorkLocationLayers(t *testing.T) {
	office, remote := teams.WorkOffice, teams.WorkRemote
	for _, tc := range []struct {
		name  string
		hours []teams.WorkingHours
		steps []signal
		want  teams.WorkLocation
	}{
		{"nothing", nil, nil, teams.WorkLocation{}},
		{"scheduled", []teams.WorkingHours{{Days: teams.Monday, Start: 9 * time.Hour, End: 17 * time.Hour, Type: office}}, nil,
			teams.WorkLocation{Type: office, Source: teams.LocationScheduled}},
		{"automatic over scheduled", []teams.WorkingHours{{Days: teams.Monday, Start: 9 * time.Hour, End: 17 * time.Hour, Type: office}},
			[]signal{{teams.LocationAutomatic, "Teams", remote, ""}}, teams.WorkLocation{Type: remote, Source: teams.LocationAutomatic}},
		{"manual over automatic", nil,
			[]signal{{teams.LocationManual, "", office, ""}, {teams.LocationAutomatic, "Teams", remote, "b4"}}, teams.WorkLocation{Type: office, Source: teams.LocationManual}},
		{"manual unspecified still wins", nil,
			[]signal{{teams.LocationAutomatic, "Teams", remote, ""}, {teams.LocationManual, "", teams.WorkUnspecified, ""}}, teams.WorkLocation{Source: teams.LocationManual}},
		{"place beats type alone", nil,
			[]signal{{teams.LocationAutomatic, "dock", office, "b4"}, {teams.LocationAutomatic, "Teams", remote, ""}}, teams.WorkLocation{Type: office, Source: teams.LocationAutomatic, PlaceID: "b4"}},
		{"a detector replaces its own signal", nil,
			[]signal{{teams.LocationAutomatic, "dock", office, "b4"}, {teams.LocationAutomatic, "dock", remote, ""}}, teams.WorkLocation{Type: remote, Source: teams.LocationAutomatic}},
		{"clearing falls back to the working hours", []teams.WorkingHours{{Days: teams.AllWeek, Start: 0, End: 24 * time.Hour, Type: office, PlaceID: "hq"}},
			[]signal{{teams.LocationManual, "", remote, ""}, {teams.LocationAutomatic, "Teams", remote, ""}, {teams.LocationNone, "", 0, ""}},
			teams.WorkLocation{Type: office, Source: teams.LocationScheduled, PlaceID: "hq"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := sim.MustNew(1)
			u, _ := w.AddUser("alice", "")
			m := w.Teams
			if err := w.Clock.RunUntil(clock.At(1, 10, 0)); err != nil {
				t.Fatal(err)
			}
			for _, h := range tc.hours {
				if err := m.AddWorkingHours(u, h); err != nil {
					t.Fatal(err)
				}
			}
			for i, s := range tc.steps {
				var err error
				switch s.layer {
				case teams.LocationManual:
					err = m.SetManualLocation(u, s.typ, s.place)
				case teams.LocationAutomatic:
					err = m.SetAutomaticLocation(u, s.by, s.typ, s.place)
				default:
					err = m.ClearLocation(u)
				}
				if err != nil {
					t.Fatal(err)
				}
				_ = w.Clock.Advance(time.Duration(i+1) * time.Second)
			}
			if got := m.WorkLocation(u); got != tc.want {
				t.Errorf("work location %s, want %s\n%s", got, tc.want, m.Explain(u))
			}
		})
	}
}

// recorder counts the notifications of each kind.
type recorder struct{ presence, detail int }

func (r *recorder) PresenceChanged(clock.Time, teams.UserID, presence.Presence, presence.Presence) {
	r.presence++
}
func (r *recorder) PresenceDetailChanged(clock.Time, teams.UserID) { r.detail++ }

func TestObjectChangesGrowSequenceAndNotify(t *testing.T) {
	w := sim.MustNew(1)
	u, _ := w.AddUser("alice", "")
	m := w.Teams
	rec := &recorder{}
	m.Listen(rec)
	expiry := clock.At(1, 1, 0)
	steps := []struct {
		name     string
		do       func() error
		grows    bool
		notified bool
	}{
		{"set a message", func() error { return m.SetStatusMessage(u, "In the lab", "text", nil) }, true, true},
		{"replace it", func() error { return m.SetStatusMessage(u, "Back at 1", "text", &expiry) }, true, true},
		{"it expires", func() error { return w.Clock.RunUntil(expiry) }, true, true},
		{"clear what is clear", func() error { return m.SetStatusMessage(u, "", "text", nil) }, false, false},
		{"set a work location", func() error { return m.SetManualLocation(u, teams.WorkRemote, "") }, true, true},
		{"set it again", func() error { return m.SetManualLocation(u, teams.WorkRemote, "") }, false, false},
		{"a hidden automatic signal", func() error { return m.SetAutomaticLocation(u, "Teams", teams.WorkOffice, "") }, false, false},
		{"a change and its reversal", func() error {
			if err := m.SetStatusMessage(u, "x", "text", nil); err != nil {
				return err
			}
			return m.SetStatusMessage(u, "", "text", nil)
		}, true, false},
		{"sign in: a presence change, told once", func() error { return m.SignIn(u, teams.Desktop) }, true, false},
	}
	for _, st := range steps {
		seq, det, pres := m.Sequence(u), rec.detail, rec.presence
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		_ = w.Clock.Advance(time.Second) // the notification falls due
		if grew := m.Sequence(u) > seq; grew != st.grows {
			t.Errorf("%s: sequence %d → %d, want growth %v", st.name, seq, m.Sequence(u), st.grows)
		}
		if told := rec.detail > det; told != st.notified {
			t.Errorf("%s: detail notifications %d → %d, want one %v", st.name, det, rec.detail, st.notified)
		}
		if st.name == "sign in: a presence change, told once" && (rec.presence != pres+1 || rec.detail != det) {
			t.Errorf("%s: presence notifications %d → %d, detail %d → %d; want one presence notification only", st.name, pres, rec.presence, det, rec.detail)
		}
	}
}

func TestWorkLocationRefusals(t *testing.T) {
	w := sim.MustNew(1)
	u, _ := w.AddUser("alice", "")
	m := w.Teams
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"unknown type", m.SetManualLocation(u, teams.WorkLocationType(9), "")},
		{"long place", m.SetManualLocation(u, teams.WorkOffice, strings.Repeat("é", teams.MaxPlaceID+1))},
		{"control character", m.SetAutomaticLocation(u, "Teams", teams.WorkOffice, "a\x00b")},
		{"invalid UTF-8", m.SetAutomaticLocation(u, "Teams", teams.WorkOffice, "\xff")},
		{"no days", m.AddWorkingHours(u, teams.WorkingHours{Start: 0, End: time.Hour})},
		{"backwards", m.AddWorkingHours(u, teams.WorkingHours{Days: teams.Monday, Start: 2 * time.Hour, End: time.Hour})},
		{"past midnight", m.AddWorkingHours(u, teams.WorkingHours{Days: teams.Monday, Start: time.Hour, End: 25 * time.Hour})},
		{"unknown user", m.SetManualLocation(teams.UserID(7), teams.WorkOffice, "")},
	} {
		if tc.err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if err := m.SetManualLocation(u, teams.WorkOffice, strings.Repeat("é", teams.MaxPlaceID)); err != nil {
		t.Errorf("a place of %d two-byte characters was refused: %v", teams.MaxPlaceID, err)
	}
	for i := 0; i < teams.MaxLocationDetectors; i++ {
		if err := m.SetAutomaticLocation(u, "detector "+string(rune('a'+i)), teams.WorkOffice, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.SetAutomaticLocation(u, "one too many", teams.WorkOffice, ""); !errors.Is(err, teams.ErrInvalid) {
		t.Errorf("detector beyond the cap: %v, want ErrInvalid", err)
	}
	if err := m.SetAutomaticLocation(u, "detector a", teams.WorkRemote, ""); err != nil {
		t.Errorf("a known detector beyond the cap is refused: %v", err)
	}
	for i := 0; i < teams.MaxWorkingHours; i++ {
		if err := m.AddWorkingHours(u, teams.WorkingHours{Days: teams.Monday, Start: time.Duration(i) * time.Minute, End: time.Duration(i+1) * time.Minute, Type: teams.WorkOffice}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.AddWorkingHours(u, teams.WorkingHours{Days: teams.Monday, Start: 0, End: time.Hour}); !errors.Is(err, teams.ErrInvalid) {
		t.Errorf("working hours beyond the cap: %v, want ErrInvalid", err)
	}
}

// The working hours follow the week: day 1 is a Monday, day 8 the next.
func TestWorkingHoursFollowTheWeek(t *testing.T) {
	w := sim.MustNew(1)
	u, _ := w.AddUser("alice", "")
	m := w.Teams
	if err := m.AddWorkingHours(u, teams.WorkingHours{Days: teams.Monday | teams.Friday, Start: 9 * time.Hour, End: 17 * time.Hour, Type: teams.WorkOffice}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   clock.Time
		want teams.WorkLocationSource
	}{
		{clock.At(1, 8, 59), teams.LocationNone},
		{clock.At(1, 9, 0), teams.LocationScheduled},
		{clock.At(1, 16, 59), teams.LocationScheduled},
		{clock.At(1, 17, 0), teams.LocationNone},
		{clock.At(2, 10, 0), teams.LocationNone},
		{clock.At(5, 10, 0), teams.LocationScheduled},
		{clock.At(7, 10, 0), teams.LocationNone},
		{clock.At(8, 9, 30), teams.LocationScheduled},
		{clock.At(29, 9, 30), teams.LocationScheduled},
	} {
		if err := w.Clock.RunUntil(tc.at); err != nil {
			t.Fatal(err)
		}
		if got := m.WorkLocation(u).Source; got != tc.want {
			t.Errorf("at %s: source %s, want %s", tc.at, got, tc.want)
		}
	}
}
