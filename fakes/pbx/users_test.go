package pbx

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim"
)

// POST /pbx/users puts world users on the PBX; it adds a Graph identity to
// the world only with AllowNewUsers, in another organisation only with
// AllowNewTenants, and at most MaxNewUsers of them.
func TestNewUsers(t *testing.T) {
	users := Options{AllowNewUsers: true}
	tenants := Options{AllowNewUsers: true, AllowNewTenants: true}
	tests := []struct {
		name    string
		opt     Options
		bodies  []map[string]string // all but the last must succeed
		status  int
		code    string
		want    string
		org     string // of the last name's world user, when it is new
		grow    int    // world users added by the bodies
		refused uint64
	}{
		{"unknown name", Options{}, []map[string]string{{"name": "zed"}}, 404, "NotFound", `[{\"name\": \"zed\"}]`, "", 0, 1},
		{"unknown name, other org", Options{}, []map[string]string{{"name": "zed", "org": "fabrikam"}}, 404, "NotFound", "presencesim serve --world FILE", "", 0, 1},
		{"world user", Options{}, []map[string]string{{"name": "alice"}}, 201, "", `"email":"alice@contoso.com"`, "", 0, 0},
		{"world user by its org", Options{}, []map[string]string{{"name": "alice", "org": "Contoso"}}, 201, "", `"name":"alice"`, "", 0, 0},
		{"world user, wrong org", Options{}, []map[string]string{{"name": "alice", "org": "fabrikam"}}, 400, "BadRequest", "alice is a user of contoso, not of fabrikam", "", 0, 0},
		{"world user, bad email", Options{}, []map[string]string{{"name": "alice", "email": "nope"}}, 400, "BadRequest", "not an e-mail address", "", 0, 0},
		{"new user, bad email", users, []map[string]string{{"name": "zed", "email": "nope"}}, 400, "BadRequest", "not an e-mail address", "", 0, 0},
		{"no name", users, []map[string]string{{"name": " "}}, 400, "BadRequest", "a user needs a name", "", 0, 0},
		{"new user", users, []map[string]string{{"name": "zed"}}, 201, "", `"email":"zed@contoso.com"`, "contoso", 1, 0},
		{"new user, home org named", users, []map[string]string{{"name": "zed", "org": "CONTOSO"}}, 201, "", `"name":"zed"`, "contoso", 1, 0},
		{"new user, other org", users, []map[string]string{{"name": "zed", "org": "fabrikam"}}, 403, "Forbidden", `only to the home organisation contoso, not to \"fabrikam\"`, "", 0, 1},
		{"new user, new tenant", tenants, []map[string]string{{"name": "zed", "org": "fabrikam"}}, 201, "", `"email":"zed@fabrikam.com"`, "fabrikam", 1, 0},
		{"new user, bad org", tenants, []map[string]string{{"name": "zed", "org": "fab/rikam"}}, 400, "BadRequest", "use letters", "", 0, 0},
		{"new user, long org", tenants, []map[string]string{{"name": "zed", "org": strings.Repeat("o", 65)}}, 400, "BadRequest", "org is 65 characters long", "", 0, 0},
		{"new user, bad name", users, []map[string]string{{"name": "bad name!"}}, 400, "BadRequest", "use letters", "", 0, 0},
		{"new user, long name", users, []map[string]string{{"name": strings.Repeat("z", 65)}}, 400, "BadRequest", "name is 65 characters long", "", 0, 0},
		{"new users, capped", Options{AllowNewUsers: true, MaxNewUsers: 2}, []map[string]string{{"name": "xia"}, {"name": "yan"}, {"name": "zed"}}, 403, "TooManyUsers", "2 users were added", "", 2, 1},
		{"world users are not capped", Options{AllowNewUsers: true, MaxNewUsers: 1}, []map[string]string{{"name": "zed"}, {"name": "alice"}, {"name": "bob"}}, 201, "", `"name":"bob"`, "", 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lw, h, srv := serve(t, tc.opt)
			count := func() (n int) {
				_ = lw.Do(func(w *sim.World) error { n = len(w.Teams.Users()); return nil })
				return n
			}
			before := count()
			last := len(tc.bodies) - 1
			for _, b := range tc.bodies[:last] {
				mustCall(t, 201, "POST", srv.URL+"/pbx/users", b)
			}
			events := h.Stats().LastEventID
			st, out := call(t, "POST", srv.URL+"/pbx/users", tc.bodies[last])
			if st >= 400 && h.Stats().LastEventID != events {
				t.Errorf("a refused request changed the PBX")
			}
			if st != tc.status || !strings.Contains(string(out), tc.want) {
				t.Fatalf("%v: %d %s; want %d with %q", tc.bodies[last], st, out, tc.status, tc.want)
			}
			if tc.code != "" {
				var e apiErr
				if err := json.Unmarshal(out, &e); err != nil || e.Error.Code != tc.code {
					t.Errorf("error body %s, want code %s", out, tc.code)
				}
			}
			if n := count(); n != before+tc.grow {
				t.Errorf("world users %d, want %d", n, before+tc.grow)
			}
			if tc.org != "" {
				var org string
				_ = lw.Do(func(w *sim.World) error {
					id, err := w.Teams.User(tc.bodies[last]["name"])
					if err == nil {
						org = w.Teams.Dir(id).Org
					}
					return err
				})
				if org != tc.org {
					t.Errorf("new user's org %q, want %q", org, tc.org)
				}
			}
			if s := h.Stats(); s.UsersRefused != tc.refused || s.UsersAdded != int64(tc.grow) {
				t.Errorf("stats: %d refused, %d added; want %d, %d", s.UsersRefused, s.UsersAdded, tc.refused, tc.grow)
			}
		})
	}
}
