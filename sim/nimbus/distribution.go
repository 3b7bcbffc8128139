package nimbus

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim/presence"
)

// Column is one line of a service's Conversations Distribution setting: the
// five presence groups the setting names (NB-2).
type Column uint8

// The columns of the Conversations Distribution setting, in the order of the
// seed's tables.
const (
	ColAvailable Column = iota
	ColBusy
	ColDoNotDisturb
	ColAway
	ColOffline
	numColumns
)

// columnNames are the words of the seed's tables; the asterisk marks the
// groups a service may opt in to.
var columnNames = [numColumns]string{"Available", "Busy *", "Do not Disturb", "Away *", "Offline"}

func (c Column) String() string {
	if c < numColumns {
		return columnNames[c]
	}
	return fmt.Sprintf("Column(%d)", c)
}

// Columns lists the columns in the seed's order.
func Columns() []Column { return []Column{ColAvailable, ColBusy, ColDoNotDisturb, ColAway, ColOffline} }

// Grouping is one row of the table that puts a Teams availability into a
// column of the distribution setting, with the rule that says so.
type Grouping struct {
	Availability presence.Availability
	Column       Column
	Rule         string
}

// Groupings puts every availability into a column. BeRightBack shares the
// Away line, as Luware's "Away / Appear Away / BRB" groups them; the idle
// variants fall under their base, as the federated level projects them
// (T-FED-1); an unknown presence is treated as Offline.
var Groupings = []Grouping{
	{presence.Available, ColAvailable, "NB-2"},
	{presence.AvailableIdle, ColAvailable, "NB-2, T-FED-1"},
	{presence.Busy, ColBusy, "NB-2"},
	{presence.BusyIdle, ColBusy, "NB-2, T-FED-1"},
	{presence.DoNotDisturb, ColDoNotDisturb, "NB-2"},
	{presence.Away, ColAway, "NB-2"},
	{presence.BeRightBack, ColAway, "NB-2 (decided: BeRightBack counts as Away)"},
	{presence.Offline, ColOffline, "NB-2"},
	{presence.AvailabilityUnknown, ColOffline, "NB-2 (decided: PresenceUnknown counts as Offline)"},
}

// ColumnOf returns the column an availability falls in and the rule.
func ColumnOf(a presence.Availability) (Column, string) {
	for _, g := range Groupings {
		if g.Availability == a {
			return g.Column, g.Rule
		}
	}
	return ColOffline, "NB-2"
}

// Blocking is one activity that keeps an agent from every call whatever the
// distribution setting says, with its rule.
type Blocking struct {
	Activity presence.Activity
	Rule     string
}

// BlockingActivities are the activities Nimbus never distributes to (NB-4).
// They can only be seen through presence accounts: federation shows the
// user-configured level, where "In a call" reads as plain Busy (NB-3).
var BlockingActivities = []Blocking{
	{presence.InACall, "NB-4"},
	{presence.InAConferenceCall, "NB-4"},
}

// Distribution is a service's Conversations Distribution setting: per
// column, whether conversations are distributed to the user (NB-2).
type Distribution [numColumns]bool

// The two examples of seed 003.
var (
	// BusyDistributed is the first table: Available and Busy distributed.
	BusyDistributed = Distribution{ColAvailable: true, ColBusy: true}
	// AvailableOnly is the second table: only Available distributed.
	AvailableOnly = Distribution{ColAvailable: true}
)

// Allows reports whether the setting distributes to an agent of the given
// availability, and the rule of the grouping used.
func (d Distribution) Allows(a presence.Availability) (bool, Column, string) {
	c, rule := ColumnOf(a)
	return d[c], c, rule
}

// String prints the setting as the seed's words, one column after another.
func (d Distribution) String() string {
	parts := make([]string, numColumns)
	for c := range numColumns {
		parts[c] = columnNames[c] + ": " + decisionWords[boolIndex(d[c])]
	}
	return strings.Join(parts, "; ")
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// decisionWords are the seed's words for a column's decision.
var decisionWords = [2]string{"NOT distributed to the user", "Distributed to the user"}

// DecisionWords returns the seed's words for a decision.
func DecisionWords(distributed bool) string { return decisionWords[boolIndex(distributed)] }

// ParseColumn reads a column name as the seed writes it ("● Busy *",
// "Do not Disturb", "Ⓞ Offline") or as Graph writes the availability
// ("DoNotDisturb", "BeRightBack" is not a column of its own).
func ParseColumn(s string) (Column, error) {
	k := normColumn(s)
	for c, n := range columnNames {
		if k == normColumn(n) {
			return Column(c), nil
		}
	}
	return 0, fmt.Errorf("unknown Conversations Distribution line %q; valid: %s", s, strings.Join(columnNames[:], ", "))
}

func normColumn(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "●Ⓞ○• ")
	s = strings.TrimRight(s, "* ")
	s = strings.ToLower(s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '-' || r == '_' }), "")
}

// ParseDecision reads "Distributed to the user" or "NOT distributed to the
// user" (any case; "distributed" and "not distributed" for short).
func ParseDecision(s string) (bool, error) {
	k := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	switch k {
	case "distributed to the user", "distributed":
		return true, nil
	case "not distributed to the user", "not distributed":
		return false, nil
	}
	return false, fmt.Errorf("unknown distribution decision %q; valid: %q, %q", s, decisionWords[1], decisionWords[0])
}

// ParseDistribution reads a setting from rows of (column, decision). Every
// column must be named exactly once.
func ParseDistribution(rows [][2]string) (Distribution, error) {
	var d Distribution
	var seen [numColumns]bool
	for _, r := range rows {
		c, err := ParseColumn(r[0])
		if err != nil {
			return d, err
		}
		if seen[c] {
			return d, fmt.Errorf("Conversations Distribution names %q twice", columnNames[c])
		}
		v, err := ParseDecision(r[1])
		if err != nil {
			return d, fmt.Errorf("%s: %w", columnNames[c], err)
		}
		seen[c], d[c] = true, v
	}
	var missing []string
	for c := range numColumns {
		if !seen[c] {
			missing = append(missing, columnNames[c])
		}
	}
	if len(missing) > 0 {
		return d, fmt.Errorf("Conversations Distribution lacks %s; name all of: %s", strings.Join(missing, ", "), strings.Join(columnNames[:], ", "))
	}
	return d, nil
}
