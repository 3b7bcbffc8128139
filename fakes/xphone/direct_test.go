package xphone

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

// TestChangedOnly: ?changed=true answers only the users changed after the
// version asked for, in the world's order, so that a reader of a tenant
// of thousands takes in a change without the whole list; a bad value says
// what it wants.
func TestChangedOnly(t *testing.T) {
	h, _ := newHandler(t, Options{})
	list := func(q string) (uint64, []string) {
		t.Helper()
		code, body := do(t, h, "GET", "/xphone/users"+q, "")
		if code != 200 {
			t.Fatalf("GET /xphone/users%s: %d %s", q, code, body)
		}
		var res struct {
			Version uint64
			Value   []UserView
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range res.Value {
			names = append(names, u.Name)
		}
		return res.Version, names
	}
	v0, all := list("")
	if strings.Join(all, ",") != "alice,bob" {
		t.Fatalf("the full list is %v", all)
	}
	if _, none := list("?after=" + strconv.FormatUint(v0, 10) + "&changed=true"); len(none) != 0 {
		t.Errorf("nothing changed, yet %v", none)
	}
	if err := h.Call("bob", true); err != nil {
		t.Fatal(err)
	}
	v1, got := list("?after=" + strconv.FormatUint(v0, 10) + "&changed=true")
	if strings.Join(got, ",") != "bob" || v1 <= v0 {
		t.Errorf("after bob's call: version %d (was %d), users %v; want bob alone", v1, v0, got)
	}
	if err := h.SelectProfile("alice", "Abwesend"); err != nil {
		t.Fatal(err)
	}
	if _, got := list("?after=" + strconv.FormatUint(v0, 10) + "&changed=true"); strings.Join(got, ",") != "alice,bob" {
		t.Errorf("after both changed: %v; want alice,bob in the world's order", got)
	}
	if _, got := list("?after=" + strconv.FormatUint(v1, 10) + "&changed=1"); strings.Join(got, ",") != "alice" {
		t.Errorf("after bob's call's version: %v; want alice alone", got)
	}
	// past the journal's cap the answer is the same, from everyone's state
	for i := 0; i < MaxJournal+1; i++ {
		if err := h.SelectProfile("bob", "Abwesend"); err != nil {
			t.Fatal(err)
		}
	}
	if _, got := list("?after=" + strconv.FormatUint(v1, 10) + "&changed=true"); strings.Join(got, ",") != "alice,bob" {
		t.Errorf("after %d more changes of bob: %v; want alice,bob", MaxJournal+1, got)
	}
	if code, body := do(t, h, "GET", "/xphone/users?changed=perhaps", ""); code != 400 || !strings.Contains(body, "want true") {
		t.Errorf("changed=perhaps: %d %s", code, body)
	}
}

// TestDirect: a caller holding the world changes the XPhone side by user
// id with the same journal as the harness's own inputs, and an excluded
// user (the presence account) is unknown there too.
func TestDirect(t *testing.T) {
	var changes []string
	h, lw := newHandler(t, Options{OnChange: func(c Change) { changes = append(changes, c.User+" "+c.Kind.String()+" by the "+c.By) }})
	err := lw.Do(func(w *sim.World) error {
		alice, _ := w.Teams.User("alice")
		d := h.Direct()
		for _, err := range []error{d.Call(w, alice, true), d.Meeting(w, alice, true), d.Meeting(w, alice, false), d.Call(w, alice, false), d.SelectProfile(w, alice, "Nicht stören")} {
			if err != nil {
				return err
			}
		}
		if s := d.Selected(w, alice); s != "Nicht stören" {
			t.Errorf("alice has %q selected", s)
		}
		if err := d.Call(w, alice, false); err == nil || !strings.Contains(err.Error(), "none to end") {
			t.Errorf("ending a call that is not there: %v", err)
		}
		pa, _ := w.Teams.User("presenceaccount")
		if err := d.Call(w, pa, true); err == nil || !strings.Contains(err.Error(), "no such XPhone user") {
			t.Errorf("a call of the presence account: %v", err)
		}
		if err := d.Call(w, teams.UserID(0), true); err != nil {
			t.Errorf("a call of the first user by id: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "alice XPhone call started by the harness,alice XPhone meeting joined by the harness,alice XPhone meeting left by the harness," +
		"alice XPhone call ended by the harness,alice profile selected by the harness,alice XPhone call started by the harness"
	if got := strings.Join(changes, ","); got != want {
		t.Errorf("journal:\n got %s\nwant %s", got, want)
	}
}

// TestTell: a listener added later hears every change after the one set
// first, past the journal's cap.
func TestTell(t *testing.T) {
	first, later := 0, 0
	h, _ := newHandler(t, Options{OnChange: func(Change) { first++ }})
	h.Tell(func(c Change) {
		if first != later+1 {
			t.Errorf("change %d told to the later listener before the first", c.Seq)
		}
		later++
	})
	for i := 0; i < MaxJournal+5; i++ {
		if err := h.SelectProfile("bob", "Abwesend"); err != nil {
			t.Fatal(err)
		}
	}
	if first != MaxJournal+5 || later != first {
		t.Errorf("the first listener heard %d changes, the later %d; want %d each", first, later, MaxJournal+5)
	}
}
