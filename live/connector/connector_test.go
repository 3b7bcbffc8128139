package connector

import (
	"errors"
	"strings"
	"testing"
	"time"

	pbxapi "github.com/presencesim/presencesim/fakes/pbx"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/presence"
)

func newCloudLink() *cloudLink {
	c := &cloudLink{}
	for i, a := range cloudlink.States {
		c.rank[a] = len(cloudlink.States) - i
	}
	return c
}

// TestComputeFollowsTheTables checks the connector's CloudLink presence
// from PBX snapshots against CL-2, CL-3 and CL-4.
func TestComputeFollowsTheTables(t *testing.T) {
	desk := func(state, dir string) pbxapi.Line {
		return pbxapi.Line{Device: "desk phone", Registered: true, State: state, Direction: dir}
	}
	pres := func(state string) *pbxapi.Presence { return &pbxapi.Presence{State: state} }
	cases := []struct {
		name       string
		user       pbxapi.User
		want       presence.Availability
		withoutDND bool
	}{
		{"idle line", pbxapi.User{Lines: []pbxapi.Line{desk("idle", "")}}, presence.Available, false},
		{"call made (CL-3)", pbxapi.User{Lines: []pbxapi.Line{desk("connected", "made")}}, presence.Busy, false},
		{"ringing in is not taken yet", pbxapi.User{Lines: []pbxapi.Line{desk("ringing", "received")}}, presence.Available, false},
		{"unplugged", pbxapi.User{Lines: []pbxapi.Line{{Device: "desk phone", State: "idle"}}}, presence.Offline, false},
		{"away outranks a call (CL-2)", pbxapi.User{Lines: []pbxapi.Line{desk("connected", "made")}, Presence: pres("away")}, presence.Away, false},
		{"unavailable is DoNotDisturb (CL-4)", pbxapi.User{Lines: []pbxapi.Line{desk("idle", "")}, Presence: pres("unavailable")}, presence.DoNotDisturb, false},
		{"meeting is Busy (CL-4)", pbxapi.User{Presence: pres("meeting")}, presence.Busy, false},
		{"nothing", pbxapi.User{}, presence.AvailabilityUnknown, false},
		{"a call under unavailable shows as Busy in Teams (CL-7)", pbxapi.User{Lines: []pbxapi.Line{desk("connected", "made")}, Presence: pres("unavailable")}, presence.Busy, true},
		{"unavailable alone leaves the line (CL-7)", pbxapi.User{Lines: []pbxapi.Line{desk("idle", "")}, Presence: pres("unavailable")}, presence.Available, true},
		{"Mitel One away without user presence (CL-15)", pbxapi.User{Lines: []pbxapi.Line{desk("idle", "")}, MitelOne: "away"}, presence.Away, false},
	}
	c := newCloudLink()
	for _, tc := range cases {
		if got := c.compute(tc.user, tc.withoutDND); got != tc.want {
			t.Errorf("%s: CloudLink presence %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestParseFault(t *testing.T) {
	for _, f := range Faults() {
		in := f.Info().Integration
		got, err := ParseFault(in, strings.ToUpper(f.String()))
		if err != nil || got != f {
			t.Errorf("ParseFault(%s, %q) = %v, %v", in, f, got, err)
		}
		if len(f.Info().Rules) == 0 {
			t.Errorf("fault %s names no rule it breaks", f)
		}
	}
	if f, err := ParseFault("nimbus", "none"); err != nil || f != NoFault {
		t.Errorf("ParseFault(nimbus, none) = %v, %v", f, err)
	}
	_, err := ParseFault("cloudlink", "sloppy")
	if err == nil || !strings.Contains(err.Error(), "no-refresh") {
		t.Errorf("a bad fault's error does not list the valid ones: %v", err)
	}
	if _, err := ParseFault("cloudlink", "no-renew"); err == nil || !strings.Contains(err.Error(), "cloudlink") {
		t.Errorf("a reader's fault is accepted for CloudLink: %v", err)
	}
	// a name two connectors share is each one's own fault
	for in, want := range map[string]Fault{"cloudlink": NoRefresh, "pbx": PBXNoRefresh} {
		if f, err := ParseFault(in, "no-refresh"); err != nil || f != want {
			t.Errorf("ParseFault(%s, no-refresh) = %v, %v; want %v", in, f, err, want)
		}
	}
	if _, err := ParseFault("cloudlink", "miss-terminated"); err == nil {
		t.Error("the PBX connector's fault miss-terminated is accepted for CloudLink")
	}
}

func TestISODuration(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Minute: "PT5M", time.Hour + 30*time.Second: "PT1H30S", 0: "PT0S", 90 * time.Second: "PT1M30S"} {
		if got := isoDuration(d); got != want {
			t.Errorf("isoDuration(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestReadEnv(t *testing.T) {
	full := Env{Integration: "cloudlink", GraphURL: "http://127.0.0.1:1/v1.0", LoginURL: "http://127.0.0.1:1", TenantID: "t",
		ClientID: "c", ClientSecret: "s", PBXURL: "http://127.0.0.1:2/pbx", TimeScale: 120,
		SIPAddr: "127.0.0.1:5060", SIPUser: "9000", SIPPassword: "pw", GraphLimit: 150}
	vars := map[string]string{}
	for _, kv := range full.Vars() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	got, err := ReadEnv(func(k string) string { return vars[k] })
	if err != nil || got != full {
		t.Fatalf("ReadEnv(Vars()) = %+v, %v; want %+v", got, err, full)
	}
	if got.Real(2*time.Minute) != time.Second {
		t.Errorf("2 min at scale 120 is %s of real time, want 1s", got.Real(2*time.Minute))
	}
	vars[EnvTimeScale] = "fast"
	if _, err := ReadEnv(func(k string) string { return vars[k] }); err == nil || !strings.Contains(err.Error(), EnvTimeScale) {
		t.Errorf("a bad time scale is not refused by name: %v", err)
	}
	_, err = ReadEnv(func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), EnvGraphURL) || !strings.Contains(err.Error(), EnvPBXURL) {
		t.Errorf("missing variables are not named: %v", err)
	}
}

func TestParseSSE(t *testing.T) {
	in := ": comment\n\nretry: 1000\nid: 1\nevent: line\ndata: {\"a\":1}\n\nid: 2\r\ndata: x\r\ndata: y\r\n\r\n: keep-alive\n\n"
	var got []sseEvent
	if err := parseSSE(strings.NewReader(in), func(e sseEvent) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []sseEvent{{ID: "1", Event: "line", Data: `{"a":1}`}, {ID: "2", Data: "x\ny"}}
	if len(got) != len(want) {
		t.Fatalf("got %d events %+v, want %+v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	stop := errors.New("stop")
	if err := parseSSE(strings.NewReader(in), func(sseEvent) error { return stop }); err != stop {
		t.Errorf("the callback's error is not returned: %v", err)
	}
}

// FuzzParseSSE: any stream parses without panicking, and every event it
// yields came from a blank-line-terminated block.
func FuzzParseSSE(f *testing.F) {
	f.Add("id: 1\nevent: line\ndata: {}\n\n")
	f.Add(": keep-alive\n\n")
	f.Add("data\n\ndata:\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		n := 0
		_ = parseSSE(strings.NewReader(s), func(e sseEvent) error {
			n++
			if strings.Contains(e.ID, "\n") {
				t.Fatalf("an id with a newline: %q", e.ID)
			}
			return nil
		})
		if n > strings.Count(s, "\n") {
			t.Fatalf("%d events from %d lines", n, strings.Count(s, "\n"))
		}
	})
}
