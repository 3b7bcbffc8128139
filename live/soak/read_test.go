package soak

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/trace"
)

var (
	available = presence.Of(presence.Available, presence.ActAvailable)
	inACall   = presence.Of(presence.Busy, presence.InACall)
	inMeeting = presence.Of(presence.Busy, presence.InAMeeting)
	away      = presence.Of(presence.Away, presence.ActAway)
	offline   = presence.Of(presence.Offline, presence.ActOffline)
)

func TestKindOfChange(t *testing.T) {
	for _, c := range []struct {
		before, after presence.Presence
		want          readKind
	}{
		{available, inACall, CallSeen},
		{available, presence.Of(presence.Busy, presence.InAConferenceCall), CallSeen},
		{inACall, available, CallEndedSeen},
		{inACall, inMeeting, CallEndedSeen},
		{available, inMeeting, MeetingSeen},
		{available, presence.Of(presence.DoNotDisturb, presence.Presenting), MeetingSeen},
		{away, offline, SignOutSeen},
		{available, away, ChangeSeen},
	} {
		if got := kindOfChange(c.before, c.after); got != c.want {
			t.Errorf("%s → %s is %q, want %q", c.before, c.after, got, c.want)
		}
	}
}

// readWorld is a world of two people, alice and bob, and a tracker of
// them measuring 09:00–10:00.
func readWorld(t *testing.T) (*readTracker, [2]string) {
	t.Helper()
	w, err := sim.New(1, teams.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	var users []teams.UserID
	var ids [2]string
	for i, name := range []string{"alice", "bob"} {
		u, err := w.AddUser(name, "")
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
		ids[i] = w.Teams.Dir(u).ID
	}
	return newReadTracker(w, users, clock.At(1, 9, 0), clock.At(1, 10, 0), 10*time.Minute), ids
}

func change(at clock.Time, user string, before, after presence.Presence) trace.Entry {
	return trace.Entry{At: at, Kind: trace.PresenceChange, User: user, Source: "desktop", Before: before, After: after}
}

func seen(at clock.Time, id string, p presence.Presence, seq string) conformance.View {
	return conformance.View{At: at, ID: strings.ToUpper(id), Availability: p.Availability.String(), Activity: p.Activity.String(), SequenceNumber: seq}
}

// The tracker pairs each change of Teams presence with the reader's first
// view that shows it, and tells changes superseded, never seen, and views
// that went back to an older presence (C-8).
func TestReadTrackerPairsChangesWithViews(t *testing.T) {
	tr, ids := readWorld(t)
	at := func(h, m, s int) clock.Time { return clock.At(1, h, m).Add(time.Duration(s) * time.Second) }
	initial := tr.people[0].truth
	// the warm-up: the reader shows both as Teams does
	tr.view(seen(at(8, 50, 0), ids[0], initial, "A01"))
	tr.view(seen(at(8, 50, 0), ids[1], initial, "A01"))
	tr.Fire(at(9, 0, 0), clock.Event{})
	if tr.open != 0 {
		t.Fatalf("%d changes open at the start, though the reader showed everyone right", tr.open)
	}
	// alice's call is seen 4 s later, after a view of something else
	tr.entry(change(at(9, 1, 0), "alice", initial, inACall))
	tr.view(seen(at(9, 1, 2), ids[0], away, "A02"))
	tr.view(seen(at(9, 1, 4), ids[0], inACall, "A03"))
	// bob's meeting is over before the reader sees it; his next change
	// is seen; only the out-of-office flag changing is no change to see
	tr.entry(change(at(9, 2, 0), "bob", initial, inMeeting))
	tr.entry(change(at(9, 2, 5), "bob", inMeeting, available))
	tr.view(seen(at(9, 2, 15), ids[1], available, "A03"))
	flagged := available
	flagged.OutOfOffice = true
	tr.entry(change(at(9, 3, 0), "bob", available, flagged))
	// then the reader goes back to an older view of alice (C-8) and is
	// right again 20 s later
	tr.view(seen(at(9, 4, 0), ids[0], away, "A02"))
	tr.view(seen(at(9, 4, 20), ids[0], inACall, "A03"))
	// alice's call ends and the reader never sees it
	tr.entry(change(at(9, 5, 0), "alice", inACall, available))

	res := &Result{}
	tr.fill(Config{Start: at(9, 0, 0), End: at(10, 0, 0), Bucket: 10 * time.Minute}, res)
	want := map[readKind]Figures{
		CallSeen:      {Changes: 1, Carried: 1, P50: 4 * time.Second, Max: 4 * time.Second},
		MeetingSeen:   {Changes: 1, Superseded: 1},
		ChangeSeen:    {Changes: 1, Carried: 1, P50: 10 * time.Second, Max: 10 * time.Second},
		WentBack:      {Changes: 1, Carried: 1, P50: 20 * time.Second, Max: 20 * time.Second},
		CallEndedSeen: {Changes: 1, Never: 1},
	}
	for k := range numReadKinds {
		f, w := res.Staleness[k], want[k]
		w.Kind, w.P95, w.P99 = k.String(), w.P50, w.P50
		if f != w {
			t.Errorf("%s:\n got  %+v\n want %+v", k, f, w)
		}
	}
	if res.Wrong != 1 || res.TeamsChanges != 4 || res.Views != 5 {
		t.Errorf("%d wrong views, %d Teams changes, %d views; want 1, 4 and 5", res.Wrong, res.TeamsChanges, res.Views)
	}
	if len(res.Buckets) == 0 || res.Buckets[0].Changes != 5 || res.Buckets[0].Carried != 3 {
		t.Errorf("the first bucket holds %+v, want 5 changes, 3 carried", res.Buckets)
	}
}

// A reader that shows someone wrong at the start has a change to carry
// from the start; one it never showed too.
func TestReadTrackerArmsWithWhatTheReaderGotWrong(t *testing.T) {
	tr, ids := readWorld(t)
	tr.view(seen(clock.At(1, 8, 55), ids[0], inMeeting, "A01"))
	tr.Fire(clock.At(1, 9, 0), clock.Event{})
	if tr.open != 2 || tr.kinds[ChangeSeen].changes != 2 {
		t.Fatalf("%d changes open at the start, want 2: alice shown wrong, bob never shown", tr.open)
	}
	tr.view(seen(clock.At(1, 9, 0).Add(3*time.Second), ids[1], tr.people[1].truth, "A01"))
	if tr.open != 1 || tr.kinds[ChangeSeen].max != 3*time.Second {
		t.Errorf("bob seen after 3 s: %d open, max %s", tr.open, tr.kinds[ChangeSeen].max)
	}
}

// smallReader is a reader's soak small enough for a test: people of a
// tenant for twenty minutes at 300×, about six seconds with the warm-up
// and the drain; under the race detector ten minutes at 60×, twenty
// seconds.
func smallReader(users int, fault connector.Fault) Config {
	cfg := Config{Users: users, Seed: 7, Speed: 300, Start: clock.At(1, 9, 30), End: clock.At(1, 9, 50),
		Warmup: 5 * time.Minute, Drain: 5 * time.Minute, Limit: max(30, ThrottleRequests*users/20000),
		Target: conformance.Target{Integration: "nimbus", Fault: fault}}
	if raceOn {
		cfg.Speed, cfg.End = 60, clock.At(1, 9, 40)
	}
	return cfg
}

// The reference Nimbus reader carries the day's Teams changes into its
// view: a tenant larger than one subscription's 650 ids, so that the rest
// is read in bulk; nearly every change is seen, none is left unseen, no
// view goes back, and the reads stay within Graph's limit scaled to the
// tenant. A reader that takes an older presence after a newer one (C-8)
// shows it in the numbers.
func TestSoakMeasuresTheReferenceReader(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak runs the connector for seconds")
	}
	ref := run(t, smallReader(1000, connector.NoFault))
	var b strings.Builder
	ref.WriteTable(&b)
	t.Log("\n" + b.String())
	if ref.TeamsChanges < 250 || ref.LineChanges != 0 {
		t.Fatalf("ten minutes or more of 1,000 people made %d Teams changes (and %d line changes)", ref.TeamsChanges, ref.LineChanges)
	}
	seenAll, never := 0, 0
	for _, f := range ref.Staleness {
		if f.Carried+f.Superseded+f.Never != f.Changes {
			t.Errorf("%s: %d carried + %d superseded + %d never ≠ %d changes", f.Kind, f.Carried, f.Superseded, f.Never, f.Changes)
		}
		if f.Carried > 0 && !(f.P50 <= f.P95 && f.P95 <= f.P99 && f.P99 <= f.Max) {
			t.Errorf("%s: percentiles out of order: %+v", f.Kind, f)
		}
		seenAll += f.Carried
		never += f.Never
	}
	// A loaded machine delays the reader in wall time, which the speed
	// multiplies: a few changes may be superseded or miss the drain, not
	// one in ten.
	if seenAll*10 < ref.TeamsChanges*9 || never*20 > ref.TeamsChanges {
		t.Errorf("the reference saw %d of %d Teams changes, %d never", seenAll, ref.TeamsChanges, never)
	}
	if ref.Wrong != 0 || ref.Staleness[WentBack].Changes != 0 {
		t.Errorf("the reference reported %d views older than one it had shown", ref.Wrong)
	}
	if ref.Throttled > 0 || ref.PeakWindow >= ref.Limit || ref.Views < ref.TeamsChanges/2 {
		t.Errorf("the reference was throttled %d times, peaked at %d of %d requests per 30 s, reported %d views for %d changes",
			ref.Throttled, ref.PeakWindow, ref.Limit, ref.Views, ref.TeamsChanges)
	}

	bad := run(t, smallReader(100, connector.Rewind))
	b.Reset()
	bad.WriteTable(&b)
	t.Log("\n" + b.String())
	if back := bad.Staleness[WentBack]; bad.Wrong == 0 || back.Changes == 0 {
		t.Errorf("a reader that rewinds reported %d views older than one it had shown, %d went back", bad.Wrong, back.Changes)
	}
}

// A paced reader's day is bounded by steps: the same seed gives the same
// figures, to the request. The notified users are seen within the step
// the notification came in, the users beyond the subscription's 650
// within the reader's poll of them (10 s) and a step.
func TestPacedReaderSameSeedSameFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak runs the connector for seconds")
	}
	cfg := func(seed uint64) Config {
		return Config{Users: 1000, Seed: seed, Step: time.Second, Start: clock.At(1, 9, 30), End: clock.At(1, 9, 40),
			Warmup: 5 * time.Minute, Limit: 75, Target: conformance.Target{Integration: "nimbus"}}
	}
	figures := func(r *Result) string {
		r.Wall, r.FakeP50, r.FakeP99, r.PeakRSS, r.Output = 0, 0, 0, 0, ""
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first, again, other := run(t, cfg(5)), run(t, cfg(5)), run(t, cfg(6))
	var b strings.Builder
	first.WriteTable(&b)
	t.Log("\n" + b.String())
	if first.TeamsChanges < 300 || first.Views < first.TeamsChanges/2 {
		t.Fatalf("ten minutes of 1,000 people made %d Teams changes and %d views", first.TeamsChanges, first.Views)
	}
	if a, b := figures(first), figures(again); a != b {
		t.Errorf("the same seed gave\n%s\nthen\n%s", a, b)
	}
	if a, b := figures(first), figures(other); a == b {
		t.Errorf("seeds 5 and 6 gave the same figures: %s", a)
	}
	for _, f := range first.Staleness {
		if f.Max > 11*time.Second || f.Never > 0 {
			t.Errorf("%s: paced in steps of 1 s, the reference saw changes within %s at the most (want at most its poll of 10 s and a step) and left %d unseen", f.Kind, f.Max, f.Never)
		}
	}
	if first.Wrong > 0 || first.Throttled > 0 || first.PeakWindow >= first.Limit {
		t.Errorf("%d views went back, %d requests throttled, busiest 30 s %d of %d", first.Wrong, first.Throttled, first.PeakWindow, first.Limit)
	}
}
