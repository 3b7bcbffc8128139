package graph

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim"
)

// grant replaces the fixture app's permissions.
func (f *fixture) grant(roles, scopes []string) {
	f.t.Helper()
	if err := f.lw.Do(func(*sim.World) error { return f.h.Identity().SetPermissions(f.app, roles, scopes) }); err != nil {
		f.t.Fatal(err)
	}
}

func TestUserPermissionMatrix(t *testing.T) {
	f := newFixture(t, Options{Throttle: Throttle{Off: true}})
	alice, bob := f.ids["alice"], f.ids["bob"]
	cases := []struct {
		name      string
		roles     []string // application
		scopes    []string // delegated, signed in as alice
		path      string
		appStatus int
		usrStatus int
	}{
		{"me, User.Read", nil, []string{UserRead}, "/v1.0/me", 400, 200},
		{"me, no user permission", nil, []string{PresenceRead}, "/v1.0/me", 400, 403},
		{"self by id, User.Read", nil, []string{UserRead}, "/v1.0/users/" + alice, 403, 200},
		{"self by upn, User.Read", nil, []string{UserRead}, "/v1.0/users/alice@contoso.com", 403, 200},
		{"other, User.Read", nil, []string{UserRead}, "/v1.0/users/" + bob, 403, 403},
		{"other, ReadBasic", []string{UserReadBasicAll}, []string{UserReadBasicAll}, "/v1.0/users/" + bob, 200, 200},
		{"other, Read.All", []string{UserReadAll}, []string{UserReadAll}, "/v1.0/users/bob@contoso.com", 200, 200},
		{"list, User.Read", nil, []string{UserRead}, "/v1.0/users", 403, 403},
		{"list, ReadBasic", []string{UserReadBasicAll}, []string{UserReadBasicAll}, "/v1.0/users", 200, 200},
		{"list, presence only", []string{PresenceReadAll}, []string{PresenceReadAll}, "/v1.0/users", 403, 403},
		{"unknown upn", []string{UserReadAll}, []string{UserReadAll}, "/v1.0/users/nobody@contoso.com", 404, 404},
		{"unknown id", []string{UserReadAll}, []string{UserReadAll}, "/v1.0/users/00000000-0000-4000-8000-000000000000", 404, 404},
		{"neither id nor upn", []string{UserReadAll}, []string{UserReadAll}, "/v1.0/users/alice", 404, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.grant(c.roles, c.scopes)
			for _, who := range []struct {
				tok  string
				want int
			}{{f.appToken(), c.appStatus}, {f.userToken("alice"), c.usrStatus}} {
				st, b, _ := f.do("GET", c.path, who.tok, "")
				if st != who.want {
					t.Fatalf("GET %s: want %d, got %d %s", c.path, who.want, st, b)
				}
			}
		})
	}
}

func TestUserShapeAndSelect(t *testing.T) {
	f := newFixture(t, Options{})
	f.grant([]string{UserReadAll}, nil)
	tok := f.appToken()
	_, b, _ := f.do("GET", "/v1.0/users/alice@contoso.com", tok, "")
	var u map[string]any
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	want := map[string]any{"id": f.ids["alice"], "userPrincipalName": "alice@contoso.com", "mail": "alice@contoso.com", "displayName": "Alice",
		"givenName": "Alice", "surname": nil, "jobTitle": nil, "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity"}
	for k, v := range want {
		if got, ok := u[k]; !ok || got != v {
			t.Errorf("%s: want %v, got %v (present %v)", k, v, got, ok)
		}
	}
	if _, ok := u["userType"]; ok {
		t.Errorf("userType is not a default property: %s", b)
	}
	_, b, _ = f.do("GET", "/v1.0/users/"+f.ids["bob"]+"?$select=displayName,userType,MAIL", tok, "")
	if string(b) != `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(displayName,userType,mail)/$entity","displayName":"Bob","userType":"Member","mail":"bob@contoso.com"}` {
		t.Errorf("$select answers the selected properties only, in the order asked: %s", b)
	}
	f.grant([]string{UserReadBasicAll}, nil)
	_, b, _ = f.do("GET", "/v1.0/users/"+f.ids["bob"]+"?$select=displayName,userType", f.appToken(), "")
	if !strings.Contains(string(b), `"userType":null`) || !strings.Contains(string(b), `"displayName":"Bob"`) {
		t.Errorf("User.ReadBasic.All reads the basic profile; other properties are null: %s", b)
	}
	st, b, _ := f.do("GET", "/v1.0/users/"+f.ids["bob"]+"?$select=shoeSize", tok, "")
	if st != 400 || !strings.Contains(string(b), "shoeSize") {
		t.Errorf("an unknown property in $select is 400 naming it: %d %s", st, b)
	}
}

func TestUserFilterAndPaging(t *testing.T) {
	f := newFixture(t, Options{Throttle: Throttle{Off: true}})
	f.grant([]string{UserReadAll}, nil)
	tok := f.appToken()
	list := func(q string) (int, []string, string, []byte) {
		t.Helper()
		st, b, _ := f.do("GET", "/v1.0/users"+q, tok, "")
		var out struct {
			Value []struct {
				UPN string `json:"userPrincipalName"`
			} `json:"value"`
			Next string `json:"@odata.nextLink"`
		}
		_ = json.Unmarshal(b, &out)
		var upns []string
		for _, v := range out.Value {
			upns = append(upns, v.UPN)
		}
		return st, upns, out.Next, b
	}
	q := func(filter string) string { return "?$filter=" + url.QueryEscape(filter) }
	cases := []struct {
		query  string
		status int
		want   string
	}{
		{"", 200, "alice@contoso.com bob@contoso.com carol@contoso.com"},
		{q("userPrincipalName eq 'BOB@contoso.com'"), 200, "bob@contoso.com"},
		{q("mail eq 'carol@contoso.com'"), 200, "carol@contoso.com"},
		{q("id in ('" + f.ids["alice"] + "', '" + f.ids["carol"] + "')"), 200, "alice@contoso.com carol@contoso.com"},
		{q("mail eq 'o''brien@contoso.com'"), 200, ""},
		{q("startswith(displayName,'a')"), 400, ""},
		{q("mail eq 'x' or mail eq 'y'"), 400, ""},
		{q("id in ('a'"), 400, ""},
		{q("mail eq '" + strings.Repeat("x", 121) + "'"), 400, ""},
		{q("id in (" + strings.TrimSuffix(strings.Repeat("'a',", 16), ",") + ")"), 400, ""},
		{"?$top=0", 400, ""},
		{"?$top=1000", 400, ""},
		{"?$orderby=displayName", 400, ""},
		{"?$skiptoken=forged", 400, ""},
	}
	for _, c := range cases {
		st, upns, _, b := list(c.query)
		if st != c.status || (st == 200 && strings.Join(upns, " ") != c.want) {
			t.Errorf("GET /v1.0/users%s: want %d %q, got %d %s", c.query, c.status, c.want, st, b)
		}
	}
	// paging: $top=2 gives two pages whose union is everyone, once each
	st, first, next, b := list("?$top=2&$select=userPrincipalName")
	if st != 200 || len(first) != 2 || next == "" {
		t.Fatalf("first page of two with a nextLink: %d %s", st, b)
	}
	if !strings.HasPrefix(next, "https://graph.microsoft.com/v1.0/users?") {
		t.Fatalf("nextLink leads back to the service root: %s", next)
	}
	_, second, next2, b := list(strings.TrimPrefix(next, "https://graph.microsoft.com/v1.0/users"))
	if len(second) != 1 || second[0] != "carol@contoso.com" || next2 != "" {
		t.Fatalf("second page is carol alone and the last: %s", b)
	}
}

func TestUsersOfAnotherTenantAreNotFound(t *testing.T) {
	f := newFixture(t, Options{})
	var dave string
	_ = f.lw.Do(func(w *sim.World) error {
		u, err := w.AddUser("dave", "fabrikam")
		if err == nil {
			dave = w.Teams.Dir(u).ID
		}
		return err
	})
	f.grant([]string{UserReadAll}, nil)
	tok := f.appToken()
	for _, p := range []string{"/v1.0/users/" + dave, "/v1.0/users/dave@fabrikam.com"} {
		if st, b, _ := f.do("GET", p, tok, ""); st != 404 {
			t.Errorf("GET %s from contoso: want 404, got %d %s", p, st, b)
		}
	}
	_, b, _ := f.do("GET", "/v1.0/users", tok, "")
	if strings.Contains(string(b), "dave") {
		t.Errorf("the list holds contoso's users only: %s", b)
	}
}

// Over HTTP the next page link leads back to the server the request came
// to, so a client that follows it stays with the fake.
func TestNextLinkFollowsTheServedHost(t *testing.T) {
	f := newFixture(t, Options{})
	f.grant([]string{UserReadAll}, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/v1.0/users?$top=1&$filter="+url.QueryEscape("id in ('"+f.ids["alice"]+"','"+f.ids["bob"]+"')"), nil)
	req.Header.Set("Authorization", "Bearer "+f.appToken())
	seen := []string{}
	for page := 0; page < 5 && req != nil; page++ {
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Next  string `json:"@odata.nextLink"`
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %v", page, resp.StatusCode, err)
		}
		for _, v := range out.Value {
			seen = append(seen, v.ID)
		}
		req = nil
		if out.Next != "" {
			if !strings.HasPrefix(out.Next, srv.URL+"/v1.0/users?") {
				t.Fatalf("nextLink %q does not lead back to %s", out.Next, srv.URL)
			}
			req, _ = http.NewRequest("GET", out.Next, nil)
			req.Header.Set("Authorization", "Bearer "+f.appToken())
		}
	}
	if strings.Join(seen, " ") != f.ids["alice"]+" "+f.ids["bob"] {
		t.Fatalf("following the links with the filter kept reads alice, then bob: %v", seen)
	}
}
