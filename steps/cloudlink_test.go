package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
)

// runSuite runs features with seed 1, strict and without colours, each
// scenario's context first passed through adjust when it is not nil, and
// returns godog's status and output.
func runSuite(t *testing.T, name string, adjust func(context.Context) context.Context, opts godog.Options) (int, string) {
	t.Helper()
	var out bytes.Buffer
	opts.Output, opts.Strict, opts.NoColors = &out, true, true
	init := func(sc *godog.ScenarioContext) {
		if adjust != nil {
			sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) { return adjust(ctx), nil })
		}
		Initializer(Options{Seed: 1})(sc)
	}
	st := godog.TestSuite{Name: name, ScenarioInitializer: init, Options: &opts}.Run()
	return st, out.String()
}

// adjusting is the context hook that hands tune to a model's settings
// through with, or nil when tune is nil.
func adjusting[S any](tune func(*S), with func(context.Context, func(*S)) context.Context) func(context.Context) context.Context {
	if tune == nil {
		return nil
	}
	return func(ctx context.Context) context.Context { return with(ctx, tune) }
}

// runCloudLink runs the CloudLink features from disk, with CloudLink's
// settings adjusted by fault when it is not nil, and returns godog's status
// and output.
func runCloudLink(t *testing.T, fault func(*cloudlink.Settings), format string, paths ...string) (int, string) {
	t.Helper()
	if len(paths) == 0 {
		paths = []string{"../features/cloudlink"}
	}
	return runSuite(t, "cloudlink", adjusting(fault, WithCloudLinkSettings), godog.Options{Format: format, Paths: paths, Concurrency: 2})
}

// cucumberResult is the part of godog's cucumber JSON the tests read.
type cucumberResult []struct {
	URI      string `json:"uri"`
	Elements []struct {
		Name  string `json:"name"`
		Steps []struct {
			Name   string `json:"name"`
			Result struct {
				Status string `json:"status"`
				Error  string `json:"error_message"`
			} `json:"result"`
		} `json:"steps"`
	} `json:"elements"`
}

// failures maps each failed scenario's name to its error messages.
func failures(t *testing.T, out string) map[string]string {
	t.Helper()
	var res cucumberResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("cucumber output: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, f := range res {
		for _, e := range f.Elements {
			for _, s := range e.Steps {
				if s.Result.Status == "failed" {
					got[e.Name] += s.Result.Error + "\n"
				}
			}
		}
	}
	return got
}

// withoutGroups runs the rest of the test without the named step groups.
// The test does not run in parallel, so nothing else reads the list.
func withoutGroups(t *testing.T, skip ...string) {
	saved := registrars
	var kept []group
	for _, g := range saved {
		if !slices.Contains(skip, g.name) {
			kept = append(kept, g)
		}
	}
	if len(kept) == len(saved) {
		t.Fatalf("no step group named %v", skip)
	}
	registrars = kept
	t.Cleanup(func() { registrars = saved })
}

// invariantGroup is the step group that checks the invariants after every
// step; it would catch a faulty connector before the seed rows' own steps.
const invariantGroup = "invariants and planted faults"

// TestFaultyCloudLinkIsCaught swaps in faulty connectors and checks the
// features' own steps fail where the fault shows, with messages that point
// at the seed row or rule. The invariant checks, an independent oracle,
// are left out here so the features are judged alone (see
// TestFaultyCloudLinkBreaksInvariant).
func TestFaultyCloudLinkIsCaught(t *testing.T) {
	withoutGroups(t, invariantGroup)
	tests := []struct {
		name  string
		fault func(*cloudlink.Settings)
		// scenario name → texts its failure must mention
		want map[string][]string
		// a scenario that must still pass
		passes string
		// the feature files to run
		files []string
	}{
		{
			name: "pushes Available as a session",
			fault: func(s *cloudlink.Settings) {
				for i, r := range s.SessionTable {
					if r.CloudLink == presence.Available {
						s.SessionTable[i] = cloudlink.SessionRule{CloudLink: presence.Available, Write: true, Presence: presence.Of(presence.Available, presence.ActAvailable), Rule: "CL-8"}
					}
				}
			},
			want: map[string][]string{
				"PBX Verfügbar, user Verfügbar, Teams client Offline": {
					"seed 002 row: PBX-Telefonpräsenz Verfügbar | PBX-Benutzerpräsenz Verfügbar | MS Teams Client-Status Offline",
					"others in Teams see alice as Available", "expected Offline",
				},
				"PBX Verfügbar, user Verfügbar, Teams client Verbunden, inaktiv": {
					"MS Teams Client-Status Verbunden, inaktiv", "expected Abwesend (Away)",
				},
				"CloudLink ends a state with clearPresence, never by writing Available": {"holding Available; expected none", "session rule [CL-8]: Available → session Available"},
			},
			passes: "PBX Besetzt, user Verfügbar, Teams client Offline",
			files:  []string{"seed_table", "sync"},
		},
		{
			name:  "syncs Do not disturb",
			fault: func(s *cloudlink.Settings) { s.SyncDND = true },
			want: map[string][]string{
				"Do not disturb on the PBX is not synced": {"holding DoNotDisturb/Presenting; expected none", "[CL-7]"},
			},
			passes: "PBX Verfügbar, user Besetzt, Teams client Fokus/Präsentieren",
			files:  []string{"seed_table", "sync"},
		},
		{
			name: "ranks Busy above Away",
			fault: func(s *cloudlink.Settings) {
				s.Precedence = []presence.Availability{presence.Busy, presence.Away, presence.DoNotDisturb, presence.Available, presence.Offline, presence.AvailabilityUnknown}
			},
			want: map[string][]string{
				"A call started while Away in Mitel One stays Away": {"Mitel One shows alice as Besetzt, expected Abwesend"},
			},
			passes: "PBX Besetzt, user Verfügbar, Teams client Verbunden, aktiv",
			files:  []string{"seed_table", "notes"},
		},
		{
			name: "takes a ringing call as Busy",
			fault: func(s *cloudlink.Settings) {
				for i, r := range s.LineTable {
					if r.State == pbx.Ringing && r.Dir == pbx.Received {
						s.LineTable[i].Presence = presence.Busy
					}
				}
			},
			want: map[string][]string{
				"A call on any line makes CloudLink Busy, a ringing line does not": {"expected Available (Verfügbar), CloudLink derived Busy (Besetzt)", "[CL-3] ringing"},
			},
			passes: "PBX Besetzt, user Verfügbar, Teams client Offline",
			files:  []string{"seed_table", "notes"},
		},
		{
			name: "maps Besprechung to Available",
			fault: func(s *cloudlink.Settings) {
				for i, r := range s.UserTable {
					if r.State == pbx.StMeeting {
						s.UserTable[i].Presence = presence.Available
					}
				}
			},
			want: map[string][]string{
				"MiVO400 Besetzt oder Meeting is CloudLink Besetzt": {"MiVO400 Meeting gives CloudLink presence Available (Verfügbar), expected Besetzt (CL-4)"},
				"A renamed MiVO400 state keeps its meaning":         {"expected Busy (Besetzt)"},
			},
			passes: "PBX Verfügbar, user Besetzt, Teams client Offline",
			files:  []string{"seed_table", "mappings"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var paths []string
			for _, f := range tc.files {
				paths = append(paths, "../features/cloudlink/"+f+".feature")
			}
			st, out := runCloudLink(t, tc.fault, "cucumber", paths...)
			if st == 0 {
				t.Fatal("the CloudLink features passed with a faulty connector")
			}
			got := failures(t, out)
			for scenario, texts := range tc.want {
				msg, ok := got[scenario]
				if !ok {
					t.Errorf("scenario %q passed with the fault; failed were: %v", scenario, keys(got))
					continue
				}
				for _, w := range texts {
					if !strings.Contains(msg, w) {
						t.Errorf("failure of %q does not mention %q:\n%s", scenario, w, msg)
					}
				}
			}
			if _, failed := got[tc.passes]; failed {
				t.Errorf("scenario %q, untouched by the fault, failed:\n%s", tc.passes, got[tc.passes])
			}
		})
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCloudLinkBadInput runs one bad step per feature: each fails with a
// message naming the problem and the valid choices, and nothing panics.
func TestCloudLinkBadInput(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown_state", []string{`unknown MiVoice Office 400 presence "Urlaub"`, "Verfügbar, Abwesend, Besprechung, Besetzt, Nicht verfügbar"}},
		{"unknown_device", []string{`unknown PBX device "fax machine"`, "desk phone, softphone"}},
		{"unknown_user", []string{`unknown user "zed"`, "alice, bob"}},
		{"missing_line", []string{"alice has no softphone", "the user has: desk phone"}},
		{"bad_transition", []string{"answer on alice's desk phone while it is idle", "possible now: offhook, incoming, unplug"}},
		{"unknown_cloudlink", []string{`unknown CloudLink presence "Im Urlaub"`, "Abwesend (Away)", "Unbekannt (PresenceUnknown)"}},
		{"unknown_client_status", []string{`unknown Teams client status "Verbunden, halb aktiv"`, "Fokus/Präsentieren"}},
		{"unknown_phone_presence", []string{`unknown PBX phone presence "Klingelt"`, "Verfügbar", "Besetzt"}},
		{"bad_email", []string{`"alice-at-contoso" is not an e-mail address`}},
		{"bad_refresh", []string{"refresh interval 10m0s must be positive and shorter than the expiration 10m0s"}},
		{"unknown_mitelone", []string{`unknown Mitel One presence "Mittagspause"`, "Nicht stören"}},
		{"rename_clash", []string{`"Besetzt" is the name of state busy already`}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			st, out := runCloudLink(t, nil, "pretty", "testdata/cloudlink/"+tc.file+".feature")
			if st == 0 {
				t.Fatalf("bad input passed:\n%s", out)
			}
			if strings.Contains(out, "panic") {
				t.Fatalf("bad input panicked:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not mention %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestPBXStepsUnambiguous(t *testing.T) {
	unambiguous(t, "PBX lines and presence", "Mitel CloudLink")
}

// TestFaultyCloudLinkBreaksInvariant: with the invariant checks on, a
// connector that pushes Available fails the features too, naming CL-8.
func TestFaultyCloudLinkBreaksInvariant(t *testing.T) {
	fault := func(s *cloudlink.Settings) {
		for i, r := range s.SessionTable {
			if r.CloudLink == presence.Available {
				s.SessionTable[i] = cloudlink.SessionRule{CloudLink: presence.Available, Write: true, Presence: presence.Of(presence.Available, presence.ActAvailable), Rule: "CL-8"}
			}
		}
	}
	st, out := runCloudLink(t, fault, "cucumber", "../features/cloudlink/notes.feature")
	if st == 0 {
		t.Fatal("the CloudLink features passed with a connector that pushes Available")
	}
	got := failures(t, out)
	if len(got) == 0 {
		t.Fatalf("no failed scenario in:\n%s", out)
	}
	for name, msg := range got {
		if !strings.Contains(msg, "CL-8") {
			t.Errorf("failure of %q does not name CL-8:\n%s", name, msg)
		}
	}
}

// tables reads the Examples tables of a feature file as rows of cells.
func tables(t *testing.T, path string) [][][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][][]string
	var cur [][]string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if cur != nil {
				out, cur = append(out, cur), nil
			}
			continue
		}
		var row []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			row = append(row, strings.TrimSpace(c))
		}
		cur = append(cur, row)
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

// seedLines reads a copy of a table of seed 002, one entry per line.
func seedLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/cloudlink/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// TestSeedTablesVerbatim checks every row of seed 002's three tables,
// header included, is an Examples row of the CloudLink features, word for
// word and in order.
func TestSeedTablesVerbatim(t *testing.T) {
	find := func(file, firstHead string) [][]string {
		for _, tb := range tables(t, "../features/cloudlink/"+file) {
			if tb[0][0] == firstHead {
				return tb
			}
		}
		t.Fatalf("%s has no Examples table headed %q", file, firstHead)
		return nil
	}
	// the 15-row table and the Mitel One table: one row per line
	for _, tc := range []struct{ seed, file, head string }{
		{"seed002_table.txt", "seed_table.feature", "PBX-Telefonpräsenz"},
		{"seed002_mitelone.txt", "mappings.feature", "Mitel One-Präsenzstatus"},
	} {
		want := seedLines(t, tc.seed)
		got := find(tc.file, tc.head)
		if len(got) != len(want) {
			t.Errorf("%s: %d rows, the seed has %d", tc.file, len(got), len(want))
			continue
		}
		for i := range want {
			if g := strings.Join(got[i], " "); g != strings.Join(strings.Fields(want[i]), " ") {
				t.Errorf("%s row %d: %q, the seed has %q", tc.file, i, g, want[i])
			}
		}
	}
	// the MiVO400 table: the seed gives one cell per line
	cells := seedLines(t, "seed002_mivo400.txt")
	got := find("mappings.feature", "CloudLink-Präsenz")
	var flat []string
	for _, r := range got {
		flat = append(flat, r...)
	}
	if strings.Join(flat, "\n") != strings.Join(cells, "\n") {
		t.Errorf("mappings.feature MiVO400 table:\n%q\nthe seed has\n%q", flat, cells)
	}
}
