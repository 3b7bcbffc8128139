package soak

import (
	"fmt"
	"io"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
)

// A SIP connector (pbx) watches every extension with a subscription of
// its own, so the SIP fake is sized for the tenant: its cap on live
// subscriptions is the people plus a margin for the re-subscriptions of a
// connector that lost some (a subscription the PBX dropped without a
// final NOTIFY counts until it expires), its queue per subscriber the
// fake's default. The cap still holds: one past it is answered 503 with
// Retry-After, and the result reports it.
const (
	sipMarginShare = 20  // a twentieth of the people
	sipMarginMin   = 100 // and never fewer
)

// sipSetup is the wall time the warm-up allows for each extension's
// SUBSCRIBE: twice what the reference connector took against the fake at
// 20,000 people on a loaded machine of two cores (15 s for all of them).
const sipSetup = 1500 * time.Microsecond

// sipWarmup is a SIP connector's warm-up when none is set: the soak's
// usual 15 minutes, or as much virtual time as the tenant's SUBSCRIBEs
// take at sipSetup each at the soak's speed, whichever is longer, from
// midnight on at the most.
func sipWarmup(users int, speed float64, start clock.Time) time.Duration {
	w := time.Duration(float64(time.Duration(users)*sipSetup) * speed).Round(time.Minute)
	return min(max(15*time.Minute, w+time.Minute), start.Sub(clock.At(1, 0, 0)))
}

// LoopbackSIPTimers sets the SIP stack's timers for a soak whose SIP
// runs on the loopback: T1 of 250 ms instead of 500 (RFC 3261 17 lets a
// closed network choose a smaller one), T2 of 2 s and T4 of 2.5 s. (At
// 100 ms a loaded machine's late answers were retransmitted and NOTIFYs
// timed out after 6.4 s.) Over UDP every
// transaction is kept for 64·T1 after its answer to absorb
// retransmissions; at 240× a tenant of 20,000 answers over a thousand
// NOTIFYs a second, and at the default T1 the transactions kept for 32 s
// would be most of the process's memory; at 250 ms they are kept 16 s. It is the process's setting
// (the SIP stack's timers are global): call it before the soak.
func LoopbackSIPTimers() {
	gosip.SetTimers(250*time.Millisecond, 2*time.Second, 2500*time.Millisecond)
	// A server transaction over UDP is kept Timer J (64·T1) after its
	// answer to absorb the request's retransmissions; on the loopback the
	// answer is not lost, and a client stops retransmitting once it has
	// it, T2 (2 s) apart at the most: two T2 absorb them, and a late one
	// is a NOTIFY the watcher has seen (the same version), not a new one.
	gosip.Timer_J = 2 * gosip.T2
}

// sipCap is the SIP fake's cap on live subscriptions for a tenant.
func sipCap(users int) int {
	return users + max(sipMarginMin, users/sipMarginShare)
}

// sipDefaults sizes the SIP fake for a SIP connector's soak.
func (c *Config) sipDefaults() error {
	if c.Target.Integration != "pbx" {
		return nil
	}
	o := &c.Target.SIP
	if o.MaxSubscriptions == 0 {
		o.MaxSubscriptions = sipCap(c.Users)
	}
	if o.MaxSubscriptions < 1 || o.MaxSubscriptions > sipCap(MaxUsers) {
		return fmt.Errorf("soak: a SIP fake of %d subscriptions; want 1 to %d", o.MaxSubscriptions, sipCap(MaxUsers))
	}
	if o.MaxRegistrations == 0 {
		o.MaxRegistrations = pbxsip.DefaultMaxRegistrations
	}
	return nil
}

// SIPFigures are what the SIP fake saw of a SIP connector's day.
type SIPFigures struct {
	// Cap is the fake's cap on live subscriptions, from the soak's
	// configuration; Peak the most live at once, Live those at the end,
	// Refused the SUBSCRIBEs answered 503 at the cap.
	Cap     int    `json:"cap"`
	Peak    int    `json:"peak"`
	Live    int    `json:"live"`
	Refused uint64 `json:"refused"`
	// Expired are the subscriptions the connector let lapse.
	Expired uint64 `json:"expired"`
	// Subscribed is when, on the world's clock, every person's extension
	// was watched ("" when that never came); Warmed says whether it came
	// before the measured day.
	Subscribed string `json:"subscribed,omitempty"`
	Warmed     bool   `json:"warmed"`
	// Notifies went out and were answered; NotifiesFailed were not (no
	// answer in time, a queue past its cap).
	Notifies       uint64 `json:"notifies"`
	NotifiesFailed uint64 `json:"notifiesFailed"`
}

// sipWatch follows the SIP fake's subscriptions during a soak: when every
// extension of the tenant is watched, on the world's clock.
type sipWatch struct {
	srv   *pbxsip.Server
	users int
	stop  chan struct{}
	done  chan struct{}
	at    string
	ok    bool
}

// watchSIP starts following the session's SIP fake, nil when it serves
// none.
func watchSIP(s *conformance.Session, users int, start clock.Time) *sipWatch {
	srv := s.SIP()
	if srv == nil || s.Target().Integration != "pbx" {
		return nil
	}
	sw := &sipWatch{srv: srv, users: users, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(sw.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if srv.Stats().Subscriptions >= users {
				now := s.World().Now()
				sw.at, sw.ok = now.String(), now <= start
				return
			}
			select {
			case <-sw.stop:
				return
			case <-t.C:
			}
		}
	}()
	return sw
}

// figures ends the watch and reads the fake's counts.
func (sw *sipWatch) figures() *SIPFigures {
	if sw == nil {
		return nil
	}
	close(sw.stop)
	<-sw.done
	st := sw.srv.Stats()
	return &SIPFigures{Cap: st.MaxSubscriptions, Peak: st.PeakSubscriptions, Live: st.Subscriptions, Refused: st.SubscriptionsRefused, Expired: st.SubscriptionsExpired,
		Subscribed: sw.at, Warmed: sw.ok, Notifies: st.Notifies, NotifiesFailed: st.NotifiesFailed}
}

// writeSIP prints the SIP fake's line of the table.
func (r *Result) writeSIP(w io.Writer) {
	s := r.SIP
	if s == nil {
		return
	}
	when := "never"
	if s.Subscribed != "" {
		when = s.Subscribed
		if !s.Warmed {
			when += ", after the day began"
		}
	}
	fmt.Fprintf(w, "SIP: %d extensions watched at %s; live subscriptions peaked at %d of the fake's cap of %d, %d refused at it, %d expired; %d NOTIFYs, %d failed\n",
		r.Users, when, s.Peak, s.Cap, s.Refused, s.Expired, s.Notifies, s.NotifiesFailed)
}

// dialogBusy says whether a desk-phone line is in a call as RFC 4235
// dialog state tells a SIP connector: a confirmed dialog (connected or
// held). A call being made is early until answered, and the generic PBX
// connector shows no call for it; that is its table, not staleness.
func dialogBusy(l pbx.Line) bool {
	return l.State == pbx.Connected || l.State == pbx.Held
}
