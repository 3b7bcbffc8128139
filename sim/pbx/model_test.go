package pbx

import (
	"errors"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

func newPBX(t testing.TB, names ...string) (*sim.World, *Model) {
	t.Helper()
	w := sim.MustNew(7)
	m := Of(w)
	for _, n := range names {
		id, err := w.AddUser(n, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Ensure(id); err != nil {
			t.Fatal(err)
		}
	}
	return w, m
}

type recorder struct{ evs []Event }

func (r *recorder) PBXChanged(_ clock.Time, ev Event) { r.evs = append(r.evs, ev) }

func TestLineTransitions(t *testing.T) {
	tests := []struct {
		events []LineEvent
		state  CallState
		dir    Direction
		err    string
	}{
		{[]LineEvent{OffHook}, Ringing, Made, ""},
		{[]LineEvent{OffHook, Answer}, Connected, Made, ""},
		{[]LineEvent{Incoming, Answer}, Connected, Received, ""},
		{[]LineEvent{Incoming, Answer, Hold}, Held, Received, ""},
		{[]LineEvent{Incoming, Answer, Hold, Retrieve}, Connected, Received, ""},
		{[]LineEvent{OffHook, Answer, HangUp}, Idle, NoCall, ""},
		{[]LineEvent{Incoming, HangUp}, Idle, NoCall, ""},
		{[]LineEvent{OffHook, Answer, Unplug}, Idle, NoCall, ""},
		{[]LineEvent{Answer}, Idle, NoCall, "answer on alice's desk phone while it is idle; possible now: offhook, incoming, unplug"},
		{[]LineEvent{HangUp}, Idle, NoCall, "possible now"},
		{[]LineEvent{OffHook, Hold}, Ringing, Made, "while it is ringing"},
		{[]LineEvent{Unplug, OffHook}, Idle, NoCall, "unplugged; plug it in first"},
		{[]LineEvent{Unplug, Unplug}, Idle, NoCall, "unplugged already"},
		{[]LineEvent{PlugIn}, Idle, NoCall, "plugged in already"},
		{[]LineEvent{Unplug, PlugIn, Incoming}, Ringing, Received, ""},
	}
	for _, tc := range tests {
		_, m := newPBX(t, "alice")
		var err error
		for _, ev := range tc.events {
			if err = m.LineEvent(0, DeskPhone, ev); err != nil {
				break
			}
		}
		name := ""
		for _, ev := range tc.events {
			name += ev.String() + " "
		}
		if tc.err == "" && err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, tc.err)
		}
		l := m.UserAt(0).Line(DeskPhone)
		if l.State != tc.state || l.Dir != tc.dir {
			t.Errorf("%s: line %s/%s, want %s/%s", name, l.State, l.Dir, tc.state, tc.dir)
		}
	}
}

func TestUnknownUserAndDevice(t *testing.T) {
	_, m := newPBX(t, "alice")
	if err := m.LineEvent(3, DeskPhone, OffHook); !errors.Is(err, ErrUnknown) {
		t.Errorf("event for an unknown PBX user: %v", err)
	}
	if err := m.LineEvent(0, Softphone, Incoming); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "the user has: desk phone") {
		t.Errorf("event for a device the user lacks: %v", err)
	}
	if err := m.LineEvent(0, Device(9), Incoming); !errors.Is(err, ErrUnknown) {
		t.Errorf("event for an unknown device: %v", err)
	}
	if err := m.LineEvent(0, DeskPhone, LineEvent(42)); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown event: %v", err)
	}
	if _, err := m.Lookup("zed"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "PBX users: alice") {
		t.Errorf("lookup of an unknown user: %v", err)
	}
}

// TestMitelOneSync checks CL-5 both ways, row by row of MitelOneSync.
func TestMitelOneSync(t *testing.T) {
	_, m := newPBX(t, "alice")
	for _, r := range MitelOneSync {
		if err := m.SetMitelOne(0, r.MitelOne); err != nil {
			t.Fatal(err)
		}
		if got := m.UserAt(0).State; got != r.PBX[0] {
			t.Errorf("Mitel One %s → PBX %s, want %s", r.MitelOne, got, r.PBX[0])
		}
		for _, s := range r.PBX {
			if err := m.SetUserPresence(0, s, ViaPortal); err != nil {
				t.Fatal(err)
			}
			if got := m.UserAt(0).MitelOne; got != r.MitelOne {
				t.Errorf("PBX %s → Mitel One %s, want %s", s, got, r.MitelOne)
			}
		}
	}
}

func TestNoUserPresenceWithoutMiVO400(t *testing.T) {
	_, m := newPBX(t, "alice")
	set := m.Settings()
	set.UserPresence = false
	if err := m.SetSettings(set); err != nil {
		t.Fatal(err)
	}
	if err := m.SetUserPresence(0, StAway, ViaPhone); err == nil || !strings.Contains(err.Error(), "CL-1") {
		t.Errorf("user presence on a PBX without one: %v", err)
	}
	if err := m.SetMitelOne(0, MOAway); err != nil {
		t.Fatal(err)
	}
	if u := m.UserAt(0); u.MitelOne != MOAway || u.State != StAvailable {
		t.Errorf("Mitel One without PBX user presence: Mitel One %s, PBX %s", u.MitelOne, u.State)
	}
}

func TestRenameState(t *testing.T) {
	_, m := newPBX(t, "alice")
	if err := m.RenameState(StMeeting, "Kundentermin"); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"Kundentermin", "kundentermin", "meeting", "Besprechung", "Meeting"} {
		if s, err := m.ParseUserState(in); err != nil || s != StMeeting {
			t.Errorf("ParseUserState(%q) = %v, %v after rename", in, s, err)
		}
	}
	if err := m.RenameState(StMeeting, "besetzt"); err == nil {
		t.Error("a rename to another state's name was accepted")
	}
	if err := m.RenameState(StMeeting, " "); err == nil {
		t.Error("an empty name was accepted")
	}
	_, err := m.ParseUserState("Urlaub")
	if err == nil || !strings.Contains(err.Error(), "Kundentermin") {
		t.Errorf("unknown state error should list the current names: %v", err)
	}
}

func TestParsers(t *testing.T) {
	_, m := newPBX(t)
	parses(t, "ParseUserState", m.ParseUserState, map[string]UserState{"Verfügbar": StAvailable, "verfuegbar": StAvailable, "Nicht verfügbar": StUnavailable, "NICHT  VERFÜGBAR": StUnavailable, "Meeting": StMeeting, "busy": StBusy, "Abwesend": StAway})
	parses(t, "ParseDevice", ParseDevice, map[string]Device{"desk phone": DeskPhone, "Deskphone": DeskPhone, "desk-phone": DeskPhone, "softphone": Softphone})
	parses(t, "ParseLineEvent", ParseLineEvent, map[string]LineEvent{"off-hook": OffHook, "offhook": OffHook, "hang up": HangUp, "plug in": PlugIn})
	parses(t, "ParseMitelOne", ParseMitelOne, map[string]MitelOneState{"Nicht stören": MODoNotDisturb, "dnd": MODoNotDisturb, "Away": MOAway, "Besetzt": MOBusy})
	parses(t, "ParseVia", ParseVia, map[string]Via{"phone": ViaPhone, "Mitel One": ViaMitelOne, "self-service portal": ViaPortal, "micollab": ViaMiCollab})
}

// parses checks that parse reads each input as the value given for it.
func parses[T comparable](t *testing.T, fn string, parse func(string) (T, error), cases map[string]T) {
	t.Helper()
	for in, want := range cases {
		if got, err := parse(in); err != nil || got != want {
			t.Errorf("%s(%q) = %v, %v; want %v", fn, in, got, err, want)
		}
	}
}

// TestTraceAndListeners checks every change reaches the trace (a lane per
// line) and the listeners, in order.
func TestTraceAndListeners(t *testing.T) {
	w, m := newPBX(t, "alice")
	r := &recorder{}
	m.Listen(r)
	before := w.Trace.Len()
	steps := []func() error{
		func() error { return m.AddDevice(0, Softphone) },
		func() error { return m.LineEvent(0, Softphone, Incoming) },
		func() error { return m.LineEvent(0, Softphone, Answer) },
		func() error { return m.SetUserPresence(0, StMeeting, ViaPhone) },
		func() error { return m.SetMiCollab(0, 3) },
	}
	for _, f := range steps {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	want := []EventKind{LineChanged, LineChanged, LineChanged, PresenceChanged, MiCollabChanged}
	if len(r.evs) != len(want) {
		t.Fatalf("listener got %d events, want %d", len(r.evs), len(want))
	}
	for i, k := range want {
		if r.evs[i].Kind != k {
			t.Errorf("event %d is %s, want %s", i, r.evs[i].Kind, k)
		}
	}
	if r.evs[2].Before.State != Ringing || r.evs[2].Line.State != Connected {
		t.Errorf("answer event: %+v", r.evs[2])
	}
	got := w.Trace.Entries()[before:]
	if len(got) != len(want) {
		t.Fatalf("trace got %d entries, want %d", len(got), len(want))
	}
	if got[2].Source != "pbx:softphone" || got[2].Note != "connected (call received)" || got[3].Note != "Besprechung (set on desk phone)" {
		t.Errorf("trace entries: %v / %v", got[2], got[3])
	}
}

// TestLineEventAllocatesNothing: recording and telling listeners of a line
// change allocates nothing once the trace has room.
func TestLineEventAllocatesNothing(t *testing.T) {
	w, m := newPBX(t, "alice")
	w.Trace.SetRecording(false)
	allocs := testing.AllocsPerRun(200, func() {
		_ = m.LineEvent(0, DeskPhone, OffHook)
		_ = m.LineEvent(0, DeskPhone, Answer)
		_ = m.LineEvent(0, DeskPhone, HangUp)
	})
	if allocs != 0 {
		t.Errorf("a call on the desk phone allocates %.1f times", allocs)
	}
}

// CheckEmail takes exactly the addresses SetEmail takes.
func TestCheckEmail(t *testing.T) {
	_, m := newPBX(t, "alice")
	for _, tc := range []struct {
		email string
		ok    bool
	}{{"a@b", true}, {" a@b.de ", true}, {"nope", false}, {"@b", false}, {"a@", false}, {"a b@c", false}, {"", false}} {
		err := CheckEmail(tc.email)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("CheckEmail(%q): %v, want ok %v", tc.email, err, tc.ok)
		}
		if set := m.SetEmail(0, tc.email); (set == nil) != (err == nil) {
			t.Errorf("SetEmail(%q): %v, CheckEmail: %v", tc.email, set, err)
		}
	}
	if e := m.UserAt(0).Email; e != "a@b.de" {
		t.Errorf("email %q, want the trimmed address", e)
	}
}
