package graph

import (
	"encoding/json"
	"strings"
	"testing"
)

// The work location actions answer 200 with no body, and every read of the
// presence carries the aggregate in Graph's shape.
func TestWorkLocationRoundTrip(t *testing.T) {
	f := newFixture(t, Options{Throttle: Throttle{Off: true}})
	tok := f.userToken("alice")
	type wl struct {
		Type    string  `json:"workLocationType"`
		Source  string  `json:"source"`
		PlaceID *string `json:"placeId"`
	}
	read := func() (wl, string) {
		t.Helper()
		st, b, _ := f.do("GET", "/v1.0/me/presence", tok, "")
		var p struct {
			WorkLocation *wl    `json:"workLocation"`
			Seq          string `json:"sequenceNumber"`
		}
		if st != 200 || json.Unmarshal(b, &p) != nil || p.WorkLocation == nil {
			t.Fatalf("GET /me/presence: %d %s", st, b)
		}
		return *p.WorkLocation, p.Seq
	}
	got, seq := read()
	if got.Type != "unspecified" || got.Source != "none" || got.PlaceID != nil {
		t.Fatalf("a user with no signal reads %+v, want unspecified, none, placeId null", got)
	}
	steps := []struct {
		path, body           string
		typ, source, placeID string
	}{
		{"/v1.0/me/presence/setAutomaticLocation", `{"workLocationType":"remote"}`, "remote", "automatic", ""},
		{"/v1.0/users/" + f.ids["alice"] + "/presence/setManualLocation", `{"workLocationType":"Office","placeId":"bldg \"4\""}`, "office", "manual", `bldg "4"`},
		{"/v1.0/communications/presences/" + f.ids["alice"] + "/setAutomaticLocation", `{"workLocationType":"timeOff"}`, "office", "manual", `bldg "4"`},
		{"/v1.0/me/presence/clearLocation", ``, "unspecified", "none", ""},
		{"/v1.0/me/presence/setManualLocation", `{"workLocationType":"remote","placeId":"  "}`, "remote", "manual", ""},
		{"/v1.0/me/presence/clearAutomaticLocation", `{}`, "remote", "manual", ""},
	}
	for _, s := range steps {
		st, b, h := f.do("POST", s.path, tok, s.body)
		if st != 200 || len(b) != 0 || h.Get("Content-Length") != "0" {
			t.Fatalf("POST %s: %d %q (Content-Length %q), want 200 with no body", s.path, st, b, h.Get("Content-Length"))
		}
		got, next := read()
		place := ""
		if got.PlaceID != nil {
			place = *got.PlaceID
		}
		if got.Type != s.typ || got.Source != s.source || place != s.placeID {
			t.Fatalf("after POST %s %s: %s/%s/%q, want %s/%s/%q", s.path, s.body, got.Type, got.Source, place, s.typ, s.source, s.placeID)
		}
		if next < seq {
			t.Fatalf("sequenceNumber went back from %s to %s", seq, next)
		}
		seq = next
	}
}

func TestWorkLocationRefusals(t *testing.T) {
	f := newFixture(t, Options{Throttle: Throttle{Off: true}})
	user, app := f.userToken("alice"), f.appToken()
	alice, bob := f.ids["alice"], f.ids["bob"]
	for _, c := range []struct {
		name, path, tok, body string
		status                int
		want                  string // in the message
	}{
		{"application", "/v1.0/users/" + alice + "/presence/setManualLocation", app, `{"workLocationType":"office"}`, 403, "delegated permissions only"},
		{"another user", "/v1.0/users/" + bob + "/presence/setAutomaticLocation", user, `{"workLocationType":"office"}`, 403, "another user"},
		{"no type", "/v1.0/me/presence/setManualLocation", user, `{}`, 400, "workLocationType is required"},
		{"empty body", "/v1.0/me/presence/setManualLocation", user, ``, 400, "workLocationType is required"},
		{"bad type", "/v1.0/me/presence/setManualLocation", user, `{"workLocationType":"beach"}`, 400, "valid: unspecified, office, remote, timeOff"},
		{"long type echoed short", "/v1.0/me/presence/setManualLocation", user, `{"workLocationType":"` + strings.Repeat("x", 5000) + `"}`, 400, "…"},
		{"long place", "/v1.0/me/presence/setManualLocation", user, `{"workLocationType":"office","placeId":"` + strings.Repeat("é", 257) + `"}`, 400, "at most 256"},
		{"type as number", "/v1.0/me/presence/setManualLocation", user, `{"workLocationType":3}`, 400, "workLocationType"},
		{"clear on presences", "/v1.0/communications/presences/" + alice + "/clearAutomaticLocation", user, ``, 400, "/me/presence and /users/{id}/presence only"},
		{"clear with junk", "/v1.0/me/presence/clearLocation", user, `[1]`, 400, "JSON object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, b, _ := f.do("POST", c.path, c.tok, c.body)
			var eb ErrorBody
			if st != c.status || json.Unmarshal(b, &eb) != nil || !strings.Contains(eb.Error.Message, c.want) {
				t.Fatalf("want %d with %q in the message; got %d %s", c.status, c.want, st, b)
			}
			if len(b) > 2048 {
				t.Fatalf("the error echoes too much: %d bytes", len(b))
			}
		})
	}
}
