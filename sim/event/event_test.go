package event_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/event"
	"github.com/presencesim/presencesim/sim/teams"
)

// at is when the examples happen: the day of their calendar entries.
var at = clock.At(1, 9, 0)

// TestPhrasesRoundTrip: every row's example, written as a phrase, is read
// by that row's pattern alone and back to the very event.
func TestPhrasesRoundTrip(t *testing.T) {
	var pats []*regexp.Regexp
	for _, o := range event.Ops() {
		if p := o.Pattern(); p != "" {
			pats = append(pats, regexp.MustCompile(p))
		}
	}
	for _, o := range event.Ops()[1:] {
		t.Run(o.JSON(), func(t *testing.T) {
			ev := o.Example()
			s := ev.Phrase()
			if s == "" {
				t.Fatalf("%s has no phrase", o.Name())
			}
			n := 0
			for _, p := range pats {
				if p.MatchString(s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%q is read by %d patterns, want 1", s, n)
			}
			got, err := event.Parse(s, at)
			if err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			if !reflect.DeepEqual(got, ev) {
				t.Fatalf("%q reads as\n%#v\nwant\n%#v", s, got, ev)
			}
		})
	}
}

// TestJSONRoundTrips: every row's example, written as the control API's
// JSON, decodes to the very event.
func TestJSONRoundTrips(t *testing.T) {
	seen := map[string]event.Op{}
	for _, o := range event.Ops()[1:] {
		if p, dup := seen[o.JSON()]; dup {
			t.Fatalf("%s and %s share the JSON name %q", p.Name(), o.Name(), o.JSON())
		}
		seen[o.JSON()] = o
		ev := o.Example()
		b, err := ev.EncodeJSON()
		if err != nil {
			t.Fatal(err)
		}
		got, err := event.DecodeJSON(b, at)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(got, ev) {
			t.Errorf("%s decodes as\n%#v\nwant\n%#v", b, got, ev)
		}
	}
}

// TestMalformedJSON: a body that is no event gets an error that says what
// is wrong.
func TestMalformedJSON(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{``, "invalid JSON body"},
		{`{"event":`, "invalid JSON body"},
		{`[]`, "invalid JSON body"},
		{`null`, "write a JSON object"},
		{`{}`, `"event" names the input`},
		{`{"event": 3}`, `"event" names the input`},
		{`{"event":"dance","user":"alice"}`, `unknown event "dance"; valid: signIn`},
		{`{"event":"signIn","user":"alice","client":"fax"}`, "signIn: client:"},
		{`{"event":"signIn","client":"web"}`, "signIn names 0 people, needs 1"},
		{`{"event":"lock","user":"alice","client":"web"}`, `lock takes no "client"; it takes: "user"`},
		{`{"event":"endCall","user":"alice"}`, `endCall takes no "user"; it takes: nothing more`},
		{`{"event":"startCall","users":"alice"}`, `"users" is a list of names`},
		{`{"event":"startCall","users":["alice"]}`, "2 to 100 people, not 1"},
		{`{"event":"startCall","users":["alice","bob, carol"]}`, "holds a comma"},
		{`{"event":"startCall","users":["alice","alice and bob"]}`, "holds a comma"},
		{`{"event":"setPreferred","user":"alice","presence":"Sleepy"}`, "setPreferred: presence:"},
		{`{"event":"setPreferred","user":"alice","presence":"Busy","duration":"forever"}`, "malformed duration"},
		{`{"event":"setPreferred","user":"alice","presence":"Busy","duration":"9000h"}`, "longer than a year"},
		{`{"event":"setPreferred","user":7}`, `"user" is a string`},
		{`{"event":"appointment","user":"alice","show":"a meeting","from":"25:00","to":"11:00"}`, "hours 0-23"},
		{`{"event":"signIn","user":"alice","client":"web"} {}`, "one object only"},
	} {
		_, err := event.DecodeJSON([]byte(c.body), at)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.body, err, c.want)
		}
	}
}

// TestApplyActs: World.Apply of a decoded event acts on the world, and an
// event the model cannot take is refused with the model's reason.
func TestApplyActs(t *testing.T) {
	w := sim.MustNew(1)
	for _, n := range []string{"alice", "bob"} {
		if _, err := w.AddUser(n, ""); err != nil {
			t.Fatal(err)
		}
	}
	apply := func(body string) error {
		ev, err := event.DecodeJSON([]byte(body), w.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return w.Apply(ev)
	}
	if err := apply(`{"event":"signIn","user":"alice","client":"desktop"}`); err != nil {
		t.Fatal(err)
	}
	if err := apply(`{"event":"startCall","users":["alice","bob"]}`); err != nil {
		t.Fatal(err)
	}
	if p := w.Teams.Presence(mustUser(t, w, "alice")); p.Short() != "Busy/InACall" {
		t.Fatalf("alice in a call shows %s, want Busy/InACall", p.Short())
	}
	if _, ok := event.LastCall(w); !ok {
		t.Fatal("the call started is not the last call")
	}
	if err := apply(`{"event":"endCall"}`); err != nil {
		t.Fatal(err)
	}
	if err := apply(`{"event":"endCall"}`); err == nil {
		t.Fatal("a call ended twice was not refused")
	}
	if err := apply(`{"event":"lock","user":"zed"}`); err == nil || !strings.Contains(err.Error(), "zed") {
		t.Fatalf("an unknown person must be refused by name, got %v", err)
	}
}

func mustUser(t *testing.T, w *sim.World, n string) teams.UserID {
	t.Helper()
	id, err := w.Teams.User(n)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
