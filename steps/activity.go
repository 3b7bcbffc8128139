package steps

import (
	"errors"
	"fmt"

	"github.com/presencesim/presencesim/sim/event"
)

// activitySteps are the steps of calls, meetings, chats and the calendar.
type activitySteps struct{ *Scenario }

func registerActivity(sc *Scenario, r *registry) {
	s := activitySteps{sc}
	sc.inputs(r, event.StartCall)
	for _, o := range []event.Op{event.JoinCall, event.LeaveCall, event.EndCall} {
		sc.inputAs(r, o, s.inCall)
	}
	sc.inputAs(r, event.PlaceCall, s.places)
	r.step(`^the call (rings|goes to voicemail|is not delivered)$`, "the call goes to voicemail", s.callOutcome)
	r.step(`^(\w+) sends (\w+) a chat message$`, "bob sends alice a chat message", s.chats)
	r.step(`^the message (is delivered with a banner|is delivered without a banner|is held until the user is online)$`, "the message is delivered without a banner", s.chatOutcome)
	sc.inputs(r, event.JoinMeeting, event.LeaveMeeting, event.StartPresenting, event.StopPresenting,
		event.Appointment, event.AutoRepliesOn, event.AutoRepliesOff)
}

// inCall applies an input about the last call, saying how to start one
// when there is none.
func (s activitySteps) inCall(ev event.Event) error {
	err := s.apply(ev)
	if errors.Is(err, event.ErrNoCall) {
		return fmt.Errorf("there is no call in this scenario yet; start one with %q", event.StartCall.Example().Phrase())
	}
	return err
}

// places places a call and keeps what the callee's status made of it, for
// "the call rings" (T-REACH-1); the input answers a call that rings.
func (s activitySteps) places(ev event.Event) error {
	if err := s.known(ev); err != nil {
		return err
	}
	to, _ := s.user(ev.Users[0])
	from, _ := s.user(ev.Users[1])
	out, rule := s.world.Teams.Call(to, from)
	if err := s.apply(ev); err != nil {
		return err
	}
	s.outcome = string(out) + " [" + rule + "]"
	return nil
}

func (s activitySteps) callOutcome(want string) error {
	return s.outcomeIs(want)
}

func (s activitySteps) outcomeIs(want string) error {
	if s.outcome == "" {
		return fmt.Errorf("nothing was placed or sent yet in this scenario")
	}
	return Check(nil, func(g gomegaG) {
		g.Expect(s.outcome).To(hasPrefix(want), "outcome of the last call or message")
	})
}

func (s activitySteps) chats(sender, target string) error {
	from, err := s.user(sender)
	if err != nil {
		return err
	}
	to, err := s.user(target)
	if err != nil {
		return err
	}
	out, rule := s.world.Teams.Chat(to, from)
	s.outcome = string(out) + " [" + rule + "]"
	return nil
}

func (s activitySteps) chatOutcome(want string) error { return s.outcomeIs(want) }
