package event

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// A row's phrase is a template: {field} stands for a field of the event,
// [ … ] for a part written only when its fields are set, <a|b> for words
// the step also reads in another form (the first is written). The template
// gives both the text of an event and the pattern that reads it back.

// field is a placeholder of the templates and a key of the control API's
// JSON: how the event's field is written and read.
type field struct {
	re  string // a pattern with one group
	get func(*Event) string
	set func(ev *Event, s string, now clock.Time) error
	// list: a JSON array of strings (the people of a call)
	list    bool
	setList func(ev *Event, names []string) error
	// key is the field's JSON key when it is not the placeholder's name
	key string
}

var fields = map[string]*field{
	"user":  person(0),
	"other": person(1),
	"users": {re: `(.+)`, list: true,
		get: func(ev *Event) string { return JoinNames(ev.Users) },
		set: func(ev *Event, s string, _ clock.Time) error { return setPeople(ev, SplitNames(s)) },
		setList: func(ev *Event, names []string) error {
			for _, n := range names {
				if strings.Contains(n, ",") || strings.Contains(n, " and ") {
					return fmt.Errorf("a name holds a comma or \" and \": %q", clip(n))
				}
			}
			return setPeople(ev, names)
		}},
	"client": {re: `(\w+)`,
		get: func(ev *Event) string { return ev.Client.String() },
		set: func(ev *Event, s string, _ clock.Time) (err error) {
			ev.Client, err = teams.ParseClientKind(s)
			return err
		}},
	"presence": {re: `(.+?)`,
		get: func(ev *Event) string { return ev.Presence.Short() },
		set: func(ev *Event, s string, _ clock.Time) (err error) {
			ev.Presence, err = presence.Parse(s)
			return err
		}},
	"duration": {re: `(.+)`,
		get: func(ev *Event) string {
			if ev.For <= 0 {
				return ""
			}
			return Duration(ev.For)
		},
		set: func(ev *Event, s string, _ clock.Time) (err error) {
			ev.For, err = ParseDuration(s)
			return err
		}},
	"name": {re: `"([^"]+)"`,
		get: func(ev *Event) string { return ev.Name },
		set: func(ev *Event, s string, _ clock.Time) error {
			if s == "" || len(s) > 100 || strings.ContainsAny(s, "\"\n") {
				return fmt.Errorf("a name of 1 to 100 characters without quotes, not %q", clip(s))
			}
			ev.Name = s
			return nil
		}},
	"from": clockOfDay(func(ev *Event) *clock.Time { return &ev.From }),
	"to":   clockOfDay(func(ev *Event) *clock.Time { return &ev.To }),
	"show": {re: `(?:an? )?(` + teams.ShowAsPhrases() + `)`,
		get: func(ev *Event) string { w := ev.Show.Phrase(); return article(w) + " " + w },
		set: func(ev *Event, s string, _ clock.Time) (err error) {
			ev.Show, err = teams.ParseShowAs(strings.TrimPrefix(strings.TrimPrefix(s, "an "), "a "))
			return err
		}},
	"location": {re: `(the office|time off|\w+)`,
		get: func(ev *Event) string { return ev.Location.String() },
		set: func(ev *Event, s string, _ clock.Time) (err error) {
			ev.Location, err = ParseLocation(s)
			return err
		}},
	// where: the location of working hours, as the step says it
	"where": {re: `(from the office|in the office|from home|remotely)`, key: "location",
		get: func(ev *Event) string {
			if ev.Location == teams.WorkRemote {
				return "remotely"
			}
			return "from the office"
		},
		set: func(ev *Event, s string, _ clock.Time) error {
			switch s {
			case "from the office", "in the office", "office":
				ev.Location = teams.WorkOffice
			case "remotely", "from home", "remote":
				ev.Location = teams.WorkRemote
			default:
				return fmt.Errorf("working hours are from the office or remotely, not %q", clip(s))
			}
			return nil
		}},
	"place": {re: `"([^"]+)"`,
		get: func(ev *Event) string { return ev.Place },
		set: func(ev *Event, s string, _ clock.Time) error {
			if len(s) > 100 || strings.ContainsAny(s, "\"\n") {
				return fmt.Errorf("a place of up to 100 characters without quotes, not %q", clip(s))
			}
			ev.Place = s
			return nil
		}},
	"days": {re: `(.+?)`,
		get: func(ev *Event) string { return ev.Days.String() },
		set: func(ev *Event, s string, _ clock.Time) (err error) {
			ev.Days, err = teams.ParseWeekdays(s)
			return err
		}},
	"start": timeOfDay(func(ev *Event) *time.Duration { return &ev.Start }),
	"end":   timeOfDay(func(ev *Event) *time.Duration { return &ev.End }),
	"state": {re: `(.+)`,
		get: func(ev *Event) string { return pbxLabels[ev.State] },
		set: func(ev *Event, s string, _ clock.Time) error {
			for i, l := range pbxLabels {
				if strings.EqualFold(l, s) {
					ev.State = pbx.UserState(i)
					return nil
				}
			}
			return fmt.Errorf("unknown desk phone presence %q; valid: %s", clip(s), strings.Join(pbxLabels, ", "))
		}},
	"share": {re: `(\d{1,3})`,
		get: func(ev *Event) string { return strconv.Itoa(ev.Share) },
		set: func(ev *Event, s string, _ clock.Time) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 100 {
				return fmt.Errorf("a share is 0 to 100 percent, not %q", clip(s))
			}
			ev.Share = n
			return nil
		}},
	"status": {re: `(\d{3})`,
		get: func(ev *Event) string { return strconv.Itoa(ev.Status) },
		set: func(ev *Event, s string, _ clock.Time) error {
			n, err := strconv.Atoi(s)
			if err != nil || !slices.Contains(graph.FaultStatuses, n) {
				return fmt.Errorf("cannot inject status %q; valid: %v", clip(s), graph.FaultStatuses)
			}
			ev.Status = n
			return nil
		}},
	"retryAfter": {re: `(.+)`,
		get: func(ev *Event) string {
			if ev.RetryAfter <= 0 {
				return ""
			}
			return Duration(ev.RetryAfter)
		},
		set: func(ev *Event, s string, _ clock.Time) error {
			d, err := ParseDuration(s)
			if err != nil {
				return err
			}
			if d < time.Second || d%time.Second != 0 || d > 24*time.Hour {
				return fmt.Errorf("Retry-After %q: Graph sends whole seconds, 1 s to a day", clip(s))
			}
			ev.RetryAfter = d
			return nil
		}},
	"indicator": {re: `((?i:noNetwork|connectionError|authenticationFailed|newActivity))`,
		get: func(ev *Event) string { return string(ev.Indicator) },
		set: func(ev *Event, s string, _ clock.Time) error {
			switch ev.Indicator = teams.ParseIndicator(s); ev.Indicator {
			case teams.NoNetwork, teams.ConnectionError, teams.AuthenticationFailed, teams.NewActivity:
			default:
				return fmt.Errorf("unknown indicator %q; valid: noNetwork, connectionError, authenticationFailed, newActivity", clip(s))
			}
			return nil
		}},
}

// ParseLocation reads a work place as people say it: Graph's names
// (office, remote, timeOff, unspecified) or "the office", "home" and
// "time off".
func ParseLocation(s string) (teams.WorkLocationType, error) {
	switch strings.ToLower(s) {
	case "the office":
		return teams.WorkOffice, nil
	case "home":
		return teams.WorkRemote, nil
	case "time off":
		return teams.WorkTimeOff, nil
	}
	return teams.ParseWorkLocationType(s)
}

func person(i int) *field {
	return &field{re: `(\w+)`,
		get: func(ev *Event) string {
			if i < len(ev.Users) {
				return ev.Users[i]
			}
			return ""
		},
		set: func(ev *Event, s string, _ clock.Time) error {
			if err := checkNames([]string{s}); err != nil {
				return err
			}
			for len(ev.Users) <= i {
				ev.Users = append(ev.Users, "")
			}
			ev.Users[i] = s
			return nil
		}}
}

// maxPeople bounds the people one input names.
const maxPeople = 100

func setPeople(ev *Event, names []string) error {
	if len(names) < 2 || len(names) > maxPeople {
		return fmt.Errorf("a call has 2 to %d people, not %d", maxPeople, len(names))
	}
	ev.Users = names
	return checkNames(names)
}

func checkNames(ns []string) error {
	for _, n := range ns {
		if n == "" || len(n) > 64 {
			return fmt.Errorf("a person's name of 1 to 64 characters, not %q", clip(n))
		}
	}
	return nil
}

var hhmmRe = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)

func parseHHMM(s string) (time.Duration, error) {
	m := hhmmRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("malformed time %q; write hh:mm, e.g. 09:30", clip(s))
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if h > 23 || mi > 59 {
		return 0, fmt.Errorf("malformed time %q: hours 0-23, minutes 0-59", clip(s))
	}
	return time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute, nil
}

// clockOfDay is a time of the current day (a calendar entry's start or end).
func clockOfDay(at func(*Event) *clock.Time) *field {
	return &field{re: `(\d{1,2}:\d{2})`,
		get: func(ev *Event) string { return hhmm(time.Duration(*at(ev))) },
		set: func(ev *Event, s string, now clock.Time) error {
			d, err := parseHHMM(s)
			*at(ev) = clock.At(now.Day(), 0, 0).Add(d)
			return err
		}}
}

// timeOfDay is a time of any day (working hours).
func timeOfDay(at func(*Event) *time.Duration) *field {
	return &field{re: `(\d{1,2}:\d{2})`,
		get: func(ev *Event) string { return hhmm(*at(ev)) },
		set: func(ev *Event, s string, _ clock.Time) (err error) {
			*at(ev), err = parseHHMM(s)
			return err
		}}
}

// hhmm prints the time of day, as the steps read it.
func hhmm(d time.Duration) string {
	d %= 24 * time.Hour
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// pbxLabels are the PBX's default names of its user states, as the desk
// phone and the steps say them.
var pbxLabels = pbx.New(sim.MustNew(1)).Labels()

func article(w string) string {
	if strings.IndexByte("aeiou", w[0]) >= 0 {
		return "an"
	}
	return "a"
}

var durationRe = regexp.MustCompile(`^(\d+|an?|one)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d|weeks?|w)$`)

// maxDuration bounds a duration read from a phrase or a body.
const maxDuration = 365 * 24 * time.Hour

// ParseDuration reads a duration as Duration writes it ("10 minutes", "an
// hour", "2 days"), singular or plural, short ("90 s", "5 min", "24 h") or
// as a Go duration ("1h30m"), up to a year.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	var d time.Duration
	if m := durationRe.FindStringSubmatch(in); m != nil {
		unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[m[2][0]]
		n := 1
		if m[1][0] >= '0' && m[1][0] <= '9' {
			var err error
			if n, err = strconv.Atoi(m[1]); err != nil || n > int(maxDuration/unit) {
				return 0, fmt.Errorf("duration %q is longer than a year", clip(s))
			}
		}
		d = time.Duration(n) * unit
	} else if g, err := time.ParseDuration(in); err == nil && g >= 0 {
		d = g
	} else {
		return 0, fmt.Errorf("malformed duration %q; write e.g. \"10 minutes\", \"2 hours\", \"1 day\", \"90 seconds\" or \"1h30m\"", clip(s))
	}
	if d > maxDuration {
		return 0, fmt.Errorf("duration %q is longer than a year", clip(s))
	}
	return d, nil
}

// Duration prints d the way the step language reads it.
func Duration(d time.Duration) string {
	unit, n := "minute", int(d/time.Minute)
	switch {
	case d%time.Minute != 0:
		unit, n = "second", int(d/time.Second)
	case d%(24*time.Hour) == 0:
		unit, n = "day", int(d/(24*time.Hour))
	case d%time.Hour == 0:
		unit, n = "hour", int(d/time.Hour)
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// JoinNames writes people as the steps read them: "alice", "alice and
// bob", "alice, bob and carol".
func JoinNames(n []string) string {
	switch len(n) {
	case 0:
		return ""
	case 1:
		return n[0]
	}
	return strings.Join(n[:len(n)-1], ", ") + " and " + n[len(n)-1]
}

// SplitNames reads "alice", "alice and bob", "alice, bob and carol".
func SplitNames(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, " and ", ","), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func clip(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// template is a row's phrase, compiled.
type template struct {
	parts   []part
	pattern string   // the step pattern, anchored
	groups  []string // the field of each group of the pattern
	// re is compiled on first use: only Parse needs it, and sixty
	// compiled patterns would weigh on every program's heap
	re func() *regexp.Regexp
}

type part struct {
	text     string // literal text, or the first of the alternatives
	field    string // a placeholder
	optional []part // [ … ]
}

func compile(src string) (*template, error) {
	t := &template{}
	parts, rest, err := t.parse(src, false)
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return nil, fmt.Errorf("phrase %q: unbalanced ]", src)
	}
	t.parts = parts
	var b strings.Builder
	b.WriteString("^")
	t.writePattern(&b, parts)
	b.WriteString("$")
	t.pattern = b.String()
	if _, err := syntax.Parse(t.pattern, syntax.Perl); err != nil {
		return nil, err
	}
	t.re = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(t.pattern) })
	return t, nil
}

func (t *template) parse(s string, inner bool) ([]part, string, error) {
	var out []part
	for s != "" {
		switch s[0] {
		case '{':
			end := strings.IndexByte(s, '}')
			if end < 0 || fields[s[1:end]] == nil {
				return nil, "", fmt.Errorf("unknown field in %q", s)
			}
			out = append(out, part{field: s[1:end]})
			s = s[end+1:]
		case '<':
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return nil, "", fmt.Errorf("unbalanced < in %q", s)
			}
			alts := strings.Split(s[1:end], "|")
			out = append(out, part{text: alts[0], field: "|" + s[1:end]})
			s = s[end+1:]
		case '[':
			sub, rest, err := t.parse(s[1:], true)
			if err != nil {
				return nil, "", err
			}
			if rest == "" || rest[0] != ']' {
				return nil, "", fmt.Errorf("unbalanced [ in %q", s)
			}
			out = append(out, part{optional: sub})
			s = rest[1:]
		case ']':
			if !inner {
				return nil, "", fmt.Errorf("unbalanced ] in %q", s)
			}
			return out, s, nil
		default:
			end := strings.IndexAny(s, "{<[]")
			if end < 0 {
				end = len(s)
			}
			out = append(out, part{text: s[:end]})
			s = s[end:]
		}
	}
	return out, "", nil
}

func (t *template) writePattern(b *strings.Builder, parts []part) {
	for _, p := range parts {
		switch {
		case p.optional != nil:
			b.WriteString("(?:")
			t.writePattern(b, p.optional)
			b.WriteString(")?")
		case strings.HasPrefix(p.field, "|"):
			alts := strings.Split(p.field[1:], "|")
			for i := range alts {
				alts[i] = regexp.QuoteMeta(alts[i])
			}
			b.WriteString("(?:" + strings.Join(alts, "|") + ")")
		case p.field != "":
			b.WriteString(fields[p.field].re)
			t.groups = append(t.groups, p.field)
		default:
			b.WriteString(regexp.QuoteMeta(p.text))
		}
	}
}

// render writes the parts; an optional part with an unset field is left
// out.
func render(b *strings.Builder, parts []part, ev *Event) bool {
	for _, p := range parts {
		switch {
		case p.optional != nil:
			var sub strings.Builder
			if render(&sub, p.optional, ev) {
				b.WriteString(sub.String())
			}
		case p.field != "" && !strings.HasPrefix(p.field, "|"):
			v := fields[p.field].get(ev)
			if v == "" {
				return false
			}
			if fields[p.field].re[0] == '"' {
				v = strconv.Quote(v)
			}
			b.WriteString(v)
		default:
			b.WriteString(p.text)
		}
	}
	return true
}

// jsonKey is the JSON key of the placeholder.
func jsonKey(placeholder string) string {
	if k := fields[placeholder].key; k != "" {
		return k
	}
	return placeholder
}

// fieldsOf lists the fields the template names.
func fieldsOf(parts []part, out []string) []string {
	for _, p := range parts {
		switch {
		case p.optional != nil:
			out = fieldsOf(p.optional, out)
		case p.field != "" && !strings.HasPrefix(p.field, "|"):
			out = append(out, p.field)
		}
	}
	return out
}

// Phrase is the event in the step language, "" for Wait.
func (ev Event) Phrase() string {
	if ev.Op >= NumOps || rows[ev.Op].tmpl == nil {
		return ""
	}
	var b strings.Builder
	render(&b, rows[ev.Op].tmpl.parts, &ev)
	return b.String()
}

// Pattern is the step pattern that reads the op's phrase.
func (o Op) Pattern() string {
	if o >= NumOps || rows[o].tmpl == nil {
		return ""
	}
	return rows[o].tmpl.pattern
}

// FromGroups builds the op's event from the groups its pattern matched, in
// order, at time now (for the times of the current day).
func (o Op) FromGroups(groups []string, now clock.Time) (Event, error) {
	ev := Event{Op: o}
	t := rows[o].tmpl
	if t == nil || len(groups) != len(t.groups) {
		return ev, fmt.Errorf("%s: %d parts for %d fields", rows[o].json, len(groups), len(t.groups))
	}
	for i, g := range groups {
		if g == "" {
			continue // an optional part left out
		}
		if err := fields[t.groups[i]].set(&ev, g, now); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

// Parse reads a phrase of the step language as the event it says, at time
// now.
func Parse(s string, now clock.Time) (Event, error) {
	for o := range rows {
		t := rows[o].tmpl
		if t == nil {
			continue
		}
		if m := t.re().FindStringSubmatch(s); m != nil {
			return Op(o).FromGroups(m[1:], now)
		}
	}
	return Event{}, fmt.Errorf("%q is no input to a world", clip(s))
}
