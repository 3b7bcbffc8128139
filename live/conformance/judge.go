package conformance

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
)

// Violation is one broken rule, with what the fakes saw.
type Violation struct {
	Rule string
	At   clock.Time
	User string
	What string
}

func (v Violation) String() string {
	s := v.Rule + " at " + v.At.String()
	if v.User != "" {
		s += " (" + v.User + ")"
	}
	return s + ": " + v.What
}

// Limits of the judgement, in virtual time.
const (
	// EchoWindow: two accepted writes of the same pair to the same user
	// closer than this, with no input change between, are an echo (C-9); a
	// refresh comes at most a few times per expiration (5 min at least).
	EchoWindow = time.Minute
	// MinBackoff is the least wait after a 5xx before the next request (C-5).
	MinBackoff = time.Second
	// FadeAfter is when an unrefreshed Available session fades (G-SET-2).
	FadeAfter = 5 * time.Minute
	// DefaultExpiration is setPresence's expirationDuration when not given.
	DefaultExpiration = 5 * time.Minute
	// TokenRefreshMargin: a new token while the last one of the same kind
	// still has more than this to live, on the wall clock, is a token not
	// cached (C-11). MSAL and azidentity renew 5 minutes before expiry.
	TokenRefreshMargin = 5 * time.Minute
)

// Rules are the rules Judge checks, with what each means here.
var Rules = []struct{ ID, Check string }{
	{"C-1", "every setPresence and clearPresence uses the app's id as sessionId; setPresence writes only the pairs of G-SET-1"},
	{"C-2", "a session that holds is written again before its expirationDuration runs out (an Available one before it fades)"},
	{"C-3", "a state ends with clearPresence, never by writing Available/Available"},
	{"C-4", "no preferred presence, unless the integration's mapping has it"},
	{"C-5", "no request before the Retry-After of a 429, none within 1 s of a 5xx"},
	{"C-6", "subscriptions are created (validation answered), notifications accepted within 3 s, the subscription kept alive by renewal or recreation"},
	{"C-7", "bulk reads stay within 650 ids and Graph's request limit (convergence is checked by the steps)"},
	{"C-8", "the presence a reader reports never goes back to a lower sequenceNumber"},
	{"C-9", "no second write of the same pair to a user within 1 min without an input change between"},
	{"C-11", "every request over TLS; no new token while the last one (app or user) has more than 5 min to live unless Graph refused it; no 401 from Graph but those the harness provoked; after a 401 a new token before the next Graph request"},
}

// Judge checks the connector's recorded requests against the rules named
// (all of Rules when none), up to now.
func (s *Session) Judge(now clock.Time, rules ...string) []Violation {
	subs := s.liveSubscriptions()
	var out []Violation
	_ = s.lw.Do(func(*sim.World) error { out = s.judge(now, subs, rules); return nil })
	return out
}

// judge is Judge inside the world's Do, with the fake's subscriptions read
// before.
func (s *Session) judge(now clock.Time, subs []graph.Subscription, rules []string) []Violation {
	want := map[string]bool{}
	for _, r := range rules {
		want[r] = true
	}
	on := func(r string) bool { return len(rules) == 0 || want[r] }
	names := map[string]string{}
	for _, u := range s.w.Teams.Users() {
		d := s.w.Teams.Dir(u)
		names[strings.ToLower(d.ID)] = d.Name
	}
	who := func(id string) string {
		if n, ok := names[strings.ToLower(id)]; ok {
			return n
		}
		return id
	}
	var calls []Call
	for _, c := range s.wire.Calls() {
		if c.AppID == s.App.AppID && c.At <= now {
			calls = append(calls, c)
		}
	}
	var out []Violation
	add := func(rule string, at clock.Time, user, format string, a ...any) {
		if on(rule) {
			out = append(out, Violation{Rule: rule, At: at, User: user, What: fmt.Sprintf(format, a...)})
		}
	}
	for _, c := range calls {
		switch c.Action {
		case "setPresence", "clearPresence":
			if !c.HasSession || !strings.EqualFold(c.SessionID, s.App.AppID) {
				add("C-1", c.At, who(c.Target), "%s used sessionId %q, not the application id %s (answered %d)", c.Action, c.SessionID, s.App.AppID, c.Status)
			}
			if c.Action == "setPresence" {
				p, ok := c.Pair()
				if !ok || presence.SetPresencePairs.Check(p) != nil {
					add("C-1", c.At, who(c.Target), "setPresence wrote %s, not one of the pairs setPresence accepts (G-SET-1: %s) (answered %d)", c.PairText(), pairList(), c.Status)
				} else if p == presence.Of(presence.Available, presence.ActAvailable) {
					add("C-3", c.At, who(c.Target), "wrote Available/Available instead of clearing its session with clearPresence; an Available session keeps a signed-out user Available")
				}
			}
		case "setUserPreferredPresence", "clearUserPreferredPresence":
			if s.readsXPhone() {
				break // its mapping has preferred presence (judgeXPhone)
			}
			add("C-4", c.At, who(c.Target), "%s %s: the %s mapping writes no preferred presence (answered %d)", c.Action, strings.Trim(c.PairText(), "/"), s.target.Integration, c.Status)
		}
	}
	out = append(out, s.judgeRefresh(calls, now, who, on)...)
	out = append(out, s.judgeBackoff(calls, on)...)
	out = append(out, s.judgeEcho(calls, who, on)...)
	out = append(out, s.judgeReader(calls, subs, now, who, on)...)
	out = append(out, s.judgeAuth(now, calls, on)...)
	out = append(out, s.judgeXPhone(calls, now, who, on)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

func pairList() string {
	var ps []string
	for _, p := range presence.SetPresencePairs.Pairs {
		ps = append(ps, p.Short())
	}
	return strings.Join(ps, ", ")
}

// judgeRefresh is C-2: per user, each accepted setPresence must be followed
// by the next write (or clear) before it expires; the last one must not
// have expired by now.
func (s *Session) judgeRefresh(calls []Call, now clock.Time, who func(string) string, on func(string) bool) []Violation {
	if !on("C-2") {
		return nil
	}
	var out []Violation
	last := map[string]Call{}
	check := func(prev Call, next clock.Time, what string) {
		exp := prev.Expiration
		if exp == 0 {
			exp = DefaultExpiration
		}
		p, _ := prev.Pair()
		limit, fades := exp, p.Availability == presence.Available && FadeAfter < exp
		if fades {
			limit = FadeAfter
		}
		if gap := next.Sub(prev.At); gap > limit {
			why := "its expirationDuration " + exp.String() + " ran out"
			if fades {
				why = "an Available session fades after " + FadeAfter.String() + " (G-SET-2)"
			}
			out = append(out, Violation{Rule: "C-2", At: prev.At.Add(limit), User: who(prev.Target),
				What: fmt.Sprintf("the session written at %s as %s was not refreshed: %s before %s %s", prev.At, prev.PairText(), why, what, gap.Round(time.Second))})
		}
	}
	for _, c := range calls {
		if !c.OK() || c.Target == "" {
			continue
		}
		switch c.Action {
		case "setPresence":
			if prev, ok := last[c.Target]; ok {
				check(prev, c.At, "the next write, after")
			}
			last[c.Target] = c
		case "clearPresence":
			if prev, ok := last[c.Target]; ok {
				check(prev, c.At, "the clear, after")
			}
			delete(last, c.Target)
		}
	}
	keys := make([]string, 0, len(last))
	for k := range last {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		check(last[k], now, "now, after")
	}
	return out
}

// judgeBackoff is C-5.
func (s *Session) judgeBackoff(calls []Call, on func(string) bool) []Violation {
	if !on("C-5") {
		return nil
	}
	var out []Violation
	for i, c := range calls {
		var wait time.Duration
		var why string
		switch {
		case c.Status == 429:
			ra := c.RetryAfter
			if ra <= 0 {
				ra = 1
			}
			wait, why = time.Duration(ra)*time.Second, fmt.Sprintf("the 429 to its %s %s at %s said Retry-After %d", c.Method, c.Action, c.At, ra)
		case c.Status >= 500:
			wait, why = MinBackoff, fmt.Sprintf("the %d to its %s %s at %s asks for a backoff", c.Status, c.Method, c.Action, c.At)
		default:
			continue
		}
		for _, n := range calls[i+1:] {
			if n.At.Sub(c.At) >= wait {
				break
			}
			if n.Action == "token" || n.Action == "identity" {
				continue
			}
			out = append(out, Violation{Rule: "C-5", At: n.At, What: fmt.Sprintf("%s; the next request (%s %s) came %s later", why, n.Method, n.Action, n.At.Sub(c.At).Round(time.Millisecond))})
			break
		}
	}
	return out
}

// judgeEcho is C-9: a write repeated at once without an input change is an
// echo of the connector's own write.
func (s *Session) judgeEcho(calls []Call, who func(string) string, on func(string) bool) []Violation {
	if !on("C-9") {
		return nil
	}
	var out []Violation
	last := map[string]Call{}
	reported := map[string]bool{}
	for _, c := range calls {
		if c.Action != "setPresence" || !c.OK() {
			continue
		}
		user := who(c.Target)
		if prev, ok := last[c.Target]; ok && prev.Availability == c.Availability && prev.Activity == c.Activity && c.At.Sub(prev.At) < EchoWindow && !s.inputBetween(user, prev.At, c.At) && !reported[c.Target] {
			n := 0
			for _, x := range calls {
				if x.Target == c.Target && x.Action == "setPresence" && x.At >= prev.At && x.At < prev.At.Add(EchoWindow) {
					n++
				}
			}
			out = append(out, Violation{Rule: "C-9", At: c.At, User: user, What: fmt.Sprintf("wrote %s again %s after writing it at %s with no change of the user's PBX state between: %d writes within %s", c.PairText(), c.At.Sub(prev.At).Round(time.Millisecond), prev.At, n, EchoWindow)})
			reported[c.Target] = true
		}
		last[c.Target] = c
	}
	return out
}

// judgeAuth is C-11: TLS, a cached token, no token refused but those the
// harness revoked, and a new token after a 401 before the next request.
// Token lifetimes are wall-clock time (G-ID-2), so the wall times of the
// wire decide, taken in the order requests arrived.
func (s *Session) judgeAuth(now clock.Time, calls []Call, on func(string) bool) []Violation {
	if !on("C-11") {
		return nil
	}
	var out []Violation
	var plain []Call
	for _, c := range s.wire.Calls() {
		if c.At <= now && !c.TLS && (c.AppID == s.App.AppID || c.Action == "identity") {
			plain = append(plain, c)
		}
	}
	if len(plain) > 0 {
		out = append(out, Violation{Rule: "C-11", At: plain[0].At, What: fmt.Sprintf("%d requests came over plain HTTP, the first %s %s; Graph and the identity platform are served over HTTPS only (G-TLS-1)", len(plain), plain[0].Method, plain[0].Path)})
	}
	byWall := append([]Call(nil), calls...)
	sort.SliceStable(byWall, func(i, j int) bool { return byWall[i].Wall.Before(byWall[j].Wall) })
	graphCall := func(c Call) bool { return c.Action != "token" && c.Action != "identity" }
	// refusedBetween says whether Graph answered a 401 from a to b.
	refusedBetween := func(a, b time.Time) bool {
		for _, c := range byWall {
			if graphCall(c) && c.Status == http.StatusUnauthorized && !c.Answered.Before(a) && !c.Answered.After(b) {
				return true
			}
		}
		return false
	}
	kind := func(c Call) string {
		if c.Grant == "client_credentials" {
			return "application"
		}
		return "delegated"
	}
	type uncached struct {
		first Call
		prev  Call
		left  time.Duration
		n     int
	}
	found := map[string]*uncached{}
	var order []string
	var tokens []Call
	for _, c := range byWall {
		if c.Action != "token" || !c.OK() {
			continue
		}
		var prev *Call
		for i := len(tokens) - 1; i >= 0; i-- {
			if kind(tokens[i]) == kind(c) && !tokens[i].Answered.After(c.Wall) {
				prev = &tokens[i]
				break
			}
		}
		tokens = append(tokens, c)
		if prev == nil || prev.ExpiresIn <= 0 {
			continue
		}
		left := prev.Answered.Add(time.Duration(prev.ExpiresIn) * time.Second).Sub(c.Wall)
		if left <= TokenRefreshMargin || refusedBetween(prev.Answered, c.Wall) {
			continue
		}
		k := kind(c)
		if found[k] == nil {
			found[k] = &uncached{first: c, prev: *prev, left: left}
			order = append(order, k)
		}
		found[k].n++
	}
	for _, k := range order {
		u := found[k]
		more := ""
		if u.n > 1 {
			more = fmt.Sprintf(" (%d such token requests in all)", u.n)
		}
		out = append(out, Violation{Rule: "C-11", At: u.first.At, What: fmt.Sprintf("asked for a new %s token (%s) while the one it got at %s still had %s to live; a connector keeps its token until %s before it expires%s",
			k, u.first.Grant, u.prev.At, u.left.Round(time.Second), TokenRefreshMargin, more)})
	}
	var unprovoked []Call
	var stale [][2]Call // a 401 and the next request, sent without a new token
	for i, c := range byWall {
		if !graphCall(c) || c.Status != http.StatusUnauthorized {
			continue
		}
		if !c.Revoked {
			unprovoked = append(unprovoked, c)
		}
		for _, n := range byWall[i+1:] {
			if !graphCall(n) || n.Wall.Before(c.Answered) {
				continue
			}
			renewed := false
			for _, t := range tokens {
				renewed = renewed || (!t.Wall.Before(c.Wall) && !t.Answered.After(n.Wall))
			}
			if !renewed {
				stale = append(stale, [2]Call{c, n})
			}
			break
		}
	}
	if len(stale) > 0 {
		c, n := stale[0][0], stale[0][1]
		more := ""
		if len(stale) > 1 {
			more = fmt.Sprintf(" (%d requests after a 401 without a new token in all)", len(stale))
		}
		out = append(out, Violation{Rule: "C-11", At: n.At, What: fmt.Sprintf("after Graph refused its token (401 to %s %s at %s) it sent %s %s at %s without getting a new token first%s",
			c.Method, c.Action, c.At, n.Method, n.Action, n.At, more)})
	}
	if len(unprovoked) > 0 {
		c := unprovoked[0]
		out = append(out, Violation{Rule: "C-11", At: c.At, What: fmt.Sprintf("Graph refused its token %d times, the first on %s %s (%s): a token used past its expiry, or not one the identity platform issued for this world",
			len(unprovoked), c.Method, c.Action, c.Error)})
	}
	return out
}

func (s *Session) inputBetween(user string, a, b clock.Time) bool {
	return s.inputs.between(user, a, b)
}

// Report formats violations, one a line.
func Report(vs []Violation) string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = "  " + v.String()
	}
	return strings.Join(lines, "\n")
}

// RuleIDs lists the distinct rule ids of the violations, in order.
func RuleIDs(vs []Violation) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if !seen[v.Rule] {
			seen[v.Rule] = true
			out = append(out, v.Rule)
		}
	}
	sort.Strings(out)
	return out
}
