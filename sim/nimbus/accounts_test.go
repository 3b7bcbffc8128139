package nimbus

import (
	"strings"
	"testing"

	"github.com/presencesim/presencesim/sim"
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
		name        string
		breaks      func(a *Account)
		status      int
		want        string
		trustedOnly bool
		from        Location
	}{
		{"working", func(*Account) {}, 0, "", false, AzureDataCentre},
		{"working from anywhere without conditional access", func(*Account) {}, 0, "", false, Elsewhere},
		{"conditional access, from Azure", func(*Account) {}, 0, "", true, AzureDataCentre},
		{"conditional access, from elsewhere", func(*Account) {}, 400, "AADSTS50076: due to a configuration change", true, Elsewhere},
		{"MFA on, from Azure under conditional access", func(a *Account) { a.MFA = true }, 400, "AADSTS50076", true, AzureDataCentre},
		{"MFA on", func(a *Account) { a.MFA = true }, 400, "AADSTS50076", false, AzureDataCentre},
		{"not in the tenant", func(a *Account) { a.Invited = false }, 400, "AADSTS50020", false, AzureDataCentre},
		{"no Presence.Read.All", func(a *Account) { a.Revoke(Permission{"Presence.Read.All", Delegated}) }, 403, "GET /users/{id}/presence", false, AzureDataCentre},
		{"no User.Read", func(a *Account) { a.Revoke(Permission{"User.Read", Delegated}) }, 403, "GET /me", false, AzureDataCentre},
		{"no User.ReadBasic.All", func(a *Account) { a.Revoke(Permission{"User.ReadBasic.All", Delegated}) }, 403, "GET /users/{id}", false, AzureDataCentre},
		{"application instead of delegated", func(a *Account) {
			a.Revoke(Permission{"Presence.Read.All", Delegated})
			a.Grant(Permission{"Presence.Read.All", Application})
		}, 403, "Presence.Read.All (Delegated)", false, AzureDataCentre},
	} {
		a := fullAccount()
		tc.breaks(a)
		err := a.check(tc.trustedOnly, tc.from)
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

// Conditional access follows where Nimbus signs in from: the setting's
// default, or what an account was told (NB-5).
func TestConditionalAccessFollowsTheSignInLocation(t *testing.T) {
	for _, tc := range []struct {
		name       string
		policy     bool
		setting    Location
		account    *Location
		wantSource Source
	}{
		{"no policy, from elsewhere", false, Elsewhere, nil, PresenceAccount},
		{"policy, default Azure", true, AzureDataCentre, nil, PresenceAccount},
		{"policy, Nimbus signs in from elsewhere", true, Elsewhere, nil, Federation},
		{"policy, the account from elsewhere", true, AzureDataCentre, ptr(Elsewhere), Federation},
		{"policy, the account from Azure", true, Elsewhere, ptr(AzureDataCentre), PresenceAccount},
	} {
		w := sim.MustNew(1)
		m := Of(w)
		set := m.Settings()
		set.SignInFrom = tc.setting
		if err := m.SetSettings(set); err != nil {
			t.Fatal(err)
		}
		a, err := m.AddAccount("pa1")
		if err != nil {
			t.Fatal(err)
		}
		m.RequireMFAExceptTrusted(tc.policy)
		if tc.account != nil {
			m.SignInFrom(a, *tc.account)
		}
		if got := m.Tracking(); got.Source != tc.wantSource {
			t.Errorf("%s: reads through %s, want %s\n%s", tc.name, got.Source, tc.wantSource, got)
		}
	}
}

func ptr[T any](v T) *T { return &v }
