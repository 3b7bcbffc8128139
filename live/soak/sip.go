package soak

import (
	"fmt"
	"io"
	"time"

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

// sipWarmup is a SIP connector's warm-up when none is set: long enough at
// any speed the soak allows for thousands of SUBSCRIBEs, each answered
// before the next few go.
const sipWarmup = time.Hour

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
