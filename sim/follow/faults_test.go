package follow

import (
	"testing"
	"time"
)

// The planted fault lets an older notification win, and Offered still
// says what the reader was given, so a check of the view sees it (C-8).
func TestOlderWinsIsSeenAgainstOffered(t *testing.T) {
	for _, c := range []struct {
		name      string
		olderWins bool
		want      uint64
	}{{"compliant", false, 9}, {"older wins", true, 8}} {
		t.Run(c.name, func(t *testing.T) {
			_, f, r, _, _ := rig(t, Settings{PollInterval: time.Minute, OlderWins: c.olderWins})
			r.Watch(alice)
			r.Fresh(alice)
			f.notify(busy, 9)
			f.notify(dnd, 8)
			p, _ := r.Current(alice)
			if p.Sequence != c.want || r.Offered(alice) != 9 {
				t.Fatalf("holds sequence %d, offered %d; want %d and 9", p.Sequence, r.Offered(alice), c.want)
			}
		})
	}
}

// A subscription's deletion is a request: none goes out before the
// Retry-After, and it is sent once Graph may be asked (C-5).
func TestUnsubscribeWaitsForBackoff(t *testing.T) {
	clk, f, r, _, bo := rig(t, Settings{PollInterval: time.Minute})
	r.Watch(alice)
	if f.subID == 0 {
		t.Fatal("no subscription made")
	}
	bo.Done(clk.Now(), throttled(30*time.Second))
	r.Unwatch(alice)
	if f.unsubbed != 0 {
		t.Fatalf("the subscription was deleted during a Retry-After of 30 s")
	}
	run(t, clk, 30*time.Second)
	r.Watch(alice) // the next request flushes the deletion first
	if f.unsubbed != 1 {
		t.Fatalf("deletions after the Retry-After: %d; want 1", f.unsubbed)
	}
}
