package steps

import (
	"fmt"

	"github.com/presencesim/presencesim/sim/teams"
)

// activitySteps are the steps of calls, meetings, chats and the calendar.
type activitySteps struct{ *Scenario }

func registerActivity(sc *Scenario, r *registry) {
	s := activitySteps{sc}
	r.step(`^(.+) (?:are|start) in a (?:Teams )?(?:conference )?call$`, "alice and bob are in a Teams call", s.inCall)
	r.step(`^(\w+) joins the call$`, "carol joins the call", s.joinCall)
	r.step(`^(\w+) leaves the call$`, "carol leaves the call", s.leaveCall)
	r.step(`^the call ends$`, "the call ends", s.endCall)
	r.step(`^(\w+) calls (\w+)$`, "bob calls alice", s.places)
	r.step(`^the call (rings|goes to voicemail|is not delivered)$`, "the call goes to voicemail", s.callOutcome)
	r.step(`^(\w+) sends (\w+) a chat message$`, "bob sends alice a chat message", s.chats)
	r.step(`^the message (is delivered with a banner|is delivered without a banner|is held until the user is online)$`, "the message is delivered without a banner", s.chatOutcome)
	r.step(`^(\w+) joins a Teams meeting$`, "alice joins a Teams meeting", s.joinMeeting)
	r.step(`^(\w+) leaves the Teams meeting$`, "alice leaves the Teams meeting", s.leaveMeeting)
	r.step(`^(\w+) starts presenting$`, "alice starts presenting", s.startPresenting)
	r.step(`^(\w+) stops presenting$`, "alice stops presenting", s.stopPresenting)
	r.step(`^(\w+) has (?:a|an) (`+teams.ShowAsPhrases()+`) from (\S+) to (\S+)$`, "alice has a meeting from 10:00 to 11:00", s.appointment)
	r.step(`^(\w+) turns automatic replies (on|off)$`, "alice turns automatic replies on", s.autoReplies)
}

func (s activitySteps) inCall(list string) error {
	var ids []teams.UserID
	for _, n := range splitNames(list) {
		id, err := s.user(n)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	c, err := s.world.Teams.StartCall(ids...)
	if err != nil {
		return err
	}
	s.lastCall, s.hasCall = c, true
	return nil
}

func (s activitySteps) currentCall() (teams.CallID, error) {
	if !s.hasCall {
		return 0, fmt.Errorf("there is no call in this scenario yet; start one with \"alice and bob are in a Teams call\"")
	}
	return s.lastCall, nil
}

func (s activitySteps) joinCall(name string) error {
	c, err := s.currentCall()
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { return s.world.Teams.JoinCall(c, id) })
}

func (s activitySteps) leaveCall(name string) error {
	c, err := s.currentCall()
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error { return s.world.Teams.LeaveCall(c, id) })
}

func (s activitySteps) endCall() error {
	c, err := s.currentCall()
	if err != nil {
		return err
	}
	return s.world.Teams.EndCall(c)
}

// places places a call: if it rings it is answered and the call starts.
func (s activitySteps) places(caller, callee string) error {
	from, err := s.user(caller)
	if err != nil {
		return err
	}
	to, err := s.user(callee)
	if err != nil {
		return err
	}
	out, rule := s.world.Teams.Call(to, from)
	s.outcome = string(out) + " [" + rule + "]"
	if out == teams.Rings {
		c, err := s.world.Teams.StartCall(from, to)
		if err != nil {
			return err
		}
		s.lastCall, s.hasCall = c, true
	}
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

func (s activitySteps) joinMeeting(name string) error {
	return s.onUser(name, s.world.Teams.JoinMeeting)
}
func (s activitySteps) leaveMeeting(name string) error {
	return s.onUser(name, s.world.Teams.LeaveMeeting)
}
func (s activitySteps) startPresenting(name string) error {
	return s.onUser(name, s.world.Teams.StartPresenting)
}
func (s activitySteps) stopPresenting(name string) error {
	return s.onUser(name, s.world.Teams.StopPresenting)
}

func (s activitySteps) appointment(name, kind, from, to string) error {
	now := s.world.Clock.Now()
	start, err := ParseClock(from, now)
	if err != nil {
		return err
	}
	end, err := ParseClock(to, now)
	if err != nil {
		return err
	}
	show, err := teams.ParseShowAs(kind)
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		_, err := s.world.Teams.AddAppointment(id, kind, start, end, show)
		return err
	})
}

func (s activitySteps) autoReplies(name, on string) error {
	return s.onUser(name, func(id teams.UserID) error { return s.world.Teams.SetAutoReplies(id, on == "on") })
}
