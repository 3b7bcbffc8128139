package nimbus

import (
	"fmt"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/presence"
)

// Timing is one of a service's times, as the Nimbus admin portal names it.
type Timing uint8

// The timings of a service.
const (
	RingTime Timing = iota
	AfterCallWork
	RONAResetTime
	MaxWaitTime
)

var timingWords = [...]string{RingTime: "ring time", AfterCallWork: "after-call work", RONAResetTime: "RONA reset time", MaxWaitTime: "maximum wait"}

func (t Timing) String() string {
	if int(t) < len(timingWords) {
		return timingWords[t]
	}
	return fmt.Sprintf("Timing(%d)", t)
}

// ParseTiming reads a timing's name: "ring time", "after-call work", "RONA
// reset time", "maximum wait".
func ParseTiming(s string) (Timing, error) {
	for t, w := range timingWords {
		if strings.EqualFold(strings.TrimSpace(s), w) {
			return Timing(t), nil
		}
	}
	return 0, fmt.Errorf("unknown service timing %q; the timings are %s", s, strings.Join(timingWords[:], ", "))
}

// SetTiming sets one of the service's times, refusing what Nimbus
// refuses: a ring time must be positive, the RONA reset time lies in
// MinRONAReset..MaxRONAReset (NB-9), no time is negative.
func (svc *Service) SetTiming(t Timing, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("the %s cannot be negative, got %s", t, d)
	}
	switch t {
	case RingTime:
		if d <= 0 {
			return fmt.Errorf("the ring time must be positive, got %s", d)
		}
		svc.RingTime = d
	case AfterCallWork:
		svc.ACW = d
	case RONAResetTime:
		if err := CheckRONAReset(d); err != nil {
			return err
		}
		svc.RONAReset = d
	case MaxWaitTime:
		svc.MaxWait = d
	default:
		return fmt.Errorf("unknown service timing %s", t)
	}
	return nil
}

// ByHand is the presence an agent sets by hand in Teams to stand in the
// column's line of the distribution setting; false for Available (reached
// by resetting the status) and Offline (by signing out).
func (c Column) ByHand() (presence.Presence, bool) {
	switch c {
	case ColBusy:
		return presence.Of(presence.Busy, presence.ActBusy), true
	case ColDoNotDisturb:
		return presence.Of(presence.DoNotDisturb, presence.ActDoNotDisturb), true
	case ColAway:
		return presence.Of(presence.Away, presence.ActAway), true
	}
	return presence.Presence{}, false
}

var ordinals = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}

// Ordinal is the word for the i-th call (from 0): "first", "second", …,
// "#11" past the tenth.
func Ordinal(i int) string {
	if i >= 0 && i < len(ordinals) {
		return ordinals[i]
	}
	return fmt.Sprintf("#%d", i+1)
}

// ParseOrdinal reads "first" to "tenth" as 0 to 9.
func ParseOrdinal(s string) (int, error) {
	for i, w := range ordinals {
		if w == strings.TrimSpace(s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown ordinal %q; write %s or last", s, strings.Join(ordinals, ", "))
}

// OpenCalls lists the calls waiting in a queue or ringing at an agent, in
// the order they arrived.
func (m *Model) OpenCalls() []CallID {
	var open []CallID
	for i, c := range m.calls {
		if c.State == Queued || c.State == Ringing {
			open = append(open, CallID(i))
		}
	}
	return open
}

// Where says where a call is: "ringing at bob", "waiting in the queue,
// offered to nobody".
func (m *Model) Where(c *Call) string {
	switch c.State {
	case Ringing:
		return "ringing at " + m.ten.Name(c.Agent)
	case Connected:
		return "connected to " + m.ten.Name(c.Agent)
	case Queued:
		return "waiting in the queue, offered to nobody"
	}
	return c.State.String()
}

// Describe words a call for failure messages: "the second call of
// "Support" (arrived at 09:00)", or "the call of …" when it is the only one.
func (m *Model) Describe(id CallID) string {
	c, err := m.Call(id)
	if err != nil {
		return err.Error()
	}
	name := ""
	if int(c.Service) >= 0 && int(c.Service) < len(m.services) {
		name = m.services[c.Service].Name
	}
	if len(m.calls) == 1 {
		return fmt.Sprintf("the call of %q (arrived at %s)", name, c.Arrived)
	}
	return fmt.Sprintf("the %s call of %q (arrived at %s)", Ordinal(int(id)), name, c.Arrived)
}

// Text is the report as WriteText prints it.
func (r DayReport) Text() (string, error) {
	var b strings.Builder
	err := r.WriteText(&b)
	return b.String(), err
}
