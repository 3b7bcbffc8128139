package workload

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
)

// xpClient records what the XPhone day does, and refuses what a server
// would: ending a call or a meeting that is not there.
type xpClient struct {
	log           []string
	calls, meets  map[teams.UserID]int
	began         map[teams.UserID]clock.Time
	short, calls2 int
	refuse        bool
}

func (c *xpClient) rec(w *sim.World, u teams.UserID, what string) {
	c.log = append(c.log, fmt.Sprintf("%s %d %s", w.Clock.Now(), u, what))
}

func (c *xpClient) Call(w *sim.World, u teams.UserID, on bool) error {
	if c.refuse {
		return errors.New("not served")
	}
	if !on && c.calls[u] == 0 {
		return errors.New("none to end")
	}
	if on {
		c.calls[u]++
		c.began[u] = w.Clock.Now()
	} else {
		c.calls[u]--
		c.calls2++
		if w.Clock.Now().Sub(c.began[u]) <= 30*time.Second {
			c.short++
		}
	}
	c.rec(w, u, fmt.Sprintf("call %v", on))
	return nil
}

func (c *xpClient) Meeting(w *sim.World, u teams.UserID, on bool) error {
	if !on && c.meets[u] == 0 {
		return errors.New("none to end")
	}
	if on {
		c.meets[u]++
	} else {
		c.meets[u]--
	}
	c.rec(w, u, fmt.Sprintf("meeting %v", on))
	return nil
}

func (c *xpClient) SelectProfile(w *sim.World, u teams.UserID, p string) error {
	c.rec(w, u, "select "+p)
	return nil
}

func xpDay(t *testing.T, seed uint64, n int, c *xpClient) *sim.World {
	t.Helper()
	c.calls, c.meets, c.began = map[teams.UserID]int{}, map[teams.UserID]int{}, map[teams.UserID]clock.Time{}
	w, _ := newDay(t, seed, n, Options{Phones: true})
	users := w.Teams.Users()
	if _, err := ScheduleXPhone(w, users, c, XPhoneOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Clock.RunUntil(clock.At(2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	return w
}

// The XPhone day is seeded like the rest: the same seed gives the same
// calls, meetings and selections, another seed others; a hundred people
// make XPhone calls, short ones among them, every call and meeting ends,
// and the Do-not-disturb and Away profiles are selected and left. Adding
// it leaves the Teams and PBX day as it was.
func TestXPhoneDayIsDeterministic(t *testing.T) {
	var a, b, other xpClient
	wa := xpDay(t, 3, 100, &a)
	xpDay(t, 3, 100, &b)
	xpDay(t, 4, 100, &other)
	if strings.Join(a.log, "\n") != strings.Join(b.log, "\n") {
		t.Error("the same seed gave two XPhone days")
	}
	if strings.Join(a.log, "\n") == strings.Join(other.log, "\n") {
		t.Error("seeds 3 and 4 gave the same XPhone day")
	}
	if a.calls2 < 200 || a.short == 0 || a.short*2 > a.calls2 {
		t.Errorf("a hundred people made %d XPhone calls, %d of them 2–30 s; want hundreds, a few short", a.calls2, a.short)
	}
	for u, n := range a.calls {
		if n != 0 || a.meets[u] != 0 {
			t.Errorf("user %d ended the day with %d calls and %d meetings open", u, n, a.meets[u])
		}
	}
	text := strings.Join(a.log, "\n")
	for _, want := range []string{"select Nicht stören", "select Abwesend", "select Verfügbar", "meeting true"} {
		if !strings.Contains(text, want) {
			t.Errorf("the XPhone day has no %q", want)
		}
	}
	plain, _ := newDay(t, 3, 100, Options{Phones: true})
	if err := plain.Clock.RunUntil(clock.At(2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if plain.Trace.Text() != wa.Trace.Text() {
		t.Error("adding the XPhone day changed the Teams day")
	}
}

// A client that refuses (the server not served yet) leaves nothing open
// to end, and bad shares are refused with what is wanted.
func TestXPhoneDayRefusals(t *testing.T) {
	c := xpClient{refuse: true}
	xpDay(t, 3, 20, &c)
	for _, l := range c.log {
		if strings.Contains(l, "call") {
			t.Errorf("a refused client still got %s", l)
		}
	}
	w := sim.MustNew(1)
	if _, err := ScheduleXPhone(w, nil, &c, XPhoneOptions{DND: 2}); err == nil || !strings.Contains(err.Error(), "want each in [0, 1]") {
		t.Errorf("a share of 2: %v", err)
	}
	if _, err := ScheduleXPhone(w, nil, nil, XPhoneOptions{}); err == nil || !strings.Contains(err.Error(), "want a rate ≥ 0 and a client") {
		t.Errorf("no client: %v", err)
	}
}
