package graph_test

import (
	"errors"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// TestMock calls every operation of the mock seam twice: with its field
// unset it answers 501 naming the operation; with it set it passes the
// arguments through and returns what the field returns.
func TestMock(t *testing.T) {
	const u = teams.UserID(7)
	busy := presence.Of(presence.Busy, presence.InACall)
	errSet := errors.New("from the field")
	var got []any // the arguments a field received

	cases := []struct {
		op   string
		set  func(m *graph.Mock) // sets the op's field only
		call func(m *graph.Mock) error
		args []any // what the set field must receive
	}{
		{"SetPresence",
			func(m *graph.Mock) {
				m.SetPresenceFunc = func(id teams.UserID, p presence.Presence, d time.Duration) error {
					got = []any{id, p, d}
					return errSet
				}
			},
			func(m *graph.Mock) error { return m.SetPresence(u, busy, 5*time.Minute) },
			[]any{u, busy, 5 * time.Minute}},
		{"ClearPresence",
			func(m *graph.Mock) {
				m.ClearPresenceFunc = func(id teams.UserID) error { got = []any{id}; return errSet }
			},
			func(m *graph.Mock) error { return m.ClearPresence(u) },
			[]any{u}},
		{"SetUserPreferredPresence",
			func(m *graph.Mock) {
				m.SetUserPreferredPresenceFunc = func(id teams.UserID, p presence.Presence, d time.Duration) error {
					got = []any{id, p, d}
					return errSet
				}
			},
			func(m *graph.Mock) error { return m.SetUserPreferredPresence(u, busy, time.Hour) },
			[]any{u, busy, time.Hour}},
		{"ClearUserPreferredPresence",
			func(m *graph.Mock) {
				m.ClearUserPreferredPresenceFunc = func(id teams.UserID) error { got = []any{id}; return errSet }
			},
			func(m *graph.Mock) error { return m.ClearUserPreferredPresence(u) },
			[]any{u}},
		{"Read",
			func(m *graph.Mock) {
				m.ReadFunc = func(id teams.UserID) (graph.Presence, error) {
					got = []any{id}
					return graph.Presence{User: id, Presence: busy}, errSet
				}
			},
			func(m *graph.Mock) error {
				p, err := m.Read(u)
				if err == errSet && p.User != u {
					t.Errorf("Read returned user %d; want the field's %d", p.User, u)
				}
				return err
			},
			[]any{u}},
		{"ReadMany",
			func(m *graph.Mock) {
				m.ReadManyFunc = func(ids []teams.UserID, dst []graph.Presence) ([]graph.Presence, error) {
					got = []any{len(ids), len(dst)}
					return append(dst, graph.Presence{User: ids[0]}), errSet
				}
			},
			func(m *graph.Mock) error {
				out, err := m.ReadMany([]teams.UserID{u, u + 1}, make([]graph.Presence, 0, 2))
				if err == errSet && len(out) != 1 {
					t.Errorf("ReadMany returned %d presences; want the field's 1", len(out))
				}
				return err
			},
			[]any{2, 0}},
		{"Subscribe",
			func(m *graph.Mock) {
				m.SubscribeFunc = func(ids []teams.UserID, s graph.Subscriber) (graph.SubscriptionID, error) {
					got = []any{len(ids), s != nil}
					return 3, errSet
				}
			},
			func(m *graph.Mock) error {
				id, err := m.Subscribe([]teams.UserID{u}, &recorder{})
				if err == errSet && id != 3 {
					t.Errorf("Subscribe returned subscription %d; want the field's 3", id)
				}
				return err
			},
			[]any{1, true}},
		{"Unsubscribe",
			func(m *graph.Mock) {
				m.UnsubscribeFunc = func(id graph.SubscriptionID) error { got = []any{id}; return errSet }
			},
			func(m *graph.Mock) error { return m.Unsubscribe(4) },
			[]any{graph.SubscriptionID(4)}},
		{"Directory",
			func(m *graph.Mock) {
				m.DirectoryFunc = func(dst []teams.Directory) ([]teams.Directory, error) {
					got = []any{len(dst)}
					return append(dst, teams.Directory{}), errSet
				}
			},
			func(m *graph.Mock) error {
				out, err := m.Directory(nil)
				if err == errSet && len(out) != 1 {
					t.Errorf("Directory returned %d entries; want the field's 1", len(out))
				}
				return err
			},
			[]any{0}},
	}
	for _, c := range cases {
		t.Run(c.op+"/unset", func(t *testing.T) {
			var m graph.Mock
			// every other field set: only the op's own field decides
			for _, o := range cases {
				if o.op != c.op {
					o.set(&m)
				}
			}
			got = nil
			var ge *graph.Error
			err := c.call(&m)
			if !errors.As(err, &ge) || ge.Status != 501 || ge.Code != "NotImplemented" {
				t.Fatalf("%s with its field unset gave %v; want a 501 NotImplemented", c.op, err)
			}
			if want := "the mock seam has no " + c.op; ge.Message != want {
				t.Errorf("message %q; want %q", ge.Message, want)
			}
			if got != nil {
				t.Errorf("another field was called with %v", got)
			}
		})
		t.Run(c.op+"/set", func(t *testing.T) {
			var m graph.Mock
			c.set(&m)
			got = nil
			if err := c.call(&m); err != errSet {
				t.Fatalf("%s gave %v; want the field's error", c.op, err)
			}
			if len(got) != len(c.args) {
				t.Fatalf("the field got %v; want %v", got, c.args)
			}
			for i := range got {
				if got[i] != c.args[i] {
					t.Errorf("argument %d: the field got %v; want %v", i, got[i], c.args[i])
				}
			}
		})
	}
}
