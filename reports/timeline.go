package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

// Timeline geometry, in SVG pixels.
const (
	tlLabelW = 170.0
	tlAreaW  = 780.0
	tlTop    = 36.0
	tlLaneH  = 16.0
	tlGap    = 3.0
	tlAxisH  = 20.0
	tlWidth  = tlLabelW + tlAreaW + 12
)

// The axis gives each step a slot: a step that moves time gets a width that
// grows with the logarithm of the time it covers, a step at one instant a
// narrow slot of its own, so scenarios that happen at one instant still show
// their order and long waits do not crush the rest.
type slot struct {
	x0, x1   float64
	t0, t1   clock.Time
	from, to int // the trace entries the step caused
}

func buildAxis(s *Scenario) []slot {
	var ran []Step
	for _, st := range s.Steps {
		if st.Ran {
			ran = append(ran, st)
		}
	}
	if len(ran) == 0 {
		return nil
	}
	start := ran[0].At
	if len(s.Trace) > 0 && s.Trace[0].At < start {
		start = s.Trace[0].At
	}
	slots := make([]slot, len(ran))
	weights := make([]float64, len(ran))
	total := 0.0
	t0, from := start, 0
	for i, st := range ran {
		to := st.TraceLen
		if i == len(ran)-1 && len(s.Trace) > to {
			to = len(s.Trace)
		}
		if to < from {
			to = from
		}
		slots[i] = slot{t0: t0, t1: st.At, from: from, to: to}
		w := 1.0
		if dt := st.At.Sub(t0); dt > 0 {
			w += 1.5 * math.Log2(1+dt.Minutes())
		}
		weights[i] = w
		total += w
		t0, from = st.At, to
	}
	// A tail after the last step shows the state the scenario ended in.
	total += tailWeight
	x := tlLabelW
	for i := range slots {
		slots[i].x0 = x
		x += weights[i] / total * tlAreaW
		slots[i].x1 = x
	}
	return slots
}

// tailWeight is the room after the last step, in slot weights.
const tailWeight = 2.5

// xOf places an entry of slot sl.
func (sl slot) xOf(at clock.Time) float64 {
	dt := sl.t1.Sub(sl.t0)
	if dt <= 0 {
		return sl.x0 + 0.5*(sl.x1-sl.x0)
	}
	f := float64(at.Sub(sl.t0)) / float64(dt)
	f = math.Max(0, math.Min(1, f))
	return sl.x0 + f*(sl.x1-sl.x0)
}

type laneKind uint8

const (
	sourceLane laneKind = iota
	presenceLane
	federatedLane
)

type change struct {
	x    float64
	at   clock.Time
	p    presence.Presence
	on   bool
	what string // the title line
	note string
}

type lane struct {
	user, name string
	kind       laneKind
	changes    []change
	// events are entries that carry only a note (a PBX line going
	// off-hook, a connector's own state): the lane's only content when it
	// has no presence values, else ticks over it.
	events []change
}

// noteOnly tells an entry that says what happened in words only, with no
// presence before or after.
func noteOnly(e trace.Entry) bool {
	return e.Note != "" && e.Before == presence.Unknown && e.After == presence.Unknown
}

// lanes builds a lane per (user, source) from the trace, in order of first
// appearance, and the presence and federated lanes of each user. Sources
// are whatever the trace names, so new integrations need no change here.
func lanes(s *Scenario, slots []slot) []*lane {
	type key struct{ user, src string }
	var users []string
	bySource := map[key]*lane{}
	srcOrder := map[string][]*lane{}
	pres := map[string]*lane{}
	fed := map[string]*lane{}
	addUser := func(u string) {
		if _, ok := pres[u]; ok {
			return
		}
		users = append(users, u)
		pres[u] = &lane{user: u, name: "presence", kind: presenceLane}
		fed[u] = &lane{user: u, name: "federated view", kind: federatedLane}
	}
	for _, sl := range slots {
		for i := sl.from; i < sl.to && i < len(s.Trace); i++ {
			e := s.Trace[i]
			addUser(e.User)
			x := sl.xOf(e.At)
			switch e.Kind {
			case trace.SourceChange:
				k := key{e.User, e.Source}
				l, ok := bySource[k]
				if !ok {
					l = &lane{user: e.User, name: e.Source, kind: sourceLane}
					bySource[k] = l
					srcOrder[e.User] = append(srcOrder[e.User], l)
				}
				if noteOnly(e) {
					l.events = append(l.events, change{x: x, at: e.At, what: entryTitle(e), note: e.Note})
					continue
				}
				on := e.After.Pair() != presence.Of(presence.Offline, presence.ActOffline) && e.After.Pair() != presence.Unknown
				on = on || e.After.OutOfOffice
				l.changes = append(l.changes, change{x: x, at: e.At, p: e.After, on: on, what: entryTitle(e)})
			case trace.PresenceChange:
				pl := pres[e.User]
				if len(pl.changes) == 0 && e.Before != presence.Unknown && x > slots[0].x0 {
					// What the user showed before the first change, Offline
					// mostly: grey from the start, not an empty lane.
					was := fmt.Sprintf("%s presence %s until its first change", slots[0].t0, e.Before.Short())
					pl.changes = append(pl.changes, change{x: slots[0].x0, at: slots[0].t0, p: e.Before, on: true, what: was})
					fed[e.User].changes = append(fed[e.User].changes, change{x: slots[0].x0, at: slots[0].t0, p: teams.FederatedOf(e.Before), on: true, what: was})
				}
				pl.changes = append(pl.changes, change{x: x, at: e.At, p: e.After, on: true, what: entryTitle(e)})
				fp := teams.FederatedOf(e.After)
				fl := fed[e.User]
				if n := len(fl.changes); n == 0 || fl.changes[n-1].p != fp {
					fl.changes = append(fl.changes, change{x: x, at: e.At, p: fp, on: true, what: fmt.Sprintf("%s federated view %s (T-FED-1)", e.At, fp.Short())})
				}
			}
		}
	}
	var out []*lane
	for _, u := range users {
		out = append(out, srcOrder[u]...)
		out = append(out, pres[u], fed[u])
	}
	return out
}

func entryTitle(e trace.Entry) string {
	var b strings.Builder
	b.WriteString(e.At.String())
	b.WriteByte(' ')
	b.WriteString(e.Source)
	b.WriteString(": ")
	if noteOnly(e) {
		b.WriteString(e.Note)
	} else {
		if e.Note != "" {
			b.WriteString(e.Note)
			b.WriteString(", ")
		}
		b.WriteString(e.Before.Short())
		b.WriteString(" → ")
		b.WriteString(e.After.Short())
	}
	if e.Rule != "" {
		b.WriteString(" [")
		b.WriteString(e.Rule)
		b.WriteByte(']')
	}
	return b.String()
}

// Timeline draws the scenario's presence timeline as inline SVG; it is empty
// when the scenario never built a world.
func Timeline(s *Scenario) template.HTML {
	slots := buildAxis(s)
	if len(slots) == 0 {
		return ""
	}
	ls := lanes(s, slots)
	var b strings.Builder
	users := 0
	prev := ""
	for _, l := range ls {
		if l.user != prev {
			users++
			prev = l.user
		}
	}
	height := tlTop + float64(len(ls))*(tlLaneH+tlGap) + float64(users)*(tlLaneH+tlGap) + tlAxisH
	if len(ls) == 0 {
		height += tlLaneH
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="presence timeline of %s">`,
		tlWidth, height, tlWidth, height, esc(s.Title()))
	b.WriteString(`<rect class="tl-bg" x="0" y="0" width="100%" height="100%" fill="#FFFFFF"/>`)
	y := tlTop
	prev = ""
	for _, l := range ls {
		if l.user != prev {
			prev = l.user
			who := l.user
			if who == "" {
				who = "(no user: the integration itself)"
			}
			fmt.Fprintf(&b, `<text class="tl-user" x="4" y="%.1f" font-weight="bold" font-size="12">%s</text>`, y+12, esc(who))
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#E1DFDD"/>`, 0.0, y+tlLaneH+1, tlWidth, y+tlLaneH+1)
			y += tlLaneH + tlGap
		}
		drawLane(&b, l, y)
		y += tlLaneH + tlGap
	}
	if len(ls) == 0 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#605E5C">no presence source changed</text>`, tlLabelW, y+12)
		y += tlLaneH
	}
	drawAxis(&b, slots, y)
	drawMarkers(&b, s, slots, y)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func drawLane(b *strings.Builder, l *lane, y float64) {
	weight := ""
	if l.kind != sourceLane {
		weight = ` font-weight="bold"`
	}
	fmt.Fprintf(b, `<text class="tl-lane" x="14" y="%.1f" font-size="11"%s>%s</text>`, y+12, weight, esc(l.name))
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#F3F2F1"/>`, tlLabelW, y, tlAreaW, tlLaneH)
	end := tlLabelW + tlAreaW
	for i, c := range l.changes {
		x1 := end
		if i+1 < len(l.changes) {
			x1 = l.changes[i+1].x
		}
		w := x1 - c.x
		if !c.on || w <= 0.01 {
			continue
		}
		fmt.Fprintf(b, `<rect class="seg" data-lane="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
			esc(l.kind.String()), c.x, y, w, tlLaneH, Colour(c.p), esc(c.what))
		if c.p.OutOfOffice {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="3" fill="%s"/>`, c.x, y, w, oofColour)
		}
		label := c.p.Short()
		if float64(len(label))*6+6 <= w {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10" fill="%s" pointer-events="none">%s</text>`, c.x+3, y+12, textColour(c.p), esc(label))
		}
	}
	drawEvents(b, l, y)
}

// noteColour fills a lane whose source speaks in notes only.
const noteColour = "#DEECF9"

// drawEvents draws note-only entries: as labelled states on a lane with no
// presence values, else as ticks over its bars.
func drawEvents(b *strings.Builder, l *lane, y float64) {
	end := tlLabelW + tlAreaW
	states := len(l.changes) == 0
	for i, c := range l.events {
		if !states {
			fmt.Fprintf(b, `<path class="event" d="M%.1f %.1fl-3.5 -5h7z" fill="#323130"><title>%s</title></path>`, c.x, y+5, esc(c.what))
			continue
		}
		x1 := end
		if i+1 < len(l.events) {
			x1 = l.events[i+1].x
		}
		w := x1 - c.x
		if w <= 0.01 {
			continue
		}
		fmt.Fprintf(b, `<rect class="seg note" data-lane="source" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#FFFFFF" stroke-width="0.5"><title>%s</title></rect>`,
			c.x, y, w, tlLaneH, noteColour, esc(c.what))
		if float64(len(c.note))*5.5+6 <= w {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10" fill="#201F1E" pointer-events="none">%s</text>`, c.x+3, y+12, esc(c.note))
		}
	}
}

func (k laneKind) String() string {
	switch k {
	case presenceLane:
		return "presence"
	case federatedLane:
		return "federated"
	}
	return "source"
}

func drawAxis(b *strings.Builder, slots []slot, y float64) {
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#8A8886"/>`, tlLabelW, y+2, tlLabelW+tlAreaW, y+2)
	last := -100.0
	tick := func(x float64, t clock.Time) {
		if x-last < 46 {
			return
		}
		last = x
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#8A8886"/><text class="tl-time" x="%.1f" y="%.1f" font-size="10" fill="#323130">%s</text>`,
			x, y+2, x, y+6, x+2, y+15, esc(t.String()))
	}
	tick(slots[0].x0, slots[0].t0)
	for _, sl := range slots {
		if sl.t1 > sl.t0 {
			tick(sl.x1-0.5, sl.t1)
		}
	}
}

// drawMarkers marks each assertion at the end of its step's slot; a failed
// one is a red line over every lane with the failure as its title.
func drawMarkers(b *strings.Builder, s *Scenario, slots []slot, bottom float64) {
	k := 0
	// Numbers closer than a circle's width alternate between two rows.
	lastX := [2]float64{-100, -100}
	for i, st := range s.Steps {
		if !st.Ran {
			continue
		}
		sl := slots[k]
		k++
		if !st.Assertion() {
			continue
		}
		x := sl.x1 - 1.5
		row := 0
		if x-lastX[0] < 17 {
			row = 1
			if x-lastX[1] < 17 {
				row = 0
			}
		}
		lastX[row] = x
		cy := 9.0 + 16*float64(row)
		title := fmt.Sprintf("step %d at %s: %s %s — %s", i+1, st.At, st.Keyword, st.Text, st.Status)
		if st.Status == Failed {
			if st.Message != "" {
				title += "\n" + st.Message
			} else {
				title += "\n" + st.Error
			}
			if st.Why != "" {
				title += "\n\nwhy the model derived this:\n" + st.Why
			}
			fmt.Fprintf(b, `<g class="marker failed"><title>%s</title><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#D13438" stroke-width="2.5"/><circle cx="%.1f" cy="%.1f" r="8" fill="#D13438"/><text x="%.1f" y="%.1f" font-size="10" fill="#FFFFFF" text-anchor="middle">%d</text></g>`,
				esc(title), x, cy+7, x, bottom, x, cy, x, cy+4, i+1)
			continue
		}
		fmt.Fprintf(b, `<g class="marker %s"><title>%s</title><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#605E5C" stroke-dasharray="2,2"/><circle cx="%.1f" cy="%.1f" r="7" fill="#FFFFFF" stroke="#605E5C"/><text x="%.1f" y="%.1f" font-size="9" fill="#323130" text-anchor="middle">%d</text></g>`,
			esc(string(st.Status)), esc(title), x, cy+7, x, bottom, x, cy, x, cy+3.5, i+1)
	}
}

func esc(s string) string { return html.EscapeString(s) }
