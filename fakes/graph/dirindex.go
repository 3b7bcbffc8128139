package graph

import "github.com/presencesim/presencesim/sim/teams"

// dirIndex lists each tenant's users in directory order, so that a page of
// /users costs its own length rather than the directory's: a connector
// reading 20,000 people in pages of 999 otherwise walks the whole
// directory, inside the world's lock, for every page. It is rebuilt when
// the directory changes (Teams' DirVersion); inside lw.Do.
type dirIndex struct {
	built    bool
	version  uint64
	byTenant map[string][]teams.UserID
}

// tenantUsers are the users of a tenant, in directory order; the slice is
// shared and must not be changed.
func (h *Handler) tenantUsers(tenant string) []teams.UserID {
	x := &h.dir
	if v := h.w.Teams.DirVersion(); !x.built || x.version != v {
		x.byTenant = map[string][]teams.UserID{}
		for _, u := range h.w.Teams.Users() {
			t := h.id.Tenant(h.w.Teams.Dir(u).Org).ID
			x.byTenant[t] = append(x.byTenant[t], u)
		}
		x.built, x.version = true, v
	}
	return x.byTenant[tenant]
}
