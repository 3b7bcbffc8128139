package invariant_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/reports"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/cloudlink"
	"github.com/presencesim/presencesim/sim/invariant"
	"github.com/presencesim/presencesim/sim/pbx"
	p "github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/xphone"
)

type world struct {
	*sim.World
	chk  *invariant.Checker
	a, b teams.UserID
}

func newWorld(t testing.TB, broken func(*teams.Settings)) *world {
	t.Helper()
	s := teams.DefaultSettings()
	if broken != nil {
		broken(&s)
	}
	w, err := sim.New(1, s)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := w.AddUser("alice", "")
	b, _ := w.AddUser("bob", "")
	return &world{World: w, chk: invariant.Install(w), a: a, b: b}
}

func swapActivity(x, y p.Activity) func(*teams.Settings) {
	return func(s *teams.Settings) {
		for i, a := range s.Precedence.Activity {
			switch a {
			case x:
				s.Precedence.Activity[i] = y
			case y:
				s.Precedence.Activity[i] = x
			}
		}
	}
}

func TestInvariantsCatchBrokenModels(t *testing.T) {
	tests := []struct {
		name   string
		broken func(*teams.Settings)
		do     func(w *world) error
		want   string // the invariant broken, empty when all hold
		cause  string
	}{
		{
			name: "a busy day holds",
			do: func(w *world) error {
				m := w.Teams
				_ = m.SignIn(w.a, teams.Desktop)
				_ = m.SignIn(w.b, teams.Mobile)
				_, _ = m.AddAppointment(w.a, "standup", clock.At(1, 9, 0), clock.At(1, 9, 30), teams.ShowBusy)
				_ = m.SetPreferred(w.b, p.Of(p.DoNotDisturb, p.ActDoNotDisturb), 0, teams.ViaClient)
				if _, err := m.StartCall(w.a, w.b); err != nil {
					return err
				}
				_ = m.SetAutoReplies(w.a, true)
				return w.Clock.RunUntil(clock.At(1, 12, 0))
			},
		},
		{
			name:   "Available above Busy breaks T-AGG-2",
			broken: func(s *teams.Settings) { s.Precedence.SwapAvailability(p.Busy, p.Available) },
			do: func(w *world) error {
				_ = w.Teams.SignIn(w.a, teams.Desktop)
				_ = w.Teams.SignIn(w.b, teams.Desktop)
				_, err := w.Teams.StartCall(w.a, w.b)
				return err
			},
			want: "highest-source-wins", cause: "action",
		},
		{
			name:   "a call above a conference call breaks T-AGG-5",
			broken: swapActivity(p.InACall, p.InAConferenceCall),
			do: func(w *world) error {
				_ = w.Teams.SignIn(w.a, teams.Desktop)
				_ = w.Teams.SetAppPresence(w.a, w.Teams.App("dialer"), p.Of(p.Busy, p.InACall), time.Hour)
				return w.Teams.SetAppPresence(w.a, w.Teams.App("bridge"), p.Of(p.Busy, p.InAConferenceCall), time.Hour)
			},
			want: "most-specific-activity-wins", cause: "action",
		},
		{
			name:   "a violation a timer causes is seen at that event",
			broken: func(s *teams.Settings) { s.Precedence.SwapAvailability(p.Busy, p.Available) },
			do: func(w *world) error {
				_ = w.Teams.SignIn(w.a, teams.Mobile)
				_, _ = w.Teams.AddAppointment(w.a, "review", clock.At(1, 10, 0), clock.At(1, 11, 0), teams.ShowBusy)
				if v := w.chk.Check("action"); v != nil {
					return v
				}
				return w.Clock.RunUntil(clock.At(1, 12, 0))
			},
			want: "highest-source-wins", cause: "calendar entry starts (T-CAL-1)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.broken)
			if err := tc.do(w); err != nil && tc.want == "" {
				t.Fatal(err)
			}
			v := w.chk.Check("action")
			switch {
			case tc.want == "" && v != nil:
				t.Fatalf("a correct model broke an invariant: %v", v)
			case tc.want == "":
				if w.chk.Checks < 2 {
					t.Fatalf("only %d checks: the clock hook did not check after events", w.chk.Checks)
				}
			case v == nil:
				t.Fatalf("the broken model passed every invariant; want %s broken", tc.want)
			case v.Invariant != tc.want || v.Cause != tc.cause:
				t.Fatalf("got %s after %q, want %s after %q:\n%v", v.Invariant, v.Cause, tc.want, tc.cause, v)
			case !strings.Contains(v.Error(), "why the model derived this"):
				t.Fatalf("a violation must carry the explanation: %v", v)
			}
		})
	}
}

func TestInvariantsAreStatedWithRules(t *testing.T) {
	known := map[string]bool{}
	for _, r := range reports.Rulebook() {
		known[r.ID] = true
	}
	seen := map[string]bool{}
	for _, inv := range invariant.All() {
		if inv.Name == "" || seen[inv.Name] || inv.Text == "" || inv.Check == nil {
			t.Errorf("invariant %q: needs a unique name, a statement and a check", inv.Name)
		}
		seen[inv.Name] = true
		if len(inv.Rules) == 0 {
			t.Errorf("invariant %q cites no rule", inv.Name)
		}
		for _, r := range inv.Rules {
			if !known[r] {
				t.Errorf("invariant %q cites %q, no rule of the rulebook", inv.Name, r)
			}
		}
		if got, ok := invariant.Find(inv.Name); !ok || got.Name != inv.Name {
			t.Errorf("Find(%q) failed", inv.Name)
		}
	}
}

// TestLargeWorldChecksTouchedUsers: beyond FullCheckUpTo people an event
// checks only the users it touched, and still catches a violation there.
func TestLargeWorldChecksTouchedUsers(t *testing.T) {
	s := teams.DefaultSettings()
	s.Precedence.SwapAvailability(p.Busy, p.Available)
	w, _ := sim.New(1, s)
	var ids []teams.UserID
	for i := 0; i < invariant.FullCheckUpTo+10; i++ {
		id, err := w.AddUser("u"+string(rune('a'+i%26))+string(rune('a'+i/26)), "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		_ = w.Teams.SignIn(id, teams.Mobile)
	}
	chk := invariant.Install(w)
	if v := chk.Check("sign-ins"); v != nil {
		t.Fatalf("Available everywhere broke %v", v)
	}
	last := ids[len(ids)-1]
	_, _ = w.Teams.AddAppointment(last, "review", clock.At(1, 10, 0), clock.At(1, 11, 0), teams.ShowBusy)
	_ = w.Clock.RunUntil(clock.At(1, 12, 0))
	v := chk.Violation()
	if v == nil || v.Invariant != "highest-source-wins" || v.User != w.Teams.Name(last) {
		t.Fatalf("the touched user's violation was missed: %v", v)
	}
}

// BenchmarkCheckSmallWorld measures one full check of a five-person world
// with live sources: what every event costs an exploration run.
func BenchmarkCheckSmallWorld(b *testing.B) {
	w := sim.MustNew(1)
	var ids []teams.UserID
	for _, n := range []string{"alice", "bob", "carol", "dave", "erin"} {
		id, _ := w.AddUser(n, "")
		ids = append(ids, id)
		_ = w.Teams.SignIn(id, teams.Desktop)
		_ = w.Teams.SignIn(id, teams.Mobile)
	}
	_, _ = w.Teams.StartCall(ids[0], ids[1])
	_ = w.Teams.SetPreferred(ids[2], p.Of(p.DoNotDisturb, p.ActDoNotDisturb), 0, teams.ViaClient)
	chk := invariant.Install(w)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if chk.Check("bench") != nil {
			b.Fatal(chk.Violation())
		}
	}
}

// office drives a thousand people through inputs and idle timeouts.
type office struct {
	w   *sim.World
	rnd *rand.Rand
}

func (o *office) Fire(_ clock.Time, ev clock.Event) {
	_ = o.w.Teams.Use(teams.UserID(ev.A), teams.Desktop)
	o.w.Clock.After(time.Duration(1+o.rnd.IntN(10))*time.Minute, o, ev)
}

// BenchmarkCheckedDay runs an office day of 1,000 people with and without
// the checker installed and reports events per second.
func BenchmarkCheckedDay(b *testing.B) {
	for _, checked := range []bool{false, true} {
		name := "unchecked"
		if checked {
			name = "checked"
		}
		b.Run(name, func(b *testing.B) {
			var events uint64
			var took time.Duration
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				w := sim.MustNew(uint64(i + 1))
				w.Trace.SetRecording(false)
				o := &office{w: w, rnd: w.Stream("office")}
				for u := 0; u < 1000; u++ {
					id, _ := w.AddUser("p"+itoa(u), "")
					_ = w.Teams.SignIn(id, teams.Desktop)
					w.Clock.Schedule(clock.At(1, 8, 0).Add(time.Duration(o.rnd.IntN(60))*time.Minute), o, clock.Event{A: int32(id)})
				}
				if checked {
					invariant.Install(w)
				}
				before := w.Clock.Fired()
				b.StartTimer()
				start := time.Now()
				_ = w.Clock.RunUntil(clock.At(1, 18, 0))
				took += time.Since(start)
				events += w.Clock.Fired() - before
			}
			b.ReportMetric(float64(events)/took.Seconds(), "events/s")
		})
	}
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		if i /= 10; i == 0 {
			return s
		}
	}
}

// TestIntegrationInvariantsCatchBrokenModels breaks CloudLink's session
// table and plants XPhone's echo, and expects the invariants to notice,
// while the reference models pass the same inputs.
func TestIntegrationInvariantsCatchBrokenModels(t *testing.T) {
	tests := []struct {
		name string
		run  func(w *world, broken bool)
		want string
	}{
		{
			name: "CloudLink keeps no session for Away",
			run: func(w *world, broken bool) {
				cl := cloudlink.Of(w.World)
				if broken {
					set := cl.Settings()
					for i, r := range set.SessionTable {
						if r.CloudLink == p.Away {
							set.SessionTable[i] = cloudlink.SessionRule{CloudLink: p.Away, Rule: "CL-8"}
						}
					}
					if err := cl.SetSettings(set); err != nil {
						t.Fatal(err)
					}
				}
				i, err := cl.PBX().Ensure(w.a)
				if err != nil {
					t.Fatal(err)
				}
				if err := cl.PBX().SetUserPresence(i, pbx.StAway, pbx.ViaPhone); err != nil {
					t.Fatal(err)
				}
			},
			want: "cloudlink-session-iff-busy-or-away",
		},
		{
			name: "XPhone writes Teams' DoNotDisturb back",
			run: func(w *world, broken bool) {
				xp := xphone.Attach(w.World)
				set := xp.Settings()
				set.Faults.EchoDND = broken
				if err := xp.SetSettings(set); err != nil {
					t.Fatal(err)
				}
				_ = w.Teams.SignIn(w.a, teams.Desktop)
				if err := xp.AddUser(w.a); err != nil {
					t.Fatal(err)
				}
				_ = w.Teams.SetPreferred(w.a, p.Of(p.DoNotDisturb, p.ActDoNotDisturb), 0, teams.ViaClient)
				_ = w.Clock.RunUntil(clock.At(1, 1, 0))
				_ = w.Teams.ClearPreferred(w.a)
				_ = xp.StartCall(w.a) // a write that XPhone's own change allows
				_ = w.Clock.RunUntil(clock.At(1, 2, 0))
			},
			want: "xphone-writes-bounded",
		},
	}
	for _, tc := range tests {
		for _, broken := range []bool{false, true} {
			w := newWorld(t, nil)
			tc.run(w, broken)
			v := w.chk.Check("action")
			switch {
			case !broken && v != nil:
				t.Errorf("%s: the reference model broke %v", tc.name, v)
			case broken && v == nil:
				t.Errorf("%s: the broken model passed every invariant", tc.name)
			case broken && v.Invariant != tc.want:
				t.Errorf("%s: broke %s, want %s: %v", tc.name, v.Invariant, tc.want, v)
			case broken && v.User != "alice":
				t.Errorf("%s: the violation names %q, want alice: %v", tc.name, v.User, v)
			}
			if !broken {
				applied := false
				for i, inv := range w.chk.Invariants() {
					applied = applied || (inv.Name == tc.want && w.chk.Applied[i] > 0)
				}
				if !applied {
					t.Errorf("%s: the premise of %s never held", tc.name, tc.want)
				}
			}
		}
	}
}
