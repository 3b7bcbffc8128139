package steps

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// seedExcerpt reads a verbatim excerpt of a seed document.
func seedExcerpt(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/teams/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// featureTable returns the Examples table of features/teams/seed_states.feature
// whose header starts with head.
func featureTable(t *testing.T, head string) [][]string {
	t.Helper()
	for _, tb := range tables(t, "../features/teams/seed_states.feature") {
		if tb[0][0] == head {
			return tb
		}
	}
	t.Fatalf("seed_states.feature has no Examples table headed %q", head)
	return nil
}

var (
	tagRe  = regexp.MustCompile(`<[^>]+>`)
	liRe   = regexp.MustCompile(`<li>(.*?)</li>`)
	paraRe = regexp.MustCompile(`<p>(.*?)</p>`)
)

func cellText(s string) string {
	s = strings.ReplaceAll(tagRe.ReplaceAllString(s, ""), "\u00a0", " ")
	return strings.Join(strings.Fields(strings.TrimLeft(strings.TrimSpace(s), "⊖ ")), " ")
}

// seed003Rows reads seed 003's state table from the excerpt of its text: a
// user-configured state in bold, a tab, the app-configured ones as a list
// (or one paragraph); notes in italics are not cells.
func seed003Rows(t *testing.T) [][]string {
	var rows [][]string
	for _, line := range strings.Split(seedExcerpt(t, "seed003_table.txt"), "\n") {
		left, right, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		user := cellText(left)
		if user == "Benutzerdefiniert" {
			if len(rows) == 0 {
				rows = append(rows, []string{user, cellText(right)})
			}
			continue
		}
		lis := liRe.FindAllStringSubmatch(right, -1)
		switch {
		case len(lis) > 0:
			for _, li := range lis {
				rows = append(rows, []string{user, cellText(li[1])})
			}
		case paraRe.MatchString(right):
			rows = append(rows, []string{user, cellText(paraRe.FindStringSubmatch(right)[1])})
		default:
			rows = append(rows, []string{user, cellText(right)})
		}
	}
	return rows
}

// seed000Rows reads seed 000's state table from the excerpt of its text:
// one cell per paragraph, a row starting at each status name; the short
// cells after it are Aktivierbar, Chat and Call, whichever are filled, and
// the long one Bedeutung.
func seed000Rows(t *testing.T, statuses []string) [][]string {
	paras := strings.Split(seedExcerpt(t, "seed000_table.txt"), "\n\n")
	isStatus := map[string]bool{}
	for _, s := range statuses {
		isStatus[s] = true
	}
	var rows [][]string
	for _, p := range paras {
		c := cellText(p)
		switch {
		case isStatus[c]:
			rows = append(rows, []string{c})
		case len(rows) > 0 && c != "" && len(c) <= 20:
			rows[len(rows)-1] = append(rows[len(rows)-1], c)
		}
	}
	return rows
}

// TestSeedStateTablesVerbatim checks the two Teams state tables of the
// features against the seeds' text, word for word and in order.
func TestSeedStateTablesVerbatim(t *testing.T) {
	t.Run("seed 003", func(t *testing.T) {
		want := seed003Rows(t)
		got := featureTable(t, "Benutzerdefiniert")
		if len(got) != len(want) {
			t.Fatalf("%d rows, the seed has %d:\n%q", len(got), len(want), want)
		}
		for i := range want {
			if strings.Join(got[i], " | ") != strings.Join(want[i], " | ") {
				t.Errorf("row %d: %q, the seed has %q", i, got[i], want[i])
			}
		}
	})
	t.Run("seed 000", func(t *testing.T) {
		text := seedExcerpt(t, "seed000_table.txt")
		header := strings.Fields(strings.SplitN(text, "\n", 2)[0])
		got := featureTable(t, "Status")
		// the feature's columns are the seed's, in its order
		j := 0
		for _, h := range got[0] {
			for j < len(header) && header[j] != h {
				j++
			}
			if j == len(header) {
				t.Fatalf("column %q is not in the seed's header %q, in order", h, header)
			}
		}
		var statuses []string
		for _, r := range got[1:] {
			statuses = append(statuses, r[0])
		}
		want := seed000Rows(t, statuses)
		if len(want) != len(got)-1 {
			t.Fatalf("%d rows, the seed has %d: %q", len(got)-1, len(want), want)
		}
		for i, r := range got[1:] {
			var filled []string
			for _, c := range r {
				if c != "" {
					filled = append(filled, c)
				}
			}
			if strings.Join(filled, " | ") != strings.Join(want[i], " | ") {
				t.Errorf("row %d: %q, the seed has %q", i+1, filled, want[i])
			}
		}
		// every status row of the seed's table is in the feature
		if !strings.Contains(text, "\ninAMeeting") || statuses[len(statuses)-1] != "inAMeeting" {
			t.Errorf("the feature's rows end at %q, the seed's table at inAMeeting", statuses[len(statuses)-1])
		}
	})
}
