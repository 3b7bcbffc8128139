package steps

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// The seed state tables (T-STATE-1, T-STATE-2) are Scenario Outlines in the
// seeds' own columns and words. Each row names a state; the situations below
// say how Teams comes to show it, from the same inputs the other steps use,
// and who sees it. The checks then compare what the model shows with the
// row's words.

// situation brings a user into a state of a seed table. viewer is who
// sees the row's word: a colleague, or an outside viewer for a state only
// people outside the organisation are shown.
type situation struct {
	setup   func(s *Scenario, id teams.UserID) error
	outside bool
}

func signedIn(s *Scenario, id teams.UserID) error { return s.world.Teams.SignIn(id, teams.Desktop) }

func then(steps ...func(*Scenario, teams.UserID) error) func(*Scenario, teams.UserID) error {
	return func(s *Scenario, id teams.UserID) error {
		for _, st := range steps {
			if err := st(s, id); err != nil {
				return err
			}
		}
		return nil
	}
}

func manual(p presence.Presence) func(*Scenario, teams.UserID) error {
	return func(s *Scenario, id teams.UserID) error {
		return s.world.Teams.SetPreferred(id, p, 0, teams.ViaClient)
	}
}

func inCallWithPeer(s *Scenario, id teams.UserID) error {
	peer, err := s.world.Teams.User("bob")
	if err != nil {
		return err
	}
	_, err = s.world.Teams.StartCall(id, peer)
	return err
}

func calendarNow(show teams.ShowAs) func(*Scenario, teams.UserID) error {
	return func(s *Scenario, id teams.UserID) error {
		now := s.world.Clock.Now()
		_, err := s.world.Teams.AddAppointment(id, show.String(), now, now.Add(time.Hour), show)
		if err == nil {
			err = s.world.Clock.RunUntil(now) // the entry starts now
		}
		return err
	}
}

func autoReplies(s *Scenario, id teams.UserID) error { return s.world.Teams.SetAutoReplies(id, true) }

func passes(d time.Duration) func(*Scenario, teams.UserID) error {
	return func(s *Scenario, _ teams.UserID) error { return s.world.Clock.Advance(d) }
}

var (
	lockComputer = func(s *Scenario, id teams.UserID) error { return s.world.Teams.LockComputer(id) }
	goIdle       = func(s *Scenario, id teams.UserID) error { return s.world.Teams.GoIdle(id, teams.Desktop) }
	crashDesktop = func(s *Scenario, id teams.UserID) error { return s.world.Teams.Crash(id, teams.Desktop) }
	presenting   = func(s *Scenario, id teams.UserID) error { return s.world.Teams.StartPresenting(id) }
	inMeeting    = func(s *Scenario, id teams.UserID) error { return s.world.Teams.JoinMeeting(id) }
	lookupFails  = func(s *Scenario, id teams.UserID) error { s.world.Teams.SetFederationFails(id, true); return nil }
	nothing      = func(*Scenario, teams.UserID) error { return nil }
)

// seed000States: seed 000's Status column.
var seed000States = map[string]situation{
	"Unknown":      {then(signedIn, lookupFails), true}, // "Meist funktioniert eine Abfrage per Federation … nicht"
	"Offline":      {nothing, false},                    // signed in nowhere
	"Available":    {signedIn, false},
	"Away":         {then(signedIn, lockComputer), false}, // "der Bildschirm ist gesperrt"
	"Busy":         {then(signedIn, manual(presence.Of(presence.Busy, presence.ActBusy))), false},
	"doNotDisturb": {then(signedIn, manual(presence.Of(presence.DoNotDisturb, presence.ActDoNotDisturb))), false},
	"Idle":         {then(signedIn, goIdle), false},
	"onThePhone":   {then(signedIn, inCallWithPeer), false},
	"beRightBack":  {then(signedIn, manual(presence.Of(presence.BeRightBack, presence.ActBeRightBack))), false},
	"presenting":   {then(signedIn, presenting), false},
	"inAMeeting":   {then(signedIn, inMeeting), false},
}

// seed003States: seed 003's app-configured column, or its user-configured
// column where the other is empty.
var seed003States = map[string]situation{
	"Verfügbar":                       {signedIn, false},
	"Verfügbar, ausser Haus.":         {then(signedIn, autoReplies), false},
	"Beschäftigt":                     {then(signedIn, manual(presence.Of(presence.Busy, presence.ActBusy))), false},
	"In einem Anruf":                  {then(signedIn, inCallWithPeer), false},
	"In einer Besprechung":            {then(signedIn, calendarNow(teams.ShowBusy)), false},
	"Bei einem Anruf, ausser Haus":    {then(signedIn, inCallWithPeer, autoReplies), false},
	"Präsentieren":                    {then(signedIn, presenting), false},
	"Konzentration.":                  {then(signedIn, calendarNow(teams.ShowFocus)), false},
	"Weg":                             {then(signedIn, lockComputer), false},
	"Zeitpunkt für «Zuletzt gesehen»": {then(signedIn, passes(10*time.Minute)), false},
	"Bin gleich zurück":               {then(signedIn, manual(presence.Of(presence.BeRightBack, presence.ActBeRightBack))), false},
	// "Wenn Benutzer während einigen Minuten nicht auf ihren Geräten
	// angemeldet sind, erscheinen Sie als Offline" (T-ACT-4)
	"Offline.":         {then(signedIn, crashDesktop, passes(5*time.Minute)), false},
	"Status unbekannt": {then(signedIn, lookupFails), true},
	"Abwesenheit.":     {then(signedIn, autoReplies), false},
}

// blankReach is what the model decides where seed 000's Chat and Call cells
// are empty: the T-REACH-1 outcome of the state's availability.
var blankReach = map[string][2]string{
	"Unknown":    {"Ja", "Ja"},
	"presenting": {"Still", "CVM"},
	"inAMeeting": {"Ja", "Ja"},
}

func registerStates(sc *Scenario, r *registry) {
	s := &seedStateSteps{viewSteps: viewSteps{sc}}
	r.step(`^(\w+) is "([^"]*)" as seed 000 has it$`, `alice is "onThePhone" as seed 000 has it`, s.seed000Is)
	r.step(`^Teams shows (\w+) as "([^"]*)"$`, `Teams shows alice as "onThePhone"`, s.seed000Shows)
	r.step(`^(\w+)'s "([^"]*)" is set by "([^"]*)"$`, `alice's "Busy" is set by "Kalender/Manuell"`, s.setBy)
	r.step(`^a chat to (\w+) is "([^"]*)" and a call "([^"]*)"$`, `a chat to alice is "Still" and a call "CVM"`, s.chatAndCall)
	r.step(`^(\w+) is "([^"]*)" under "([^"]*)" as seed 003 has it$`, `alice is "In einem Anruf" under "Beschäftigt" as seed 003 has it`, s.seed003Is)
	r.step(`^Teams shows (\w+) as "([^"]*)" under "([^"]*)"$`, `Teams shows alice as "In einem Anruf" under "Beschäftigt"`, s.seed003Shows)
}

// seedStateSteps are the seeds' state tables: each row entered as the seed
// describes it and checked in the seed's words.
type seedStateSteps struct {
	viewSteps
	// outside and status are the row the scenario entered: whether only
	// people outside the organisation are shown its word, and its key
	outside bool
	status  string
}

func rowKey(app, user string) string {
	if app == "" {
		return user
	}
	return app
}

func (s *seedStateSteps) enter(table map[string]situation, seed, key, name string) error {
	st, ok := table[key]
	if !ok {
		known := make([]string, 0, len(table))
		for k := range table {
			known = append(known, fmt.Sprintf("%q", k))
		}
		sort.Strings(known)
		return fmt.Errorf("seed %s's table has no state %q here; known: %s", seed, key, strings.Join(known, ", "))
	}
	return s.onUser(name, func(id teams.UserID) error {
		s.outside, s.status = st.outside, key
		return st.setup(s.Scenario, id)
	})
}

func (s *seedStateSteps) seed000Is(name, status string) error {
	return s.enter(seed000States, "000", status, name)
}
func (s *seedStateSteps) seed003Is(name, app, user string) error {
	return s.enter(seed003States, "003", rowKey(app, user), name)
}

// rowViewer is who sees the row's word: a colleague, or the federated user
// for a state only people outside are shown.
func (s *seedStateSteps) rowViewer() (string, error) {
	if s.outside {
		for _, n := range s.world.Teams.UserNames() {
			id, _ := s.world.Teams.User(n)
			if s.world.Teams.Dir(id).Org != sim.DefaultOrg {
				return n, nil
			}
		}
		return "", fmt.Errorf("the state is shown to people outside the organisation; introduce one, e.g. \"dave is a federated user from fabrikam\"")
	}
	return "bob", nil
}

// showsWord checks what the row's viewer sees against a word of a seed
// table, by the word's kind: a presence, the out-of-office indicator, or
// Away with a last-seen time.
func (s *seedStateSteps) showsWord(name, word string) error {
	viewer, err := s.rowViewer()
	if err != nil {
		return err
	}
	t, ok := presence.Lookup(word)
	if !ok {
		p, err := presence.Parse(word)
		if err != nil {
			return err
		}
		t = presence.Term{Label: word, Presence: p}
	}
	switch t.Kind {
	case presence.KindOutOfOffice:
		v, err := s.user(viewer)
		if err != nil {
			return err
		}
		return s.onUser(name, func(id teams.UserID) error {
			got, rule := s.world.Teams.ViewAs(id, v)
			return s.Is(View{Name: viewer + "'s view of " + name, Want: fmt.Sprintf("out of office (%q, %s)", word, t.Source), Why: s.explain(id),
				Read: func() (any, bool, string) {
					return got.Described(), got.OutOfOffice, "by " + rule
				}})
		})
	case presence.KindLastSeen:
		return s.onUser(name, func(id teams.UserID) error {
			v, err := s.user(viewer)
			if err != nil {
				return err
			}
			at, shown := s.world.Teams.LastSeen(id, v)
			if !shown {
				got, rule := s.world.Teams.ViewAs(id, v)
				return &AssertionError{Message: fmt.Sprintf("%s's view of %s at %s: expected %q (%s): Away with a last-seen time, the model shows %s by %s without one", viewer, name, s.world.Clock.Now(), word, t.Source, got.Described(), rule), Why: s.explain(id)()}
			}
			return s.sees(viewer, name, fmt.Sprintf("%s, last seen %s", t.Presence.Short(), at), "")
		})
	case presence.KindPresence:
		return s.sees(viewer, name, word, "")
	}
	return fmt.Errorf("%q (%s) is the %s, not something Teams shows as a state", word, t.Source, t.Kind)
}

func (s *seedStateSteps) seed000Shows(name, status string) error { return s.showsWord(name, status) }

// seed003Shows checks a row of seed 003: inside the organisation the
// app-configured word (the user-configured one where it is empty); outside,
// the user-configured level (T-FED-1); and that the user-configured level
// is what a user sets by hand, the app-configured word alone not (T-MAN-1).
func (s *seedStateSteps) seed003Shows(name, app, user string) error {
	if err := s.showsWord(name, rowKey(app, user)); err != nil {
		return err
	}
	if user == "" {
		p, err := presence.Parse(app)
		if err != nil {
			p = presence.Presence{OutOfOffice: true} // the out-of-office indicator
		}
		if presence.PreferredPairs.Accepts(p) && !p.OutOfOffice {
			return &AssertionError{Message: fmt.Sprintf("seed 003 lists %q under no user-configured state, yet a user can set %s by hand (T-MAN-1, G-PREF-1)", app, p.Short())}
		}
		return nil
	}
	level, err := presence.Parse(user)
	if err != nil {
		return err
	}
	if !presence.PreferredPairs.Accepts(level) {
		return &AssertionError{Message: fmt.Sprintf("seed 003's user-configured %q is %s, which a user cannot set by hand (T-MAN-1, G-PREF-1)", user, level.Short())}
	}
	return s.onUser(name, func(id teams.UserID) error {
		if s.outside {
			return nil // the row's word is the outside view, checked above
		}
		return s.Is(View{Name: fmt.Sprintf("the level (%q) of the federated view of %s", user, name), Want: level.Availability, Why: s.explain(id),
			Read: func() (any, bool, string) {
				got, rule := s.world.Teams.Federated(id)
				return got.Availability, got.Availability == level.Availability, "by " + rule + " from " + got.Short()
			}})
	})
}

// setBy checks seed 000's Aktivierbar cell against the model, in a world of
// its own so the scenario's world is untouched: "Manuell" says the state can
// be set by hand (T-MAN-1), its absence that it cannot; "Kalender" that a
// calendar appointment shows the state's availability (T-CAL-1).
func (s *seedStateSteps) setBy(name, status, by string) error {
	p, err := presence.Parse(status)
	if err != nil {
		return err
	}
	who := map[string]bool{}
	for _, w := range strings.Split(by, "/") {
		if w = strings.TrimSpace(w); w != "" {
			switch w {
			case "System", "Manuell", "Kalender":
				who[w] = true
			default:
				return fmt.Errorf("unknown Aktivierbar %q in %q; seed 000 writes System, Manuell, Kalender", w, by)
			}
		}
	}
	byHand := presence.PreferredPairs.Accepts(p)
	if byHand != who["Manuell"] {
		can := "cannot"
		if byHand {
			can = "can"
		}
		return &AssertionError{Message: fmt.Sprintf("seed 000: %q is set by %q, but in the model a user %s set %s by hand (T-MAN-1, G-PREF-1)", status, by, can, p.Short())}
	}
	if who["Kalender"] {
		w, err := sim.New(1, s.world.Teams.Settings())
		if err != nil {
			return err
		}
		id, err := w.AddUser(name, "")
		if err != nil {
			return err
		}
		if err := w.Teams.SignIn(id, teams.Mobile); err != nil {
			return err
		}
		now := w.Clock.Now()
		if _, err := w.Teams.AddAppointment(id, "Termin", now, now.Add(time.Hour), teams.ShowBusy); err != nil {
			return err
		}
		if err := w.Clock.RunUntil(now); err != nil {
			return err
		}
		if got := w.Teams.Presence(id); got.Availability != p.Availability {
			return &AssertionError{Message: fmt.Sprintf("seed 000: %q is set by %q, but a calendar appointment shows %s, not %s (T-CAL-1)", status, by, got.Described(), p.Availability)}
		}
	}
	return nil
}

// chatAndCall checks seed 000's Chat and Call cells against T-REACH-1: "Ja"
// is a chat with a banner and a call that rings, "Still" a chat without a
// banner (or held while Offline), "CVM" a call to cloud voicemail. Where the
// seed leaves both empty, the model's decided outcome (blankReach) is
// checked instead.
func (s *seedStateSteps) chatAndCall(name, chat, call string) error {
	if chat == "" && call == "" {
		status := s.status
		d, ok := blankReach[status]
		if !ok {
			return fmt.Errorf("seed 000 gives no Chat or Call for %q and no decided outcome is listed", status)
		}
		chat, call = d[0], d[1]
	}
	from, err := s.user("bob")
	if err != nil {
		return err
	}
	return s.onUser(name, func(id teams.UserID) error {
		c, crule := s.world.Teams.Chat(id, from)
		k, krule := s.world.Teams.Call(id, from)
		okChat := map[string]bool{
			"Ja":    c == teams.Delivered,
			"Still": c == teams.DeliveredQuiet || c == teams.HeldUntilOnline,
		}
		okCall := map[string]bool{"Ja": k == teams.Rings, "CVM": k == teams.Voicemail}
		if _, known := okChat[chat]; !known {
			return fmt.Errorf("unknown Chat %q; seed 000 writes Ja or Still", chat)
		}
		if _, known := okCall[call]; !known {
			return fmt.Errorf("unknown Call %q; seed 000 writes Ja or CVM", call)
		}
		if !okChat[chat] || !okCall[call] {
			return &AssertionError{Message: fmt.Sprintf("seed 000 has Chat %q and Call %q for %s's state, the model: a chat %s (%s), a call %s (%s)", chat, call, name, c, crule, k, krule), Why: s.explain(id)()}
		}
		return nil
	})
}
