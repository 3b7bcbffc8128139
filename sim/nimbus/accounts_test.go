package nimbus

import (
	"strings"
	"testing"
)

func fullAccount() *Account {
	a := &Account{Name: "pa1", Invited: true}
	for _, r := range Requirements {
		a.Grant(r.Permission)
	}
	return a
}

// Each way an account breaks fails as Azure AD or Graph would.
func TestAccountChecks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		breaks func(a *Account)
		status int
		want   string
	}{
		{"working", func(*Account) {}, 0, ""},
		{"MFA on", func(a *Account) { a.MFA = true }, 400, "AADSTS50076"},
		{"not in the tenant", func(a *Account) { a.Invited = false }, 400, "AADSTS50020"},
		{"no Presence.Read.All", func(a *Account) { a.Revoke(Permission{"Presence.Read.All", Delegated}) }, 403, "GET /users/{id}/presence"},
		{"no User.Read", func(a *Account) { a.Revoke(Permission{"User.Read", Delegated}) }, 403, "GET /me"},
		{"no User.ReadBasic.All", func(a *Account) { a.Revoke(Permission{"User.ReadBasic.All", Delegated}) }, 403, "GET /users/{id}"},
		{"application instead of delegated", func(a *Account) {
			a.Revoke(Permission{"Presence.Read.All", Delegated})
			a.Grant(Permission{"Presence.Read.All", Application})
		}, 403, "Presence.Read.All (Delegated)"},
	} {
		a := fullAccount()
		tc.breaks(a)
		err := a.check()
		switch {
		case tc.status == 0 && err != nil:
			t.Errorf("%s: unexpected failure %v", tc.name, err)
		case tc.status != 0 && err == nil:
			t.Errorf("%s: the account works, want %d", tc.name, tc.status)
		case err != nil && (err.Status != tc.status || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v; want status %d mentioning %q", tc.name, err, tc.status, tc.want)
		}
	}
}

func TestParsePermission(t *testing.T) {
	if p, err := ParsePermission("presence.read.all"); err != nil || p != (Permission{"Presence.Read.All", Delegated}) {
		t.Errorf("ParsePermission: %v, %v", p, err)
	}
	if _, err := ParsePermission("Mail.Read"); err == nil || !strings.Contains(err.Error(), "Presence.Read.All") {
		t.Errorf("ParsePermission(Mail.Read) error %v should name the required permissions", err)
	}
}
