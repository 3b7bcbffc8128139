package teams

import (
	"fmt"
	"testing"

	p "github.com/presencesim/presencesim/sim/presence"
)

// Calls of every size keep their parties through joins and leaves, on
// either side of what a call holds inline, and each party shows the call
// it is in (T-CALL-1, T-AGG-5).
func TestCallPartiesAcrossSizes(t *testing.T) {
	inCall, inConf := p.Of(p.Busy, p.InACall), p.Of(p.Busy, p.InAConferenceCall)
	for _, c := range []struct {
		start, join, leave int
	}{
		{start: 2},
		{start: 2, join: 1},
		{start: 3, join: 1, leave: 2},
		{start: 4, join: 1},           // grows past what is held inline
		{start: 5, leave: 3},          // shrinks back into it
		{start: 7, join: 1, leave: 6}, // as large as a join's buffer, down to two
	} {
		t.Run(fmt.Sprintf("%d+%d-%d", c.start, c.join, c.leave), func(t *testing.T) {
			m, _ := newModel(t, DefaultSettings())
			var ids []UserID
			for i := 0; i < c.start+c.join; i++ {
				id := addUser(t, m, fmt.Sprintf("u%d", i))
				if err := m.SignIn(id, Desktop); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			call, err := m.StartCall(ids[:c.start]...)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range ids[c.start:] {
				if err := m.JoinCall(call, u); err != nil {
					t.Fatal(err)
				}
			}
			for _, u := range ids[:c.leave] {
				if err := m.LeaveCall(call, u); err != nil {
					t.Fatal(err)
				}
			}
			in := ids[c.leave:]
			want := inCall
			if len(in) > 2 {
				want = inConf
			}
			for _, u := range ids {
				got, inside := m.Presence(u), indexOf(in, u) >= 0
				if inside && got != want {
					t.Errorf("%s in a call of %d shows %s; want %s", m.Name(u), len(in), got, want)
				}
				if !inside && got.Availability == p.Busy {
					t.Errorf("%s left the call and shows %s", m.Name(u), got)
				}
			}
			if got := m.CallParties(call); got != names(m, in) {
				t.Errorf("the call's parties are %s; want %s", got, names(m, in))
			}
			if err := m.EndCall(call); err != nil {
				t.Fatal(err)
			}
			for _, u := range ids {
				if got := m.Presence(u); got.Availability == p.Busy {
					t.Errorf("after the call ended %s shows %s", m.Name(u), got)
				}
			}
		})
	}
}

func names(m *Model, ids []UserID) string {
	s := ""
	for i, u := range ids {
		if i > 0 {
			s += ", "
		}
		s += m.Name(u)
	}
	return s
}

// A two-party call costs no allocation of its own: calls come from slabs
// and hold their parties inline.
func TestTwoPartyCallAllocatesLittle(t *testing.T) {
	m, _ := newModel(t, DefaultSettings())
	u, v := addUser(t, m, "alice"), addUser(t, m, "bob")
	_ = m.SignIn(u, Desktop)
	_ = m.SignIn(v, Desktop)
	// a slab every 64 calls and the growth of the list of calls
	if n := testing.AllocsPerRun(1000, func() {
		c, err := m.StartCall(u, v)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.EndCall(c); err != nil {
			t.Fatal(err)
		}
	}); n > 0.1 {
		t.Fatalf("a two-party call allocates %.2f times; want under 0.1", n)
	}
}
