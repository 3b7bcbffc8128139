package teams

import "github.com/presencesim/presencesim/sim/presence"

// FederatedOf is the federated projection of a presence (T-FED-1) without
// the per-user switches (privacy mode, failed lookups) that Federated adds;
// reports use it to draw the federated view of a presence history.
func FederatedOf(pr presence.Presence) presence.Presence {
	if !pr.Availability.Valid() {
		return presence.Unknown
	}
	a := federatedAvailability[pr.Availability]
	return presence.Of(a, presence.BaseActivity(a))
}
