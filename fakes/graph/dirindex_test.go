package graph

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/presencesim/presencesim/sim"
)

// A page of the directory follows the directory as it changes: a user
// added after a read is on the next read, in directory order.
func TestUserListFollowsTheDirectory(t *testing.T) {
	f := newFixture(t, Options{})
	f.grant([]string{UserReadAll}, nil)
	tok := f.appToken()
	names := func() []string {
		t.Helper()
		st, b, _ := f.do("GET", "/v1.0/users?$select=userPrincipalName", tok, "")
		if st != 200 {
			t.Fatalf("GET /users: %d %s", st, b)
		}
		var res struct {
			Value []struct{ UserPrincipalName string } `json:"value"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range res.Value {
			out = append(out, u.UserPrincipalName)
		}
		return out
	}
	before := names()
	_ = f.lw.Do(func(w *sim.World) error { _, err := w.AddUser("dave", ""); return err })
	after := names()
	if len(after) != len(before)+1 || after[len(after)-1] != "dave@contoso.com" {
		t.Fatalf("before adding dave the directory read %v, after %v; want dave last", before, after)
	}
}

// BenchmarkUsersLastPage reads the last page of 999 of a 20,000-people
// directory, as a connector's directory read does 21 times: the work
// inside the world's lock is the page's, not the directory's.
func BenchmarkUsersLastPage(b *testing.B) {
	f := newFixture(&testing.T{}, Options{Throttle: Throttle{Off: true}})
	f.grant([]string{UserReadAll}, nil)
	_ = f.lw.Do(func(w *sim.World) error {
		for i := range 20_000 {
			if _, err := w.AddUser(fmt.Sprintf("u%05d", i), ""); err != nil {
				return err
			}
		}
		return nil
	})
	tok := f.appToken()
	path := "/v1.0/users?$select=id,userPrincipalName,mail&$top=999&$skiptoken=" + encodeSkipToken(19_002)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if st, body, _ := f.do("GET", path, tok, ""); st != 200 {
			b.Fatalf("%d %s", st, body)
		}
	}
}
