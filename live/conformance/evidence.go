package conformance

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

// Evidence bounds: the violations a failure shows the wire for, the lines
// of each, and the stretch of virtual time around a violation they come
// from.
const (
	MaxEvidence      = 3
	MaxEvidenceLines = 8
	EvidenceBefore   = 2 * time.Minute
	EvidenceAfter    = 5 * time.Second
)

// WireHeader starts the wire-log excerpt in a failure message; a report
// reads the excerpt from there.
const WireHeader = "wire log excerpt:"

// Evidence is the wire-log excerpt that decided the violations: for each
// of the first MaxEvidence distinct rules, the connector's requests about
// the user around the violation (and, for a two-way sync, the XPhone
// server's changes), one a line. The caller must not hold the world.
func (s *Session) Evidence(vs []Violation) string {
	if len(vs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(WireHeader + "\n")
	_ = s.lw.Do(func(*sim.World) error {
		ids := map[string]string{}
		for _, u := range s.w.Teams.Users() {
			d := s.w.Teams.Dir(u)
			ids[d.Name] = strings.ToLower(d.ID)
		}
		seen := map[string]bool{}
		for _, v := range vs {
			if seen[v.Rule] || len(seen) >= MaxEvidence {
				continue
			}
			seen[v.Rule] = true
			fmt.Fprintf(&b, "  %s at %s:\n", v.Rule, v.At)
			for _, line := range s.excerpt(ids[v.User], v.User, v.At) {
				b.WriteString("    " + line + "\n")
			}
		}
		return nil
	})
	return strings.TrimRight(b.String(), "\n")
}

// excerpt lists the requests (about the user, when one is named) from
// EvidenceBefore to EvidenceAfter around t, the last MaxEvidenceLines.
func (s *Session) excerpt(id, user string, t clock.Time) []string {
	var lines []string
	for _, c := range s.wire.Calls() {
		if c.AppID != s.App.AppID || c.At < t.Add(-EvidenceBefore) || c.At > t.Add(EvidenceAfter) {
			continue
		}
		if id != "" && c.Target != "" && !strings.EqualFold(c.Target, id) {
			continue
		}
		line := fmt.Sprintf("%s %s %s %s", c.At, c.Method, c.Path, c.Action)
		if c.Availability != "" || c.Activity != "" {
			line += " " + c.PairText()
		}
		if c.HasSession {
			line += " sessionId=" + c.SessionID
		}
		lines = append(lines, fmt.Sprintf("%s → %d", line, c.Status))
	}
	if user != "" {
		lines = append(lines, s.xphoneExcerpt(user, t)...)
	}
	if len(lines) > MaxEvidenceLines {
		lines = append([]string{fmt.Sprintf("… (%d earlier)", len(lines)-MaxEvidenceLines)}, lines[len(lines)-MaxEvidenceLines:]...)
	}
	if len(lines) == 0 {
		lines = []string{"(no request of the connector near this time)"}
	}
	return lines
}
