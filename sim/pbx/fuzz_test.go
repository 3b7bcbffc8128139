package pbx

import (
	"strings"
	"testing"
)

// FuzzParse feeds every parser of PBX words: none may panic, and whatever
// one accepts must read back to the same value from its canonical name.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"Verfügbar", "Nicht verfügbar", "Besetzt oder Meeting", "desk phone", "off-hook", "dnd", "Mitel One", "", " ", "ß", "\xff"} {
		f.Add(s)
	}
	_, m := newPBX(f)
	f.Fuzz(func(t *testing.T, s string) {
		if st, err := m.ParseUserState(s); err == nil {
			if back, err := m.ParseUserState(st.ID()); err != nil || back != st {
				t.Errorf("user state %q → %v does not read back", s, st)
			}
		} else if !strings.Contains(err.Error(), "valid:") {
			t.Errorf("error without the valid choices: %v", err)
		}
		readsBack(t, "device", s, ParseDevice, Device.String)
		readsBack(t, "event", s, ParseLineEvent, LineEvent.String)
		readsBack(t, "Mitel One", s, ParseMitelOne, MitelOneState.Label)
		readsBack(t, "via", s, ParseVia, Via.String)
		_, _ = ParseCallState(s)
	})
}

// readsBack checks that what parse accepts in s parses again from its name.
func readsBack[T comparable](t *testing.T, what, s string, parse func(string) (T, error), name func(T) string) {
	t.Helper()
	if v, err := parse(s); err == nil {
		if back, _ := parse(name(v)); back != v {
			t.Errorf("%s %q → %v does not read back", what, s, v)
		}
	}
}
