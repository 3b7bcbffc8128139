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
		if d, err := ParseDevice(s); err == nil {
			if back, _ := ParseDevice(d.String()); back != d {
				t.Errorf("device %q → %v does not read back", s, d)
			}
		}
		if e, err := ParseLineEvent(s); err == nil {
			if back, _ := ParseLineEvent(e.String()); back != e {
				t.Errorf("event %q → %v does not read back", s, e)
			}
		}
		if mo, err := ParseMitelOne(s); err == nil {
			if back, _ := ParseMitelOne(mo.Label()); back != mo {
				t.Errorf("Mitel One %q → %v does not read back", s, mo)
			}
		}
		if v, err := ParseVia(s); err == nil {
			if back, _ := ParseVia(v.String()); back != v {
				t.Errorf("via %q → %v does not read back", s, v)
			}
		}
		_, _ = ParseCallState(s)
	})
}
