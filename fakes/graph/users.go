package graph

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/presencesim/presencesim/sim/guid"
	"github.com/presencesim/presencesim/sim/teams"
)

// Route kinds of the user directory and of JSON batching; the presence
// kinds are in handler.go.
const (
	rUser  routeKind = iota + 32 // GET /me, /users/{id or userPrincipalName}
	rUsers                       // GET /users
	rBatch                       // POST /$batch
)

// parseMoreRoute reads the paths besides presence and subscriptions:
// users (G-USR-1) and $batch (G-BATCH-1). ok is false for a path it does
// not know.
func parseMoreRoute(method string, segs []string) (rt route, ok bool, e *Error) {
	switch {
	case len(segs) == 1 && segs[0] == "me", len(segs) == 2 && segs[0] == "users":
		rt = route{kind: rUser, target: "me"}
		if len(segs) == 2 {
			rt.target = segs[1]
		}
	case len(segs) == 1 && segs[0] == "users":
		rt = route{kind: rUsers}
	case len(segs) == 1 && segs[0] == "$batch":
		if method != http.MethodPost {
			return rt, true, methodNotAllowed(method, "POST")
		}
		return route{kind: rBatch, hasBody: true}, true, nil
	default:
		return rt, false, nil
	}
	if method != http.MethodGet {
		return rt, true, methodNotAllowed(method, "GET")
	}
	if rt.target == "" && rt.kind == rUser {
		return rt, true, badRequest("The user id is empty.")
	}
	return rt, true, nil
}

// userProp is one property of Graph's user resource that the fake serves:
// whether User.ReadBasic.All may read it, whether Graph returns it without
// $select, and its value.
type userProp struct {
	name   string
	basic  bool
	dflt   bool
	append func(b []byte, d teams.Directory) []byte
}

func appendNull(b []byte, _ teams.Directory) []byte { return append(b, "null"...) }

// userProps is the user resource as served, in Graph's order. The
// properties the world does not model (job title, phones, office) are
// null, as for a user whose admin left them empty.
var userProps = []userProp{
	{"businessPhones", false, true, func(b []byte, _ teams.Directory) []byte { return append(b, "[]"...) }},
	{"displayName", true, true, func(b []byte, d teams.Directory) []byte { return appendJSONString(b, d.DisplayName) }},
	{"givenName", true, true, func(b []byte, d teams.Directory) []byte {
		g, _ := splitName(d.DisplayName)
		return appendNullable(b, g)
	}},
	{"jobTitle", false, true, appendNull},
	{"mail", true, true, func(b []byte, d teams.Directory) []byte { return appendNullable(b, d.Mail) }},
	{"mobilePhone", false, true, appendNull},
	{"officeLocation", false, true, appendNull},
	{"preferredLanguage", false, true, appendNull},
	{"surname", true, true, func(b []byte, d teams.Directory) []byte {
		_, s := splitName(d.DisplayName)
		return appendNullable(b, s)
	}},
	{"userPrincipalName", true, true, func(b []byte, d teams.Directory) []byte { return appendJSONString(b, d.UPN) }},
	{"id", true, true, func(b []byte, d teams.Directory) []byte { return appendJSONString(b, d.ID) }},
	{"accountEnabled", false, false, func(b []byte, _ teams.Directory) []byte { return append(b, "true"...) }},
	{"userType", false, false, func(b []byte, d teams.Directory) []byte {
		if d.Guest {
			return append(b, `"Guest"`...)
		}
		return append(b, `"Member"`...)
	}},
}

func appendNullable(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendJSONString(b, s)
}

// splitName takes the given name and surname from a display name: "Alice
// Smith" → "Alice", "Smith"; a single word is the given name.
func splitName(display string) (string, string) {
	display = strings.TrimSpace(display)
	if i := strings.LastIndexByte(display, ' '); i > 0 {
		return strings.TrimSpace(display[:i]), display[i+1:]
	}
	return display, ""
}

// Query limits of the user directory (G-USR-1); the filter limits are
// those Graph documents for directory objects.
const (
	maxUsersTop     = 999
	defaultUsersTop = 100
	maxFilterValues = 15  // values of an "in" clause
	maxFilterValue  = 120 // characters of an "eq" value
	maxQueryOption  = 2048
)

// userQuery is a parsed /users query.
type userQuery struct {
	props  []int // indexes into userProps; nil for the default set
	filter *userFilter
	top    int
	skip   int
	count  bool
	// raw options kept for @odata.nextLink
	rawFilter, rawSelect, rawTop, rawCount string
}

// userFilter is one supported $filter clause: prop eq 'v' or prop in ('v',…).
type userFilter struct {
	prop   string // "id", "userPrincipalName", "mail" or "displayName"
	values []string
}

var filterProps = []string{"id", "userPrincipalName", "mail", "displayName"}

// parseUserQuery reads the OData system query options of a user request,
// named with or without their "$", in any case; options of other names are
// left alone, as Graph leaves them.
func parseUserQuery(q url.Values, list bool) (userQuery, *Error) {
	uq := userQuery{top: defaultUsersTop}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first bad option named is the same every time
	for _, k := range keys {
		vs := q[k]
		name := strings.ToLower(strings.TrimPrefix(k, "$"))
		v := ""
		if len(vs) > 0 {
			v = vs[0]
		}
		if len(vs) > 1 {
			return uq, badRequest("Query option '" + clip(k) + "' is given more than once.")
		}
		if len(v) > maxQueryOption {
			return uq, badRequest("Query option '" + clip(k) + "' is longer than " + strconv.Itoa(maxQueryOption) + " characters.")
		}
		switch {
		case name == "select":
			uq.rawSelect = v
		case name == "filter" && list:
			uq.rawFilter = v
		case name == "top" && list:
			uq.rawTop = v
		case name == "count" && list:
			uq.rawCount = v
		case name == "skiptoken" && list:
			n, ok := decodeSkipToken(v)
			if !ok {
				return uq, badRequest("Invalid $skiptoken: pass the @odata.nextLink of the previous page as it is. (G-USR-1)")
			}
			uq.skip = n
		case strings.HasPrefix(k, "$"):
			return uq, badRequest("Query option '" + clip(k) + "' is not supported here; presencesim serves $select" + map[bool]string{true: ", $filter, $top, $count and $skiptoken", false: ""}[list] + " on users. (G-USR-1)")
		}
	}
	if uq.rawSelect != "" {
		for _, p := range strings.Split(uq.rawSelect, ",") {
			p = strings.TrimSpace(p)
			i := propIndex(p)
			if i < 0 {
				return uq, badRequest("Could not find a property named '" + clip(p) + "' on type 'microsoft.graph.user'. (G-USR-1)")
			}
			dup := false
			for _, j := range uq.props {
				dup = dup || j == i
			}
			if !dup {
				uq.props = append(uq.props, i)
			}
		}
	}
	if uq.rawTop != "" {
		n, err := strconv.Atoi(uq.rawTop)
		if err != nil || n < 1 || n > maxUsersTop {
			return uq, badRequest("Invalid page size specified: '" + clip(uq.rawTop) + "'. Must be between 1 and 999 inclusive. (G-USR-1)")
		}
		uq.top = n
	}
	switch strings.ToLower(uq.rawCount) {
	case "", "false":
	case "true":
		uq.count = true
	default:
		return uq, badRequest("Invalid $count: write true or false.")
	}
	if uq.rawFilter != "" {
		f, e := parseUserFilter(uq.rawFilter)
		if e != nil {
			return uq, e
		}
		uq.filter = f
	}
	return uq, nil
}

func clip(s string) string { return strings.ToValidUTF8(truncate(s, 80), "?") }

func propIndex(name string) int {
	for i, p := range userProps {
		if strings.EqualFold(p.name, name) {
			return i
		}
	}
	return -1
}

func unsupportedFilter(f string) *Error {
	return errf(http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified: '"+clip(f)+"'. presencesim serves userPrincipalName, mail, id or displayName eq 'value' and id, userPrincipalName or mail in ('value', …). (G-USR-1)")
}

// parseUserFilter reads "prop eq 'v'" or "prop in ('a','b')". Quotes in a
// value are doubled, as OData writes them.
func parseUserFilter(f string) (*userFilter, *Error) {
	s := strings.TrimSpace(f)
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		return nil, unsupportedFilter(f)
	}
	prop := ""
	for _, p := range filterProps {
		if strings.EqualFold(p, s[:i]) {
			prop = p
		}
	}
	if prop == "" {
		return nil, unsupportedFilter(f)
	}
	s = strings.TrimLeft(s[i:], " ")
	op, rest, _ := strings.Cut(s, " ")
	rest = strings.TrimSpace(rest)
	uf := &userFilter{prop: prop}
	switch op {
	case "eq":
		v, tail, ok := readQuoted(rest)
		if !ok || strings.TrimSpace(tail) != "" {
			return nil, unsupportedFilter(f)
		}
		if n := len([]rune(v)); n > maxFilterValue {
			return nil, badRequest("The value of an eq filter may have at most 120 characters; it has " + strconv.Itoa(n) + ". (G-USR-1)")
		}
		uf.values = []string{v}
	case "in":
		if prop == "displayName" || !strings.HasPrefix(rest, "(") {
			return nil, unsupportedFilter(f)
		}
		rest = strings.TrimLeft(rest[1:], " ")
		for {
			v, tail, ok := readQuoted(rest)
			if !ok {
				return nil, unsupportedFilter(f)
			}
			uf.values = append(uf.values, v)
			if len(uf.values) > maxFilterValues {
				return nil, badRequest("Too many values in the 'in' clause: at most 15. (G-USR-1)")
			}
			tail = strings.TrimLeft(tail, " ")
			if strings.HasPrefix(tail, ",") {
				rest = strings.TrimLeft(tail[1:], " ")
				continue
			}
			if strings.TrimSpace(tail) != ")" {
				return nil, unsupportedFilter(f)
			}
			break
		}
	default:
		return nil, unsupportedFilter(f)
	}
	return uf, nil
}

// readQuoted reads a single-quoted OData string at the start of s.
func readQuoted(s string) (v, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), s[i+1:], true
	}
	return "", s, false
}

func (f *userFilter) match(d teams.Directory) bool {
	var have string
	switch f.prop {
	case "id":
		have = d.ID
	case "userPrincipalName":
		have = d.UPN
	case "mail":
		have = d.Mail
	default:
		have = d.DisplayName
	}
	for _, v := range f.values {
		if have != "" && strings.EqualFold(have, v) {
			return true
		}
	}
	return false
}

// skip tokens carry the offset of the next page, opaque as Graph's are.
const skipTokenPrefix = "psim1:"

func encodeSkipToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(skipTokenPrefix + strconv.Itoa(n)))
}

func decodeSkipToken(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(b), skipTokenPrefix) {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[len(skipTokenPrefix):]))
	return n, err == nil && n >= 0 && n <= 1<<30
}

// canReadUsers applies G-USR-1: User.Read reads the signed-in user;
// User.ReadBasic.All and User.Read.All read everyone, delegated or
// application. basic is set when only User.ReadBasic.All (or User.Read for
// oneself) allows it.
func canReadUsers(c *Claims, self bool) (ok, full bool) {
	switch {
	case c.Has(UserReadAll):
		return true, true
	case c.Has(UserReadBasicAll):
		return true, self && c.Has(UserRead)
	case self && c.Has(UserRead):
		return true, true
	}
	return false, false
}

func insufficientUserRights(c *Claims, self bool) *Error {
	need := UserReadBasicAll + ", " + UserReadAll
	if self {
		need = UserRead + ", " + need
	}
	kind, have := "Roles", strings.Join(c.Roles, " ")
	if c.Delegated() {
		kind, have = "Scopes", c.Scp
	}
	return errf(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation. API requires one of '"+need+"'. "+kind+" on the request '"+have+"'. (G-USR-1)")
}

// getUser serves GET /me and /users/{id or userPrincipalName}.
func (h *Handler) getUser(r *http.Request, rc *reqCtx, rt route) result {
	uq, e := parseUserQuery(r.URL.Query(), false)
	if e != nil {
		return result{err: e}
	}
	c := rc.claims
	var u teams.UserID
	self := false
	if rt.target == "me" {
		var e *Error
		if u, self, e = h.resolve(rc, "me"); e != nil {
			return result{err: e}
		}
	} else {
		var ok bool
		if u, ok = h.userByKey(c.Tid, rt.target); !ok {
			return result{err: errf(http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+clip(rt.target)+"' does not exist or one of its queried reference-property objects are not present. (G-USR-1)")}
		}
		rc.target = h.w.Teams.Name(u)
		self = c.Delegated() && strings.EqualFold(c.Oid, h.w.Teams.Dir(u).ID)
	}
	ok, full := canReadUsers(c, self)
	if !ok {
		return result{err: insufficientUserRights(c, self)}
	}
	b := getBuf()
	b = append(b, `{"@odata.context":"`...)
	b = append(b, h.opt.BaseURL...)
	b = append(b, `/$metadata#users`...)
	b = appendSelectContext(b, uq.props)
	b = append(b, `/$entity",`...)
	b = appendUser(b, h.w.Teams.Dir(u), uq.props, full)
	return result{status: http.StatusOK, body: b}
}

// userByKey finds a user of the tenant by object id or user principal name.
func (h *Handler) userByKey(tenant, key string) (teams.UserID, bool) {
	if guid.Valid(key) {
		return h.lookup(tenant, strings.ToLower(key))
	}
	if !strings.Contains(key, "@") {
		return 0, false
	}
	u, ok := h.id.UserByUPN(key)
	if !ok || h.id.TenantOf(u).ID != tenant {
		return 0, false
	}
	return u, true
}

func appendSelectContext(b []byte, props []int) []byte {
	if props == nil {
		return b
	}
	b = append(b, '(')
	for i, p := range props {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, userProps[p].name...)
	}
	return append(b, ')')
}

// appendUser writes a user's members and closing brace; without full
// rights the properties outside the basic profile are null.
func appendUser(b []byte, d teams.Directory, props []int, full bool) []byte {
	first := true
	one := func(i int) {
		p := userProps[i]
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, p.name...)
		b = append(b, `":`...)
		if !full && !p.basic {
			b = append(b, "null"...)
			return
		}
		b = p.append(b, d)
	}
	if props == nil {
		for i, p := range userProps {
			if p.dflt {
				one(i)
			}
		}
	} else {
		for _, i := range props {
			one(i)
		}
	}
	return append(b, '}')
}

// listUsers serves GET /users with $filter, $select, $top, $count and
// paging by @odata.nextLink.
func (h *Handler) listUsers(r *http.Request, rc *reqCtx) result {
	uq, e := parseUserQuery(r.URL.Query(), true)
	if e != nil {
		return result{err: e}
	}
	c := rc.claims
	ok, full := canReadUsers(c, false)
	if !ok {
		return result{err: insufficientUserRights(c, false)}
	}
	match := h.tenantUsers(c.Tid)
	if uq.filter != nil {
		var m []teams.UserID
		for _, u := range match {
			if uq.filter.match(h.w.Teams.Dir(u)) {
				m = append(m, u)
			}
		}
		match = m
	}
	b := getBuf()
	b = append(b, `{"@odata.context":"`...)
	b = append(b, h.opt.BaseURL...)
	b = append(b, `/$metadata#users`...)
	b = appendSelectContext(b, uq.props)
	b = append(b, '"')
	if uq.count {
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(len(match)), 10)
	}
	start := min(uq.skip, len(match))
	end := min(start+uq.top, len(match))
	if end < len(match) {
		b = append(b, `,"@odata.nextLink":`...)
		b = appendJSONString(b, serviceRoot(r, h.opt.BaseURL)+"/users?"+uq.nextQuery(end))
	}
	b = append(b, `,"value":[`...)
	for i, u := range match[start:end] {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = appendUser(b, h.w.Teams.Dir(u), uq.props, full)
	}
	b = append(b, "]}"...)
	return result{status: http.StatusOK, body: b}
}

// nextQuery is the query of the page starting at offset: the options as
// the client gave them and the skip token.
func (uq userQuery) nextQuery(offset int) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+url.QueryEscape(v))
		}
	}
	add("$filter", uq.rawFilter)
	add("$select", uq.rawSelect)
	add("$count", uq.rawCount)
	add("$top", uq.rawTop)
	add("$skiptoken", encodeSkipToken(offset))
	return strings.Join(parts, "&")
}

// serviceRoot is the v1.0 root a client reached this request at, so that
// a next page link leads back to the same server: the configured base
// for Graph's own host, else the request's scheme and host.
func serviceRoot(r *http.Request, base string) string {
	host := r.Host
	if host == "" || strings.EqualFold(host, "graph.microsoft.com") || strings.ContainsAny(host, "/?#@ \"\\") {
		return base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + host + "/v1.0"
}
