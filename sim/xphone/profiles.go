package xphone

import (
	"fmt"
	"strings"

	p "github.com/presencesim/presencesim/sim/presence"
)

// Profile is an XPhone presence profile: a name, the presence status it
// carries and the settings it switches, such as call forwarding.
type Profile struct {
	Name       string
	Presence   p.Presence
	Forwarding string // "" = no call forwarding
}

// DefaultProfiles is "Meine Profile" of a new user: the first entry is
// selected at start. "Termin" is the profile appointments use (XP-7).
func DefaultProfiles() []Profile {
	return []Profile{
		{Name: "Verfügbar", Presence: p.Of(p.Available, p.ActAvailable)},
		{Name: "Beschäftigt", Presence: p.Of(p.Busy, p.ActBusy)},
		{Name: "Nicht stören", Presence: p.Of(p.DoNotDisturb, p.ActDoNotDisturb)},
		{Name: "Abwesend", Presence: p.Of(p.Away, p.ActAway)},
		{Name: "Termin", Presence: p.Of(p.Busy, p.ActBusy)},
	}
}

// CheckProfiles validates a profile list: at least one profile, names
// present and unique (without case), each presence one a user can pick
// (the user-configured states, G-PREF-1).
func CheckProfiles(list []Profile) error {
	if len(list) == 0 {
		return fmt.Errorf("%w: \"Meine Profile\" needs at least one profile", ErrConfig)
	}
	seen := map[string]bool{}
	for i, pr := range list {
		name := strings.TrimSpace(pr.Name)
		if name == "" {
			return fmt.Errorf("%w: profile %d has no name", ErrConfig, i+1)
		}
		key := strings.ToLower(name)
		if seen[key] {
			return fmt.Errorf("%w: profile %q is listed twice", ErrConfig, name)
		}
		seen[key] = true
		if !p.PreferredPairs.Accepts(pr.Presence) {
			return fmt.Errorf("%w: profile %q has presence %s; a profile carries one of Verfügbar, Beschäftigt, Nicht stören, Bin gleich zurück, Abwesend, Offline erscheinen", ErrConfig, name, pr.Presence.Short())
		}
	}
	return nil
}

// sameName compares profile names as the client does: without case and
// surrounding spaces. It allocates nothing; appointments look names up on
// every Teams call.
func sameName(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) }

func findProfile(list []Profile, name string) int {
	for i, pr := range list {
		if sameName(pr.Name, name) {
			return i
		}
	}
	return -1
}

func profileNames(list []Profile) string {
	names := make([]string, len(list))
	for i, pr := range list {
		names[i] = fmt.Sprintf("%q", pr.Name)
	}
	return strings.Join(names, ", ")
}

// firstDND is the first profile of "Meine Profile" whose presence is
// Do-not-disturb (XP-6), or -1.
func firstDND(list []Profile) int {
	for i, pr := range list {
		if pr.Presence.Availability == p.DoNotDisturb {
			return i
		}
	}
	return -1
}
