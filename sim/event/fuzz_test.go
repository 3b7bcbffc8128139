package event_test

import (
	"reflect"
	"testing"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/event"
)

// FuzzDecodeJSON: whatever a control API body holds, the decoder answers
// an event or an error, never a panic; an event it accepts writes back to
// JSON that decodes to the same event, and a world takes it or refuses it
// without a panic.
func FuzzDecodeJSON(f *testing.F) {
	for _, o := range event.Ops()[1:] {
		b, err := o.Example().EncodeJSON()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"event":"setPreferred","user":"alice","presence":"Busy","duration":"90s"}`))
	f.Add([]byte(`{"event":"startCall","users":["alice","bob","alice"]}`))
	f.Add([]byte(`{"event":"appointment","user":"alice","show":"free slot","from":"23:59","to":"00:00"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := event.DecodeJSON(body, at)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		b, err := ev.EncodeJSON()
		if err != nil {
			t.Fatalf("%s decodes but does not encode: %v", body, err)
		}
		again, err := event.DecodeJSON(b, at)
		if err != nil || !reflect.DeepEqual(again, ev) {
			t.Fatalf("%s decodes to %#v, which writes %s, which reads %#v (%v)", body, ev, b, again, err)
		}
		w := sim.MustNew(1)
		for _, n := range []string{"alice", "bob", "carol"} {
			if _, err := w.AddUser(n, ""); err != nil {
				t.Fatal(err)
			}
		}
		_ = w.Apply(ev)
	})
}
