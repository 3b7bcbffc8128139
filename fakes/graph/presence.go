package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/guid"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// MaxBulkIDs is getPresencesByUserId's limit (G-GET-2).
const MaxBulkIDs = 650

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func getBuf() []byte { return (*bufPool.Get().(*[]byte))[:0] }

func putBuf(b []byte) {
	if cap(b) <= 64<<10 {
		bufPool.Put(&b)
	}
}

func forbidden(msg string) *Error { return errf(http.StatusForbidden, "Forbidden", msg) }

func missingRole(c *Claims, need ...string) *Error {
	kind, have := "role", strings.Join(c.Roles, " ")
	if c.Delegated() {
		kind, have = "scope", c.Scp
	}
	return forbidden(fmt.Sprintf("Missing %s permissions on the request. API requires one of '%s'. %ss on the request '%s'. (G-AUTH-1)", kind, strings.Join(need, ", "), strings.ToUpper(kind[:1])+kind[1:], have))
}

func hasAny(c *Claims, ps ...string) bool {
	for _, p := range ps {
		if c.Has(p) {
			return true
		}
	}
	return false
}

// resolve finds the request's target user and whether it is the caller.
func (h *Handler) resolve(rc *reqCtx, target string) (teams.UserID, bool, *Error) {
	c := rc.claims
	if target == "me" {
		if !c.Delegated() {
			return 0, false, badRequest("/me request is only valid with delegated authentication flow. (G-AUTH-1)")
		}
		u, ok := h.lookup(c.Tid, c.Oid)
		if !ok {
			return 0, false, errf(http.StatusNotFound, "Request_ResourceNotFound", "The signed-in user does not exist in the tenant any more.")
		}
		rc.target = rc.user
		return u, true, nil
	}
	if !guid.Valid(target) {
		return 0, false, badRequest("Invalid user id '" + strings.ToValidUTF8(truncate(target, 80), "?") + "': presence is addressed by the user's object id (GUID), not the user principal name.")
	}
	u, ok := h.lookup(c.Tid, strings.ToLower(target))
	if !ok {
		return 0, false, errf(http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+target+"' does not exist or one of its queried reference-property objects are not present.")
	}
	rc.target = h.w.Teams.Name(u)
	return u, c.Delegated() && strings.EqualFold(c.Oid, target), nil
}

func (h *Handler) getPresence(rc *reqCtx, rt route) result {
	u, self, e := h.resolve(rc, rt.target)
	if e != nil {
		return result{err: e}
	}
	c := rc.claims
	switch {
	case self && !hasAny(c, PresenceRead, PresenceReadAll, PresenceReadWrite):
		return result{err: missingRole(c, PresenceRead, PresenceReadAll)}
	case !self && c.Delegated() && !c.Has(PresenceReadAll):
		return result{err: missingRole(c, PresenceReadAll)}
	case !self && !c.Delegated() && !hasAny(c, PresenceReadAll, PresenceReadWriteAll):
		return result{err: missingRole(c, PresenceReadAll, PresenceReadWriteAll)}
	}
	b := getBuf()
	d := h.w.Teams.Dir(u)
	b = append(b, `{"@odata.context":"`...)
	b = append(b, h.opt.BaseURL...)
	if rt.viaPresences {
		b = append(b, `/$metadata#communications/presences/$entity",`...)
	} else {
		b = append(b, `/$metadata#users('`...)
		b = append(b, d.ID...)
		b = append(b, `')/presence/$entity",`...)
	}
	b = h.appendPresence(b, u, d.ID, self)
	return result{status: http.StatusOK, body: b}
}

// appendPresence writes a presence object's members and closing brace.
func (h *Handler) appendPresence(b []byte, u teams.UserID, id string, self bool) []byte {
	p := h.w.Teams.Presence(u)
	b = append(b, `"id":"`...)
	b = append(b, id...)
	b = append(b, `","availability":"`...)
	b = append(b, p.Availability.String()...)
	b = append(b, `","activity":"`...)
	b = append(b, p.Activity.String()...)
	b = append(b, `","statusMessage":`...)
	if st := h.w.Teams.Status(u); st.Message != "" {
		b = append(b, `{"message":{"content":`...)
		b = appendJSONString(b, st.Message)
		b = append(b, `,"contentType":"text"}`...)
		if self {
			b = append(b, `,"publishedDateTime":"`...)
			b = st.Published.Wall().AppendFormat(b, "2006-01-02T15:04:05.0000000Z")
			b = append(b, '"')
			if st.HasExpiry {
				b = append(b, `,"expiryDateTime":{"dateTime":"`...)
				b = st.Expiry.Wall().AppendFormat(b, "2006-01-02T15:04:05.0000000")
				b = append(b, `","timeZone":"UTC"}`...)
			}
		}
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"outOfOfficeSettings":{"message":null,"isOutOfOffice":`...)
	b = strconv.AppendBool(b, p.OutOfOffice)
	b = append(b, "},"...)
	b = appendWorkLocation(b, h.w.Teams.WorkLocation(u))
	b = append(b, `,"sequenceNumber":"`...)
	b = appendSequence(b, h.w.Teams.Sequence(u))
	b = append(b, `"}`...)
	return b
}

// appendSequence renders a change count as a sequenceNumber that sorts
// lexicographically like the number (G-GET-1): "A" and 19 digits.
func appendSequence(b []byte, n uint64) []byte {
	var d [19]byte
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	b = append(b, 'A')
	return append(b, d[:]...)
}

func appendJSONString(b []byte, s string) []byte {
	// Ids, names and addresses are plain ASCII nearly always: those need
	// no escaping, and a page of a thousand users no thousand Marshals.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func (h *Handler) bulk(rc *reqCtx, body []byte) result {
	c := rc.claims
	if c.Delegated() && !c.Has(PresenceReadAll) {
		return result{err: missingRole(c, PresenceReadAll)}
	}
	if !c.Delegated() && !hasAny(c, PresenceReadAll, PresenceReadWriteAll) {
		return result{err: missingRole(c, PresenceReadAll, PresenceReadWriteAll)}
	}
	var req struct {
		IDs []string `json:"ids"`
	}
	if e := decode(body, &req); e != nil {
		return result{err: e}
	}
	if len(req.IDs) == 0 {
		return result{err: badRequest("The request body must carry \"ids\": a list of 1 to 650 user object ids. (G-GET-2)")}
	}
	if len(req.IDs) > MaxBulkIDs {
		return result{err: badRequest(fmt.Sprintf("Too many ids: %d; getPresencesByUserId takes at most %d. (G-GET-2)", len(req.IDs), MaxBulkIDs))}
	}
	for _, id := range req.IDs {
		if !guid.Valid(id) {
			return result{err: badRequest("Invalid user id '" + strings.ToValidUTF8(truncate(id, 80), "?") + "' in ids: each must be a user object id (GUID). (G-GET-2)")}
		}
	}
	b := getBuf()
	b = append(b, `{"@odata.context":"`...)
	b = append(b, h.opt.BaseURL...)
	b = append(b, `/$metadata#Collection(microsoft.graph.presence)","value":[`...)
	first := true
	for _, id := range req.IDs {
		u, ok := h.lookup(c.Tid, strings.ToLower(id))
		if !ok {
			continue // ids outside the tenant are left out (decided)
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '{')
		b = h.appendPresence(b, u, h.w.Teams.Dir(u).ID, c.Delegated() && strings.EqualFold(c.Oid, id))
	}
	b = append(b, "]}"...)
	return result{status: http.StatusOK, body: b}
}

// decode reads a JSON object body; an empty body reads as {}.
func decode(body []byte, v any) *Error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return badRequest("Invalid request body: it must be a JSON object, got " + te.Value + ".")
		}
		if errors.As(err, &te) {
			return badRequest(fmt.Sprintf("Invalid request body: property '%s' must be a %s, got %s.", te.Field, te.Type, te.Value))
		}
		return badRequest("Invalid request body: it must be a JSON object (" + strings.ToValidUTF8(err.Error(), "?") + ").")
	}
	return nil
}

type presenceBody struct {
	SessionID          *string `json:"sessionId"`
	Availability       *string `json:"availability"`
	Activity           *string `json:"activity"`
	ExpirationDuration *string `json:"expirationDuration"`
}

func (b presenceBody) pair() (presence.Presence, *Error) {
	if b.Availability == nil || b.Activity == nil {
		return presence.Unknown, badRequest("availability and activity are required.")
	}
	a, err := presence.ParseAvailability(*b.Availability)
	if err != nil || *b.Availability == "" {
		return presence.Unknown, badRequest("Invalid availability: " + errText(err, *b.Availability))
	}
	act, err := presence.ParseActivity(*b.Activity)
	if err != nil || *b.Activity == "" {
		return presence.Unknown, badRequest("Invalid activity: " + errText(err, *b.Activity))
	}
	return presence.Of(a, act), nil
}

func errText(err error, v string) string {
	if err == nil {
		return "empty value " + strconv.Quote(v)
	}
	return strings.ToValidUTF8(err.Error(), "?")
}

func (b presenceBody) duration() (time.Duration, *Error) {
	if b.ExpirationDuration == nil || *b.ExpirationDuration == "" {
		return 0, nil
	}
	d, err := ParseISODuration(*b.ExpirationDuration)
	if err != nil {
		return 0, badRequest("Invalid expirationDuration: " + strings.ToValidUTF8(err.Error(), "?"))
	}
	if d == 0 {
		return 0, badRequest("Invalid expirationDuration: it must be longer than zero.")
	}
	return d, nil
}

// set reads the body's presence and expiration and hands them to set.
func (b presenceBody) set(set func(presence.Presence, time.Duration) error) result {
	p, e := b.pair()
	if e != nil {
		return result{err: e}
	}
	d, e := b.duration()
	if e != nil {
		return result{err: e}
	}
	return seamResult(set(p, d))
}

// seamResult answers 200 when the Teams seam took a change, the mapped
// error when it refused it.
func seamResult(err error) result {
	if err != nil {
		return result{err: seamError(err)}
	}
	return result{status: http.StatusOK}
}

// seamError maps the Teams seam's errors onto Graph statuses.
func seamError(err error) *Error {
	msg := strings.ToValidUTF8(err.Error(), "?")
	switch {
	case errors.Is(err, teams.ErrNoSession):
		return errf(http.StatusNotFound, "NotFound", msg)
	case errors.Is(err, teams.ErrUnknownUser):
		return errf(http.StatusNotFound, "Request_ResourceNotFound", msg)
	case errors.Is(err, teams.ErrInvalid):
		return badRequest(msg)
	}
	return badRequest(msg)
}

func (h *Handler) action(rc *reqCtx, rt route, body []byte) result {
	if isLocationAction(rt.action) {
		return h.locationAction(rc, rt, body)
	}
	u, self, e := h.resolve(rc, rt.target)
	if e != nil {
		return result{err: e}
	}
	c := rc.claims
	switch {
	case rt.action == "setStatusMessage" && !c.Delegated():
		return result{err: forbidden("setStatusMessage supports delegated permissions only; application tokens are refused. (G-MSG-1)")}
	case c.Delegated() && !c.Has(PresenceReadWrite):
		return result{err: missingRole(c, PresenceReadWrite)}
	case c.Delegated() && !self:
		return result{err: forbidden("Cannot set the presence of another user: a delegated token writes only the signed-in user's presence. (G-AUTH-1)")}
	case !c.Delegated() && !c.Has(PresenceReadWriteAll):
		return result{err: missingRole(c, PresenceReadWriteAll)}
	}
	app := h.appByID(c.AppID)
	if app == nil {
		return result{err: errf(http.StatusUnauthorized, "InvalidAuthenticationToken", "The token's application is no longer registered.")}
	}
	var pb presenceBody
	switch rt.action {
	case "setPresence", "clearPresence":
		if e := decode(body, &pb); e != nil {
			return result{err: e}
		}
		if pb.SessionID == nil || *pb.SessionID == "" {
			return result{err: badRequest("sessionId is required: provide the id of the application. (G-SET-1)")}
		}
		if !strings.EqualFold(*pb.SessionID, app.AppID) {
			return result{err: badRequest("sessionId must be the calling application's id " + app.AppID + ". (G-SET-1)")}
		}
		if rt.action == "clearPresence" {
			return seamResult(h.w.Teams.ClearAppPresence(u, h.w.Teams.App(app.DisplayName)))
		}
		return pb.set(func(p presence.Presence, d time.Duration) error {
			return h.w.Teams.SetAppPresence(u, h.w.Teams.App(app.DisplayName), p, d)
		})
	case "setUserPreferredPresence":
		if e := decode(body, &pb); e != nil {
			return result{err: e}
		}
		return pb.set(func(p presence.Presence, d time.Duration) error {
			return h.w.Teams.SetPreferred(u, p, d, teams.ViaGraph)
		})
	case "clearUserPreferredPresence":
		var any map[string]json.RawMessage
		if e := decode(body, &any); e != nil {
			return result{err: e}
		}
		return seamResult(h.w.Teams.ClearPreferred(u))
	case "setStatusMessage":
		return h.setStatusMessage(rc, u, body)
	}
	return result{err: badRequest("unknown action")}
}

// maxStatusMessage is the status message's length in characters (G-MSG-1).
const maxStatusMessage = 280

// clockEnd is the last instant the world's clock can hold, less a day's
// margin for what is added to it.
var clockEnd = clock.Time(math.MaxInt64).Wall().Add(-24 * time.Hour).Truncate(24 * time.Hour)

type statusBody struct {
	StatusMessage *struct {
		Message *struct {
			Content     *string `json:"content"`
			ContentType string  `json:"contentType"`
		} `json:"message"`
		ExpiryDateTime *struct {
			DateTime string `json:"dateTime"`
			TimeZone string `json:"timeZone"`
		} `json:"expiryDateTime"`
	} `json:"statusMessage"`
}

func (h *Handler) setStatusMessage(rc *reqCtx, u teams.UserID, body []byte) result {
	var sb statusBody
	if e := decode(body, &sb); e != nil {
		return result{err: e}
	}
	sm := sb.StatusMessage
	if sm == nil || sm.Message == nil || sm.Message.Content == nil {
		return result{err: badRequest("statusMessage.message.content is required. (G-MSG-1)")}
	}
	if ct := sm.Message.ContentType; ct != "" && !strings.EqualFold(ct, "text") {
		return result{err: badRequest("statusMessage.message.contentType must be 'text'; got '" + strings.ToValidUTF8(truncate(ct, 40), "?") + "'. (G-MSG-1)")}
	}
	if n := utf8.RuneCountInString(*sm.Message.Content); n > maxStatusMessage {
		return result{err: badRequest(fmt.Sprintf("statusMessage.message.content is %d characters long; at most %d are allowed. (G-MSG-1)", n, maxStatusMessage))}
	}
	var expiry *clock.Time
	if ex := sm.ExpiryDateTime; ex != nil && ex.DateTime != "" {
		at, err := parseGraphDateTime(ex.DateTime, ex.TimeZone)
		if err != nil {
			return result{err: badRequest("Invalid statusMessage.expiryDateTime: " + strings.ToValidUTF8(err.Error(), "?"))}
		}
		// The world's clock counts nanoseconds from its epoch in an int64
		// and ends in 2318: a later date would be stored as that end. It is
		// refused rather than moved, so the connector never reads back an
		// expiry it did not set; Graph's way to say "never" is no expiry.
		if !at.Before(clockEnd) {
			return result{err: badRequest("statusMessage.expiryDateTime " + at.UTC().Format(time.RFC3339) + " lies beyond what presencesim's clock can reach (" + clockEnd.Format("2006-01-02") + "); leave expiryDateTime out for a message that never expires. (G-MSG-1)")}
		}
		t := clock.Time(at.Sub(clock.Epoch))
		if t <= rc.now {
			return result{err: badRequest("statusMessage.expiryDateTime lies in the past (now is " + rc.wall.Format(time.RFC3339) + ").")}
		}
		expiry = &t
	}
	return seamResult(h.w.Teams.SetStatusMessage(u, *sm.Message.Content, "text", expiry))
}

// windowsZones maps the Windows time zone names Graph uses to IANA names.
var windowsZones = map[string]string{
	"utc": "UTC", "gmt standard time": "Europe/London", "w. europe standard time": "Europe/Berlin",
	"central europe standard time": "Europe/Budapest", "romance standard time": "Europe/Paris",
	"pacific standard time": "America/Los_Angeles", "eastern standard time": "America/New_York",
	"central standard time": "America/Chicago", "mountain standard time": "America/Denver",
}

func parseGraphDateTime(dt, tz string) (time.Time, error) {
	loc := time.UTC
	if tz != "" {
		name := tz
		if n, ok := windowsZones[strings.ToLower(tz)]; ok {
			name = n
		}
		if strings.ContainsAny(name, `\.`) || strings.HasPrefix(name, "/") {
			return time.Time{}, fmt.Errorf("unknown time zone %q", tz)
		}
		l, err := time.LoadLocation(name)
		if err != nil {
			return time.Time{}, fmt.Errorf("unknown time zone %q; use UTC, an IANA name or a Windows name such as \"Pacific Standard Time\"", tz)
		}
		loc = l
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, dt, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, dt); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("dateTime %q: write e.g. 2026-01-05T17:00:00.0000000", dt)
}
