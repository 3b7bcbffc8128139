package soak

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/internal/headless"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/sim/clock"
)

// small is a soak small enough for a test: a hundred people for half an
// hour at 300×, about eight seconds with the warm-up and the drain.
func small(fault connector.Fault) Config {
	return Config{Users: 100, Seed: 7, Speed: 300, Start: clock.At(1, 9, 30), End: clock.At(1, 10, 0),
		Target: conformance.Target{Integration: "cloudlink", Fault: fault}}
}

func run(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// The reference CloudLink connector carries the day's line changes: the
// figures add up, nearly every change is carried, none is left open at the
// end, and the requests stay far below Graph's limit. A connector that
// never refreshes its session (C-2) shows it in the numbers: sessions that
// lapse in the middle of calls and stay lapsed. The same seed gives the
// same day, whichever connector carries it.
func TestSoakMeasuresTheReferenceAndAFault(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak runs the connector for seconds")
	}
	ref := run(t, small(connector.NoFault))
	var b strings.Builder
	ref.WriteTable(&b)
	t.Log("\n" + b.String())
	if ref.LineChanges < 50 {
		t.Fatalf("half an hour of 100 people made %d line changes", ref.LineChanges)
	}
	for _, f := range ref.Staleness {
		if f.Carried+f.Superseded+f.Never != f.Changes {
			t.Errorf("%s: %d carried + %d superseded + %d never ≠ %d changes", f.Kind, f.Carried, f.Superseded, f.Never, f.Changes)
		}
		if f.Carried > 0 && !(f.P50 <= f.P95 && f.P95 <= f.P99 && f.P99 <= f.Max) {
			t.Errorf("%s: percentiles out of order: %+v", f.Kind, f)
		}
	}
	started, ended := ref.Staleness[CallStarted], ref.Staleness[CallEnded]
	if started.Carried < started.Changes*3/4 || ended.Carried < ended.Changes*3/4 {
		t.Errorf("the reference carried %d of %d calls started and %d of %d ended", started.Carried, started.Changes, ended.Carried, ended.Changes)
	}
	// A loaded machine delays the connector in wall time, which the speed
	// multiplies: a few changes may miss the drain, not one in twenty.
	if (started.Never+ended.Never)*20 > ref.LineChanges || ref.Throttled > 0 || ref.PeakWindow >= ThrottleRequests || ref.Requests < ref.LineChanges/2 {
		t.Errorf("the reference left %d changes uncarried, was throttled %d times, peaked at %d requests per 30 s, made %d requests for %d changes",
			started.Never+ended.Never, ref.Throttled, ref.PeakWindow, ref.Requests, ref.LineChanges)
	}

	bad := run(t, small(connector.NoRefresh))
	if bad.LineChanges != ref.LineChanges {
		t.Errorf("the same seed made %d line changes, then %d", ref.LineChanges, bad.LineChanges)
	}
	lapsed, refLapsed := bad.Staleness[Lapsed], ref.Staleness[Lapsed]
	if lapsed.Changes <= refLapsed.Changes || lapsed.Carried >= lapsed.Changes {
		t.Errorf("without refreshing, %d sessions lapsed in calls (%d carried again); the reference: %d", lapsed.Changes, lapsed.Carried, refLapsed.Changes)
	}

	// The page a vendor looks at, in a browser, with no script.
	dir := t.TempDir()
	if err := ref.Write(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, JSONFile)); err != nil {
		t.Fatal(err)
	}
	tab := headless.Browser(t, nil)
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+filepath.Join(dir, PageFile))); err != nil {
		t.Fatal(err)
	}
	count := func(js string) int {
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`document.scripts.length`); n != 0 {
		t.Errorf("%d scripts on the page", n)
	}
	if n := count(`document.querySelectorAll("#staleness tr").length`); n != len(ref.Staleness)+1 {
		t.Errorf("the staleness table has %d rows, want %d and a header", n, len(ref.Staleness))
	}
	if n := count(`document.querySelectorAll("svg.plot").length`); n != 2 {
		t.Errorf("%d plots, want staleness and request rate", n)
	}
	if n := count(`[...document.querySelectorAll("svg.plot")[1].querySelectorAll("rect.bar")].filter(r => r.getBBox().height > 0).length`); n == 0 {
		t.Error("the request rate plot draws no bar")
	}
	if n := count(`document.querySelectorAll("svg.plot line.limit").length`); n != 1 {
		t.Error("the request rate plot has no limit line")
	}
}

func TestSoakRefusesWhatItCannotRun(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		err  string
	}{
		{"no people", Config{Speed: 10, Target: conformance.Target{Integration: "cloudlink"}}, "users"},
		{"too many people", Config{Users: MaxUsers + 1, Speed: 10, Target: conformance.Target{Integration: "cloudlink"}}, "users"},
		{"no speed", Config{Users: 10, Target: conformance.Target{Integration: "cloudlink"}}, "speed"},
		{"an empty day", Config{Users: 10, Speed: 10, Start: clock.At(1, 10, 0), End: clock.At(1, 9, 0), Target: conformance.Target{Integration: "cloudlink"}}, "empty"},
		{"a paced two-way sync", Config{Users: 10, Step: time.Second, Target: conformance.Target{Integration: "xphone"}}, "a paced day runs the reference CloudLink connector"},
		{"a SIP fake past its bound", Config{Users: 10, Speed: 10, Target: conformance.Target{Integration: "pbx", SIP: pbxsip.Options{MaxSubscriptions: sipCap(MaxUsers) + 1}}}, "a SIP fake of"},
		{"a paced SIP connector", Config{Users: 10, Step: time.Second, Target: conformance.Target{Integration: "pbx"}}, "paced day runs the reference CloudLink"},
		{"a paced command", Config{Users: 10, Step: time.Second, Target: conformance.Target{Integration: "nimbus", Command: []string{"true"}}}, "paced day runs the reference CloudLink connector or Nimbus reader"},
		{"an unknown one", Config{Users: 10, Speed: 10, Target: conformance.Target{Integration: "fax"}}, "unknown integration"},
		{"no limit", Config{Users: 10, Speed: 10, Limit: -1, Target: conformance.Target{Integration: "cloudlink"}}, "limit"},
	} {
		if _, err := Run(context.Background(), c.cfg); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.err)
		}
	}
}

// A connector that polls every user's presence one request at a time
// shows it in the numbers: it is throttled and carries the day's changes
// later than the reference. The tenant is a hundred people with a limit
// scaled to them (30 requests per 30 s; the reference needs about a
// dozen at its busiest); 120× keeps the limit's window a quarter of a
// second of wall time, which even a loaded machine's polling fills.
func TestSoakShowsPollingOneUserPerRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak runs the connector for seconds")
	}
	cfg := func(f connector.Fault) Config {
		return Config{Users: 100, Seed: 7, Speed: 120, Start: clock.At(1, 9, 30), End: clock.At(1, 9, 50),
			Warmup: 5 * time.Minute, Drain: 10 * time.Minute, Limit: 30,
			Target: conformance.Target{Integration: "cloudlink", Fault: f}}
	}
	ref, bad := run(t, cfg(connector.NoFault)), run(t, cfg(connector.PollEach))
	for _, r := range []*Result{ref, bad} {
		var b strings.Builder
		r.WriteTable(&b)
		t.Log("\n" + b.String())
	}
	if ref.Throttled > 0 || ref.PeakWindow >= ref.Limit {
		t.Fatalf("the reference was throttled %d times, busiest 30 s %d of %d: the limit does not fit the tenant", ref.Throttled, ref.PeakWindow, ref.Limit)
	}
	if bad.Throttled == 0 || bad.Requests < 4*ref.Requests {
		t.Errorf("polling one user per request made %d requests (the reference %d) and was throttled %d times; want many more and throttled",
			bad.Requests, ref.Requests, bad.Throttled)
	}
	if got, was := bad.Staleness[CallEnded].P95, ref.Staleness[CallEnded].P95; got <= was {
		t.Errorf("calls ended reached Teams within %s (p95) when polling, %s for the reference; want later", got, was)
	}
}

// A paced day is bounded by steps, not by the machine: the same seed
// gives the same workload and, for the reference connector in process,
// the same figures, to the request; another seed gives another day.
func TestPacedSoakSameSeedSameFigures(t *testing.T) {
	cfg := func(seed uint64) Config {
		return Config{Users: 200, Seed: seed, Step: time.Second, Start: clock.At(1, 9, 30), End: clock.At(1, 10, 0),
			Target: conformance.Target{Integration: "cloudlink"}}
	}
	figures := func(r *Result) string {
		// what the world and the connector did; the wall time and the
		// fake's answer times and memory are the machine's
		r.Wall, r.FakeP50, r.FakeP99, r.PeakRSS, r.Output = 0, 0, 0, 0, ""
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first, again, other := run(t, cfg(5)), run(t, cfg(5)), run(t, cfg(6))
	if first.LineChanges < 50 || first.Requests < first.LineChanges/2 {
		t.Fatalf("half an hour of 200 people made %d line changes and %d requests", first.LineChanges, first.Requests)
	}
	if a, b := figures(first), figures(again); a != b {
		t.Errorf("the same seed gave\n%s\nthen\n%s", a, b)
	}
	if a, b := figures(first), figures(other); a == b {
		t.Errorf("seeds 5 and 6 gave the same figures: %s", a)
	}
	for _, f := range first.Staleness {
		if f.Max > time.Second || f.Never > 0 {
			t.Errorf("%s: paced in steps of 1 s, the reference carried changes within %s at the most and left %d uncarried", f.Kind, f.Max, f.Never)
		}
	}
}
