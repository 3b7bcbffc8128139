package graph

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// The work location actions (G-LOC-1): the set actions take a body
// {workLocationType, placeId?}, the clear actions none.
const (
	actSetManualLocation      = "setManualLocation"
	actSetAutomaticLocation   = "setAutomaticLocation"
	actClearAutomaticLocation = "clearAutomaticLocation"
	actClearLocation          = "clearLocation"
)

var locationActions = []string{actSetManualLocation, actSetAutomaticLocation, actClearAutomaticLocation, actClearLocation}

// The router serves the work location actions beside the presence actions.
func init() { actions = append(actions, locationActions...) }

func isLocationAction(a string) bool {
	for _, l := range locationActions {
		if a == l {
			return true
		}
	}
	return false
}

type locationBody struct {
	WorkLocationType *string `json:"workLocationType"`
	PlaceID          *string `json:"placeId"`
}

// locationAction serves the work location actions: delegated
// Presence.ReadWrite on the signed-in user only, application tokens
// refused; 200 with no body on success.
func (h *Handler) locationAction(rc *reqCtx, rt route, body []byte) result {
	u, self, e := h.resolve(rc, rt.target)
	if e != nil {
		return result{err: e}
	}
	c := rc.claims
	switch {
	case !c.Delegated():
		return result{err: forbidden(rt.action + " supports delegated permissions only (Presence.ReadWrite); application tokens are refused. (G-LOC-1)")}
	case !c.Has(PresenceReadWrite):
		return result{err: missingRole(c, PresenceReadWrite)}
	case !self:
		return result{err: forbidden("Cannot set the work location of another user: a delegated token writes only the signed-in user's work location. (G-LOC-1)")}
	}
	app := h.appByID(c.AppID)
	if app == nil {
		return result{err: errf(http.StatusUnauthorized, "InvalidAuthenticationToken", "The token's application is no longer registered.")}
	}
	m := h.w.Teams
	switch rt.action {
	case actClearAutomaticLocation, actClearLocation:
		if rt.viaPresences {
			return result{err: badRequest(rt.action + " is served on /me/presence and /users/{id}/presence only. (G-LOC-1)")}
		}
		var none map[string]json.RawMessage
		if e := decode(body, &none); e != nil {
			return result{err: e}
		}
		if rt.action == actClearLocation {
			return seamResult(m.ClearLocation(u))
		}
		return seamResult(m.ClearAutomaticLocation(u))
	}
	var lb locationBody
	if e := decode(body, &lb); e != nil {
		return result{err: e}
	}
	if lb.WorkLocationType == nil {
		return result{err: badRequest("workLocationType is required: one of unspecified, office, remote, timeOff. (G-LOC-1)")}
	}
	t, err := teams.ParseWorkLocationType(*lb.WorkLocationType)
	if err != nil {
		return result{err: seamError(err)}
	}
	place := ""
	if lb.PlaceID != nil {
		place = strings.TrimSpace(*lb.PlaceID)
	}
	if rt.action == actSetManualLocation {
		return seamResult(m.SetManualLocation(u, t, place))
	}
	return seamResult(m.SetAutomaticLocation(u, app.DisplayName, t, place))
}

// appendWorkLocation writes the presence's workLocation member.
func appendWorkLocation(b []byte, l teams.WorkLocation) []byte {
	b = append(b, `"workLocation":{"workLocationType":"`...)
	b = append(b, l.Type.String()...)
	b = append(b, `","source":"`...)
	b = append(b, l.Source.String()...)
	b = append(b, `","placeId":`...)
	if l.PlaceID == "" {
		return append(b, "null}"...)
	}
	b = appendJSONString(b, l.PlaceID)
	return append(b, '}')
}

// PresenceDetailChanged notifies the subscribers of a change of the status
// message or the work location, as of any presence change (G-MSG-1,
// G-LOC-1).
func (s *subscriptions) PresenceDetailChanged(now clock.Time, u teams.UserID) {
	s.PresenceChanged(now, u, presence.Unknown, presence.Unknown)
}
