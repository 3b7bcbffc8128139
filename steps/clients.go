package steps

import (
	"fmt"
	"strings"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/teams"
)

const pron = `(?:her|his|their|the)`

func registerClients(s *Scenario, r *registry) {
	r.step(`^the users? (.+)$`, "the users alice, bob and carol", s.theUsers)
	r.step(`^(\w+) is a federated user from (\w+)$`, "dave is a federated user from fabrikam", s.federatedUser)
	r.step(`^(\w+) is signed in to Teams on (.+)$`, "alice is signed in to Teams on desktop and mobile", s.signedIn)
	r.step(`^(\w+) signs in to Teams on (\w+)$`, "alice signs in to Teams on web", s.signIn)
	r.step(`^(\w+) signs out of Teams on (\w+)$`, "alice signs out of Teams on desktop", s.signOut)
	r.step(`^(\w+) signs out of every Teams client$`, "alice signs out of every Teams client", s.signOutAll)
	r.step(`^(\w+) uses `+pron+` (\w+) client$`, "alice uses her desktop client", s.use)
	r.step(`^(\w+)'s (\w+) client goes idle$`, "alice's desktop client goes idle", s.goIdle)
	r.step(`^(\w+) locks `+pron+` computer$`, "alice locks her computer", s.lock)
	r.step(`^(\w+) tries to lock `+pron+` computer$`, "alice tries to lock her computer", s.tryLock)
	r.step(`^(\w+) unlocks `+pron+` computer$`, "alice unlocks her computer", s.unlock)
	r.step(`^(\w+)'s computer goes to sleep$`, "alice's computer goes to sleep", s.sleep)
	r.step(`^(\w+)'s computer wakes up$`, "alice's computer wakes up", s.wake)
	r.step(`^(\w+)'s (\w+) client (?:crashes|quits without signing out)$`, "alice's web client crashes", s.crash)
	r.step(`^(\w+) sends the mobile app to the background$`, "alice sends the mobile app to the background", s.background)
	r.step(`^(\w+)'s (\w+) client loses its network$`, "alice's desktop client loses its network", s.loseNetwork)
	r.step(`^(\w+)'s (\w+) client gets its network back$`, "alice's desktop client gets its network back", s.restoreNetwork)
	r.step(`^(\w+)'s (\w+) client reports ((?i:noNetwork|connectionError|authenticationFailed|newActivity))$`, "alice's web client reports authenticationFailed", s.indicator)
	r.step(`^(\w+) sees "([^"]*)" on `+pron+` (\w+) client$`, `alice sees "noNetwork" on her desktop client`, s.seesIndicator)
	r.step(`^(\w+) has (\d+) presence sessions?$`, "alice has 2 presence sessions", s.sessionCount)
}

func (s *Scenario) theUsers(list string) error {
	for _, n := range splitNames(list) {
		if _, err := s.introduce(n, ""); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scenario) federatedUser(name, org string) error {
	if strings.EqualFold(org, sim.DefaultOrg) {
		return fmt.Errorf("%s is the home organisation; name another tenant for a federated user", org)
	}
	_, err := s.introduce(name, org)
	return err
}

func parseKinds(list string) ([]teams.ClientKind, error) {
	var out []teams.ClientKind
	for _, n := range splitNames(list) {
		k, err := teams.ParseClientKind(n)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (s *Scenario) signedIn(name, list string) error {
	kinds, err := parseKinds(list)
	if err != nil {
		return err
	}
	id, err := s.introduce(name, "")
	if err != nil {
		return err
	}
	for _, k := range kinds {
		if err := s.world.Teams.SignIn(id, k); err != nil {
			return err
		}
	}
	return nil
}

// onClient resolves a user and a client kind and applies fn.
func (s *Scenario) onClient(name, kind string, fn func(teams.UserID, teams.ClientKind) error) error {
	id, err := s.user(name)
	if err != nil {
		return err
	}
	k, err := teams.ParseClientKind(kind)
	if err != nil {
		return err
	}
	return fn(id, k)
}

// onUser resolves a user and applies fn.
func (s *Scenario) onUser(name string, fn func(teams.UserID) error) error {
	id, err := s.user(name)
	if err != nil {
		return err
	}
	return fn(id)
}

func (s *Scenario) signIn(name, kind string) error {
	return s.onClient(name, kind, s.world.Teams.SignIn)
}
func (s *Scenario) signOut(name, kind string) error {
	return s.onClient(name, kind, s.world.Teams.SignOut)
}
func (s *Scenario) signOutAll(name string) error {
	return s.onUser(name, func(id teams.UserID) error {
		for _, k := range teams.ClientKinds() {
			if err := s.world.Teams.SignOut(id, k); err != nil {
				return err
			}
		}
		return nil
	})
}
func (s *Scenario) use(name, kind string) error { return s.onClient(name, kind, s.world.Teams.Use) }
func (s *Scenario) goIdle(name, kind string) error {
	return s.onClient(name, kind, s.world.Teams.GoIdle)
}

// The computer's lock and sleep touch every Teams client on it: the desktop
// app and a web client in its browser (T-ACT-2).
func (s *Scenario) lock(name string) error   { return s.onUser(name, s.world.Teams.LockComputer) }
func (s *Scenario) unlock(name string) error { return s.onUser(name, s.world.Teams.UnlockComputer) }
func (s *Scenario) sleep(name string) error  { return s.onUser(name, s.world.Teams.SleepComputer) }
func (s *Scenario) wake(name string) error   { return s.onUser(name, s.world.Teams.WakeComputer) }
func (s *Scenario) tryLock(name string) error {
	return s.onUser(name, func(id teams.UserID) error {
		if s.refused = s.world.Teams.LockComputer(id); s.refused == nil {
			s.refused = errAccepted
		}
		return nil
	})
}
func (s *Scenario) crash(name, kind string) error {
	return s.onClient(name, kind, s.world.Teams.Crash)
}
func (s *Scenario) background(name string) error { return s.onUser(name, s.world.Teams.Background) }
func (s *Scenario) loseNetwork(name, kind string) error {
	return s.onClient(name, kind, s.world.Teams.LoseNetwork)
}
func (s *Scenario) restoreNetwork(name, kind string) error {
	return s.onClient(name, kind, s.world.Teams.RestoreNetwork)
}
func (s *Scenario) indicator(name, kind, ind string) error {
	return s.onClient(name, kind, func(id teams.UserID, k teams.ClientKind) error {
		return s.world.Teams.SetIndicator(id, k, teams.ParseIndicator(ind))
	})
}

func (s *Scenario) seesIndicator(name, want, kind string) error {
	return s.onClient(name, kind, func(id teams.UserID, k teams.ClientKind) error {
		p, ind := s.world.Teams.OwnView(id, k)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(string(ind)).To(equal(want), "%s's own %s client shows presence %s with local indicator %q (T-LOCAL-1)", name, k, p.Short(), ind)
		})
	})
}

func (s *Scenario) sessionCount(name string, n int) error {
	return s.onUser(name, func(id teams.UserID) error {
		e := s.world.Teams.Explain(id)
		return Check(s.explain(id), func(g gomegaG) {
			g.Expect(e.Sessions).To(equal(n), "number of live presence sessions of %s", name)
		})
	})
}
