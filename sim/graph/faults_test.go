package graph_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/graph"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

var (
	busy  = presence.Of(presence.Busy, presence.InACall)
	away  = presence.Of(presence.Away, presence.ActAway)
	avail = presence.Of(presence.Available, presence.ActAvailable)
)

func world(t testing.TB, seed uint64, names ...string) (*sim.World, []teams.UserID) {
	t.Helper()
	w := sim.MustNew(seed)
	var ids []teams.UserID
	for _, n := range names {
		id, err := w.AddUser(n, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Teams.SignIn(id, teams.Desktop); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return w, ids
}

func status(err error) (int, time.Duration) {
	var ge *graph.Error
	if errors.As(err, &ge) {
		return ge.Status, ge.RetryAfter
	}
	if err != nil {
		return -1, 0
	}
	return 200, 0
}

func TestThrottlePerAppPerTenant(t *testing.T) {
	w, ids := world(t, 1, "alice")
	bob, _ := w.AddUser("bob", "fabrikam")
	w.GraphFaults().SetThrottle(graph.Throttle{Limit: 2, Window: 30 * time.Second})
	g, other := w.Graph("pbx"), w.Graph("other")
	steps := []struct {
		name    string
		seam    graph.Seam
		u       teams.UserID
		advance time.Duration
		status  int
		ra      time.Duration
	}{
		{"first in the window", g, ids[0], 0, 200, 0},
		{"second in the window", g, ids[0], 0, 200, 0},
		{"third is throttled with the time left", g, ids[0], 10 * time.Second, 429, 20 * time.Second},
		{"another app has its own window", other, ids[0], 0, 200, 0},
		{"another tenant has its own window", g, bob, 0, 200, 0},
		{"a new window after 30 s", g, ids[0], 20 * time.Second, 200, 0},
	}
	for _, s := range steps {
		if err := w.Clock.Advance(s.advance); err != nil {
			t.Fatal(err)
		}
		st, ra := status(s.seam.SetPresence(s.u, busy, 5*time.Minute))
		if st != s.status || ra != s.ra {
			t.Errorf("%s: got %d Retry-After %s, want %d Retry-After %s", s.name, st, ra, s.status, s.ra)
		}
	}
	if n := w.GraphFaults().Stats().Throttled; n != 1 {
		t.Errorf("throttled %d requests, want 1", n)
	}
}

func TestInjectedFaults(t *testing.T) {
	cases := []struct {
		name   string
		f      graph.Faults
		status int
		ra     time.Duration
	}{
		{"none", graph.Faults{}, 200, 0},
		{"503 with Retry-After", graph.Faults{ErrorRate: 1, Statuses: []int{503}, RetryAfter: 30}, 503, 30 * time.Second},
		{"429 at least 1 s", graph.Faults{ErrorRate: 1, Statuses: []int{429}}, 429, time.Second},
		{"500 has no Retry-After", graph.Faults{ErrorRate: 1, Statuses: []int{500}, RetryAfter: 30}, 500, 0},
		{"504", graph.Faults{ErrorRate: 1, Statuses: []int{504}}, 504, 0},
	}
	for _, c := range cases {
		w, ids := world(t, 1, "alice")
		if err := w.GraphFaults().SetFaults(c.f); err != nil {
			t.Fatal(err)
		}
		st, ra := status(w.Graph("pbx").SetPresence(ids[0], busy, 5*time.Minute))
		if st != c.status || ra != c.ra {
			t.Errorf("%s: got %d Retry-After %s, want %d Retry-After %s", c.name, st, ra, c.status, c.ra)
		}
		_, _, ok := w.Teams.AppSession(ids[0], w.Teams.App("pbx"))
		if ok != (c.status == 200) {
			t.Errorf("%s: session written %v after status %d", c.name, ok, st)
		}
	}
}

func TestBadFaultsAreRefused(t *testing.T) {
	w, _ := world(t, 1)
	for _, f := range []graph.Faults{
		{ErrorRate: 2, Statuses: []int{503}},
		{ErrorRate: 0.5},
		{ErrorRate: 1, Statuses: []int{404}},
		{RetryAfter: -1},
		{LatencyRate: 1, Latency: -time.Second},
	} {
		if err := w.GraphFaults().SetFaults(f); err == nil {
			t.Errorf("faults %+v were taken", f)
		}
	}
	if err := w.GraphFaults().SetNotifyFaults(7, graph.NotifyFaults{Delay: time.Second}); err == nil {
		t.Error("notification faults about an unknown user were taken")
	}
	if err := w.GraphFaults().SetAllNotifyFaults(graph.NotifyFaults{Delay: 2 * time.Hour}); err == nil {
		t.Error("a notification delay of 2 h was taken")
	}
}

// The draw is the world's seeded stream: the same seed gives the same
// answers, another seed others.
func TestFaultDrawIsSeeded(t *testing.T) {
	draw := func(seed uint64) []int {
		w, ids := world(t, seed, "alice")
		_ = w.GraphFaults().SetFaults(graph.Faults{ErrorRate: 0.5, Statuses: graph.FaultStatuses})
		g := w.Graph("pbx")
		var out []int
		for i := 0; i < 64; i++ {
			_, err := g.Read(ids[0])
			st, _ := status(err)
			out = append(out, st)
		}
		return out
	}
	a, b, c := draw(7), draw(7), draw(8)
	same := func(x, y []int) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Errorf("seed 7 drew %v, then %v", a, b)
	}
	if same(a, c) {
		t.Errorf("seeds 7 and 8 drew the same %v", a)
	}
	served := 0
	for _, s := range a {
		if s == 200 {
			served++
		}
	}
	if served < 16 || served > 48 {
		t.Errorf("%d of 64 served at an error rate of 0.5", served)
	}
}

func TestLatencyDelaysAWriteInVirtualTime(t *testing.T) {
	w, ids := world(t, 1, "alice")
	_ = w.GraphFaults().SetFaults(graph.Faults{LatencyRate: 1, Latency: 20 * time.Second})
	app := w.Teams.App("pbx")
	if err := w.Graph("pbx").SetPresence(ids[0], busy, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := w.Clock.Advance(19 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := w.Teams.AppSession(ids[0], app); ok {
		t.Fatal("the write took effect before its latency of 20 s")
	}
	if err := w.Clock.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	if p, _, ok := w.Teams.AppSession(ids[0], app); !ok || p != busy {
		t.Fatalf("after 20 s the session is %v (%v), want %v", p, ok, busy)
	}
}

type note struct {
	user teams.UserID
	at   time.Duration
	p    presence.Presence
	seq  uint64
}

type recorder2 struct {
	w   *sim.World
	got []note
}

func (r *recorder2) Notified(now clock.Time, n graph.Notification) {
	r.got = append(r.got, note{user: n.Presence.User, at: time.Duration(now), p: n.Presence.Presence, seq: n.Presence.Sequence})
}

// run writes three changes of alice and a change of bob through the
// layer with the notification faults nf about alice, and returns what a
// subscriber to both got.
func notified(t *testing.T, nf graph.NotifyFaults) (alice, bob []note) {
	w, ids := world(t, 1, "alice", "bob")
	if err := w.GraphFaults().SetNotifyFaults(ids[0], nf); err != nil {
		t.Fatal(err)
	}
	r := &recorder2{w: w}
	if _, err := w.Graph("reader").Subscribe(ids, r); err != nil {
		t.Fatal(err)
	}
	writer := w.Graph("pbx")
	for _, p := range []presence.Presence{busy, away} {
		if err := writer.SetPresence(ids[0], p, 5*time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := w.Clock.Advance(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := writer.ClearPresence(ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := writer.SetPresence(ids[1], busy, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	// two minutes: every delay and hold ends, no idle timeout comes
	if err := w.Clock.Advance(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, n := range r.got {
		if n.user == ids[0] {
			alice = append(alice, n)
		} else {
			bob = append(bob, n)
		}
	}
	return alice, bob
}

func TestNotificationFaults(t *testing.T) {
	base, baseBob := notified(t, graph.NotifyFaults{})
	if len(base) < 2 {
		t.Fatalf("without faults alice's changes gave %d notifications, want at least 2", len(base))
	}
	shift := func(d time.Duration) []note {
		var out []note
		for _, n := range base {
			n.at += d
			out = append(out, n)
		}
		return out
	}
	twice := func() []note {
		var out []note
		for _, n := range base {
			out = append(out, n, n)
		}
		return out
	}
	reversed := func() []note {
		var out []note
		for k := len(base) - 1; k >= 0; k-- {
			n := base[k]
			n.at = base[0].at + time.Minute
			out = append(out, n)
		}
		return out
	}
	cases := []struct {
		name string
		nf   graph.NotifyFaults
		want []note
	}{
		{"delayed by 30 s", graph.NotifyFaults{Delay: 30 * time.Second}, shift(30 * time.Second)},
		{"the next dropped", graph.NotifyFaults{DropNext: 1}, base[1:]},
		{"duplicated", graph.NotifyFaults{Duplicate: true}, twice()},
		{"held a minute and reversed", graph.NotifyFaults{Reverse: true, Hold: time.Minute}, reversed()},
	}
	for _, c := range cases {
		got, bob := notified(t, c.nf)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: alice's notifications\n got %v\nwant %v", c.name, got, c.want)
		}
		if fmt.Sprint(bob) != fmt.Sprint(baseBob) {
			t.Errorf("%s: bob's notifications changed: got %v, want %v", c.name, bob, baseBob)
		}
	}
}

func TestJournalRecordsAnswers(t *testing.T) {
	w, ids := world(t, 1, "alice")
	l := w.GraphFaults()
	g := w.Graph("pbx")
	_ = g.SetPresence(ids[0], busy, 5*time.Minute)
	if l.Journalling() || len(l.Requests("")) != 0 {
		t.Fatal("the journal runs although nothing was set")
	}
	l.Watch()
	_ = l.SetFaults(graph.Faults{ErrorRate: 1, Statuses: []int{503}, RetryAfter: 5})
	_ = g.SetPresence(ids[0], busy, 5*time.Minute)
	_ = l.SetFaults(graph.Faults{})
	_ = g.SetPresence(ids[0], busy, time.Minute) // refused by Graph: expiry too short
	rs := l.Requests("pbx")
	if len(rs) != 2 || rs[0].Status != 503 || rs[0].RetryAfter != 5*time.Second || rs[1].Status != 400 || rs[1].Op != graph.OpSetPresence {
		t.Fatalf("journal %+v; want a 503 with Retry-After 5 s, then a 400 setPresence", rs)
	}
}

// A disabled layer allocates nothing in the hot path.
func TestDisabledLayerAllocatesNothing(t *testing.T) {
	w, ids := world(t, 1, "alice")
	g := w.Graph("pbx")
	ps := []presence.Presence{busy, away}
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		i++
		_ = g.SetPresence(ids[0], ps[i%2], 5*time.Minute)
		_, _ = g.Read(ids[0])
	})
	if allocs != 0 {
		t.Fatalf("a write and a read through the layer allocated %.1f times", allocs)
	}
}

func BenchmarkSeam(b *testing.B) {
	ps := []presence.Presence{busy, away}
	for _, c := range []struct {
		name string
		seam func(w *sim.World) graph.Seam
	}{
		{"direct", func(w *sim.World) graph.Seam { return graph.NewDirect(w.Teams, "pbx") }},
		{"layer", func(w *sim.World) graph.Seam {
			// the default throttle, with a limit the loop cannot reach
			w.GraphFaults().SetThrottle(graph.Throttle{Limit: 1 << 30})
			return w.Graph("pbx")
		}},
		{"layer-unthrottled", func(w *sim.World) graph.Seam {
			w.GraphFaults().SetThrottle(graph.Throttle{Off: true})
			return w.Graph("pbx")
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			w, ids := world(b, 1, "alice", "bob", "carol", "dave")
			w.Trace.SetRecording(false) // the seam's cost, not the trace's
			g := c.seam(w)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				u := ids[i%len(ids)]
				_ = g.SetPresence(u, ps[(i/len(ids))%2], 5*time.Minute)
				_, _ = g.Read(u)
			}
		})
	}
}

// BenchmarkSeamRatio runs the same writes and reads through graph.Direct
// and through the world's layer (default throttle, no faults) in
// alternating chunks, so a busy machine slows both alike, and reports the
// ratio of their times.
func BenchmarkSeamRatio(b *testing.B) {
	ps := []presence.Presence{busy, away}
	wd, idsD := world(b, 1, "alice", "bob", "carol", "dave")
	wl, idsL := world(b, 1, "alice", "bob", "carol", "dave")
	wd.Trace.SetRecording(false)
	wl.Trace.SetRecording(false)
	wl.GraphFaults().SetThrottle(graph.Throttle{Limit: 1 << 30})
	direct, layer := graph.NewDirect(wd.Teams, "pbx"), wl.Graph("pbx")
	run := func(g graph.Seam, ids []teams.UserID, from, n int) time.Duration {
		start := time.Now()
		for i := from; i < from+n; i++ {
			u := ids[i%len(ids)]
			_ = g.SetPresence(u, ps[(i/len(ids))%2], 5*time.Minute)
			_, _ = g.Read(u)
		}
		return time.Since(start)
	}
	const chunk = 1000
	var td, tl time.Duration
	b.ReportAllocs()
	for done := 0; done < b.N; done += chunk {
		n := min(chunk, b.N-done)
		td += run(direct, idsD, done, n)
		tl += run(layer, idsL, done, n)
	}
	b.ReportMetric(float64(tl)/float64(td), "layer/direct")
	b.ReportMetric(float64(td.Nanoseconds())/float64(b.N), "direct-ns/op")
	b.ReportMetric(float64(tl.Nanoseconds())/float64(b.N), "layer-ns/op")
}
