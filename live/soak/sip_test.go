package soak

import (
	"strings"
	"testing"
	"time"

	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/sim/clock"
)

// smallPBX is a SIP soak at a test's scale: 200 people for twenty minutes
// at 120×, Graph's limit scaled to them (15 of 1,500 for a hundredth of
// 20,000), the SIP fake granting subscriptions of 3 s so that the
// connector refreshes each several times a run.
func smallPBX(sip pbxsip.Options) Config {
	sip.MaxExpires = 3 * time.Second
	return Config{Users: 200, Seed: 7, Speed: 120, Start: clock.At(1, 9, 30), End: clock.At(1, 9, 50),
		Warmup: 10 * time.Minute, Drain: 10 * time.Minute, Limit: 15,
		Target: conformance.Target{Integration: "pbx", SIP: sip}}
}

// The reference PBX connector at a test's scale: every extension watched
// before the day begins within the SIP fake's cap sized from the tenant,
// no subscription let lapse though each lives 3 s, the day's line changes
// reaching it as NOTIFYs and Teams within the drain, within Graph's
// limit. The table reports the cap.
func TestSoakOfThePBXConnector(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak runs the connector for seconds")
	}
	res := run(t, smallPBX(pbxsip.Options{}))
	var b strings.Builder
	res.WriteTable(&b)
	t.Log("\n" + b.String())
	s := res.SIP
	if s == nil {
		t.Fatal("a SIP soak reports nothing of the SIP fake")
	}
	if want := sipCap(res.Users); s.Cap != want || !strings.Contains(b.String(), "of the fake's cap of 300") {
		t.Errorf("the SIP fake's cap is %d, want %d (the people and a margin), printed", s.Cap, want)
	}
	if !s.Warmed || s.Peak < res.Users || s.Peak > s.Cap || s.Refused > 0 || s.Expired > 0 {
		t.Errorf("SIP: %+v; want every one of %d extensions watched before the day, within the cap, none refused, none lapsed", s, res.Users)
	}
	if res.LineChanges < 50 || s.Notifies < uint64(res.LineChanges+res.Users) || s.NotifiesFailed > 0 {
		t.Errorf("%d line changes, %d NOTIFYs (%d failed); want a NOTIFY for each change and each subscription's first", res.LineChanges, s.Notifies, s.NotifiesFailed)
	}
	for _, f := range res.Staleness {
		if f.Carried+f.Superseded+f.Never != f.Changes {
			t.Errorf("%s: %d carried + %d superseded + %d never ≠ %d changes", f.Kind, f.Carried, f.Superseded, f.Never, f.Changes)
		}
	}
	started, ended := res.Staleness[CallStarted], res.Staleness[CallEnded]
	if started.Carried < started.Changes*3/4 || ended.Carried < ended.Changes*3/4 || (started.Never+ended.Never)*20 > res.LineChanges {
		t.Errorf("the reference carried %d of %d calls started and %d of %d ended, %d never", started.Carried, started.Changes,
			ended.Carried, ended.Changes, started.Never+ended.Never)
	}
	// Each line change comes as a NOTIFY of its own: the refresh of a
	// subscription brings the state too, but 1.5 s of wall time (three
	// minutes of the day at 120×) later.
	if bound := 30 * time.Second; started.P95 > bound || ended.P95 > bound {
		t.Errorf("calls started reached Teams within %s (p95), calls ended within %s; want %s at the most", started.P95, ended.P95, bound)
	}
	if res.Throttled > 0 || res.PeakWindow > res.Limit || res.Wrong*20 > res.LineChanges {
		t.Errorf("throttled %d times, busiest 30 s %d of %d, %d wrong writes", res.Throttled, res.PeakWindow, res.Limit, res.Wrong)
	}
}

// A SIP fake smaller than the tenant holds its cap: the connector gets
// no more subscriptions than it allows, is told 503 with Retry-After and
// waits as told (a few refusals, not one for every extension left out
// each time), the table says the extensions were never all watched, and
// the calls of those left out never reach Teams.
func TestSoakHonoursTheSIPCap(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak runs the connector for seconds")
	}
	const cap = 150
	res := run(t, smallPBX(pbxsip.Options{MaxSubscriptions: cap}))
	var b strings.Builder
	res.WriteTable(&b)
	t.Log("\n" + b.String())
	s := res.SIP
	if s == nil || s.Cap != cap || s.Peak != cap || s.Warmed || s.Subscribed != "" || !strings.Contains(b.String(), "watched at never") {
		t.Fatalf("SIP: %+v; want the cap of %d reached and held, the tenant never all watched", s, cap)
	}
	if left := uint64(res.Users - cap); s.Refused == 0 || s.Refused >= left {
		t.Errorf("%d SUBSCRIBEs refused at the cap with %d extensions left out; want some, and fewer than one each (Retry-After)", s.Refused, left)
	}
	never := res.Staleness[CallStarted].Never + res.Staleness[CallEnded].Never
	if never == 0 {
		t.Error("with a quarter of the extensions unwatched every call reached Teams")
	}
}
