package graphtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/guid"
)

var placeholderRe = regexp.MustCompile(`\{([\w:+.,\- ]+)\}`)

// MaxIDs bounds {ids:N}.
const MaxIDs = 100000

// Expand fills the placeholders of a request path or body, or of an
// expected value, for the calling app: {alice} is alice's object id,
// {upn:alice} her user principal name, {mail:alice} her mail address,
// {password:alice} her password,
// {app} the calling app's id (the last caller's when none), {app:name}
// another app's id, {secret} and {secret:name} an app's client secret,
// {sub} the last subscription's id, {now+30m} the date-time 30 minutes
// from now, {ids:651} that many distinct quoted GUIDs ({filter-ids:N} in
// single quotes), {tenant} the tenant id, {refresh_token} the refresh token
// of the last answer, and the certificate placeholders of rich
// notifications (see richExpand). {tenantid} stays as it is: it is Entra
// ID's own placeholder in the documents of common and organizations.
func (c *Client) Expand(in, app string) (string, error) {
	var err error
	out := placeholderRe.ReplaceAllStringFunc(in, func(m string) string {
		v, e := c.expandOne(m[1:len(m)-1], app)
		if e != nil {
			if err == nil {
				err = e
			}
			return m
		}
		return v
	})
	return out, err
}

func (c *Client) expandOne(key, app string) (string, error) {
	m := "{" + key + "}"
	switch {
	case key == "tenantid":
		return m, nil
	case richPlaceholder(key):
		return richExpand(key)
	case key == "app" || strings.HasPrefix(key, "app:") || key == "secret" || strings.HasPrefix(key, "secret:"):
		kind, name, _ := strings.Cut(key, ":")
		if name == "" {
			name = app
		}
		if name == "" {
			name = c.LastApp
		}
		a, err := c.App(name)
		if err != nil {
			return "", err
		}
		if kind == "secret" {
			return a.Secret, nil
		}
		return a.AppID, nil
	case key == "refresh_token":
		var last struct {
			RefreshToken string `json:"refresh_token"`
		}
		if c.Last != nil {
			_ = json.Unmarshal(c.Last.Body, &last)
		}
		if last.RefreshToken == "" {
			return "", errors.New("{refresh_token}: the last answer holds no refresh_token (ask for offline_access)")
		}
		return last.RefreshToken, nil
	case strings.HasPrefix(key, "upn:") || strings.HasPrefix(key, "password:") || strings.HasPrefix(key, "mail:"):
		kind, name, _ := strings.Cut(key, ":")
		id, err := c.User(name)
		if err != nil {
			return "", fmt.Errorf("placeholder %s: %w", m, err)
		}
		switch kind {
		case "password":
			return c.H.Identity().Account(id).Password, nil
		case "mail":
			return c.World.Teams.Dir(id).Mail, nil
		}
		return c.World.Teams.Dir(id).UPN, nil
	case key == "sub":
		if c.LastSub == "" {
			return "", errors.New("{sub}: no subscription was created yet")
		}
		return c.LastSub, nil
	case key == "tenant":
		return c.H.Identity().Tenant("").ID, nil
	case strings.HasPrefix(key, "now"):
		d := time.Duration(0)
		if rest := strings.TrimSpace(key[3:]); rest != "" {
			sign := time.Duration(1)
			switch rest[0] {
			case '-':
				sign = -1
			case '+':
			default:
				return "", fmt.Errorf("%s: write {now}, {now+30 minutes} or {now-1 hour}", m)
			}
			dd, err := c.Duration(strings.TrimSpace(rest[1:]))
			if err != nil {
				return "", err
			}
			d = sign * dd
		}
		return c.World.Clock.Now().Add(d).Wall().Format(time.RFC3339), nil
	case strings.HasPrefix(key, "ids:") || strings.HasPrefix(key, "filter-ids:"):
		quote := `"`
		if key[0] == 'f' {
			quote = "'"
		}
		n, err := strconv.Atoi(key[strings.IndexByte(key, ':')+1:])
		if err != nil || n < 0 || n > MaxIDs {
			return "", fmt.Errorf("%s: write {ids:N} with a count of 0 to %d", m, MaxIDs)
		}
		ids := make([]string, n)
		for i := range ids {
			ids[i] = quote + guid.Nth(uint64(i)) + quote
		}
		return strings.Join(ids, ","), nil
	}
	id, err := c.User(key)
	if err != nil {
		return "", fmt.Errorf("placeholder %s: %w; placeholders are {user}, {upn:user}, {mail:user}, {password:user}, {app}, {app:name}, {secret}, {secret:name}, {sub}, {tenant}, {refresh_token}, {now+30m}, {ids:N}", m, err)
	}
	return c.World.Teams.Dir(id).ID, nil
}
