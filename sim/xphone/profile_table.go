package xphone

import (
	"fmt"
	"strings"

	p "github.com/presencesim/presencesim/sim/presence"
)

// profileColumns are the headers a table of profiles has, in the server's
// German or in English.
var profileColumns = map[string]string{
	"profil": "name", "profile": "name", "name": "name",
	"präsenzstatus": "presence", "presence": "presence",
	"rufumleitung": "forwarding", "call forwarding": "forwarding",
}

// ParseProfiles reads a table of profiles as the admin console lists them:
// a header row | Profil | Präsenzstatus | Rufumleitung | (or in English),
// then a profile a row, "-" for no forwarding.
func ParseProfiles(rows [][]string) ([]Profile, error) {
	if len(rows) < 2 {
		return nil, fmt.Errorf("give the profiles as a table with a header: | Profil | Präsenzstatus | Rufumleitung |")
	}
	cols := make([]string, len(rows[0]))
	for i, c := range rows[0] {
		k, ok := profileColumns[strings.ToLower(strings.TrimSpace(c))]
		if !ok {
			return nil, fmt.Errorf("unknown profile column %q; valid: Profil (profile), Präsenzstatus (presence), Rufumleitung (call forwarding)", c)
		}
		cols[i] = k
	}
	var list []Profile
	for n, row := range rows[1:] {
		if len(row) != len(cols) {
			return nil, fmt.Errorf("profile row %d has %d cells, the header %d", n+1, len(row), len(cols))
		}
		var pr Profile
		for i, c := range row {
			v := strings.TrimSpace(c)
			switch cols[i] {
			case "name":
				pr.Name = v
			case "presence":
				pp, err := p.Parse(v)
				if err != nil {
					return nil, err
				}
				pr.Presence = pp
			case "forwarding":
				if v != "-" {
					pr.Forwarding = v
				}
			}
		}
		list = append(list, pr)
	}
	return list, nil
}
