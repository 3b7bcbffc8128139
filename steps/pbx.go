package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/onsi/gomega"

	"github.com/presencesim/presencesim/sim/pbx"
	"github.com/presencesim/presencesim/sim/presence"
)

// pbxSteps are the steps of the PBX: lines, calls on them and the presence
// the PBX shows.
type pbxSteps struct{ *Scenario }

// device is the pattern of a device name in a step; the name is checked by
// pbx.ParseDevice so a wrong one gets the list of devices.
const device = `([\w -]+?)`

func registerPBX(sc *Scenario, r *registry) {
	s := pbxSteps{sc}
	r.step(`^(\w+) has (.+) on the PBX$`, "alice has a desk phone and a softphone on the PBX", s.hasDevices)
	r.step(`^(\w+)'s `+device+` goes off-hook$`, "alice's desk phone goes off-hook", s.lineEvent(pbx.OffHook))
	r.step(`^(\w+)'s `+device+` rings$`, "alice's desk phone rings", s.lineEvent(pbx.Incoming))
	r.step(`^(\w+) answers `+pron+` `+device+`$`, "alice answers her desk phone", s.lineEvent(pbx.Answer))
	r.step(`^the call on (\w+)'s `+device+` is answered$`, "the call on alice's desk phone is answered", s.lineEvent(pbx.Answer))
	r.step(`^(\w+) puts the call on `+pron+` `+device+` on hold$`, "alice puts the call on her desk phone on hold", s.lineEvent(pbx.Hold))
	r.step(`^(\w+) retrieves the call on `+pron+` `+device+`$`, "alice retrieves the call on her desk phone", s.lineEvent(pbx.Retrieve))
	r.step(`^(\w+) hangs up `+pron+` `+device+`$`, "alice hangs up her desk phone", s.lineEvent(pbx.HangUp))
	r.step(`^(\w+) unplugs `+pron+` `+device+`$`, "alice unplugs her desk phone", s.lineEvent(pbx.Unplug))
	r.step(`^(\w+) plugs `+pron+` `+device+` back in$`, "alice plugs her desk phone back in", s.lineEvent(pbx.PlugIn))
	r.step(`^(\w+) (makes|takes) a call on `+pron+` `+device+`$`, "alice makes a call on her desk phone", s.makesCall)
	r.step(`^(\w+)'s `+device+` line is (\w+)(?: \((call made|call received)\))?$`, "alice's desk phone line is connected (call made)", s.lineIs)
	r.step(`^(\w+) sets (.+?) (on `+pron+` desk phone|in the self-service portal|in Mitel One|in MiCollab)$`, "alice sets Besprechung on her desk phone", s.setsPBXPresence)
	r.step(`^the PBX shows (\w+)'s user presence as (.+)$`, "the PBX shows alice's user presence as Besetzt oder Meeting", s.shows)
	r.step(`^the admin renames the MiVO400 state "([^"]+)" to "([^"]+)"$`, `the admin renames the MiVO400 state "Besprechung" to "Kundentermin"`, s.renameState)
	r.step(`^the PBX has no user presence$`, "the PBX has no user presence", s.noUserPresence)
}

// pbxUser resolves an introduced user to its PBX user, creating it (with a
// desk phone) on first use. CloudLink is attached with the PBX.
func (s *Scenario) pbxUser(ctx context.Context, name string) (*clState, int, error) {
	st, err := s.cloudlink(ctx)
	if err != nil {
		return nil, 0, err
	}
	id, err := s.user(name)
	if err != nil {
		return nil, 0, err
	}
	i, err := st.cl.PBX().Ensure(id)
	return st, i, err
}

func (s pbxSteps) hasDevices(ctx context.Context, name, list string) error {
	st, i, err := s.pbxUser(ctx, name)
	if err != nil {
		return err
	}
	for _, n := range splitNames(list) {
		n = strings.TrimPrefix(strings.TrimPrefix(n, "a "), "an ")
		d, err := pbx.ParseDevice(n)
		if err != nil {
			return err
		}
		if err := st.cl.PBX().AddDevice(i, d); err != nil {
			return err
		}
	}
	return nil
}

// device resolves a step's user on the PBX and the device it names.
func (s pbxSteps) device(ctx context.Context, name, dev string) (*clState, int, pbx.Device, error) {
	st, i, err := s.pbxUser(ctx, name)
	if err != nil {
		return nil, 0, 0, err
	}
	d, err := pbx.ParseDevice(dev)
	return st, i, d, err
}

func (s pbxSteps) lineEvent(ev pbx.LineEvent) func(context.Context, string, string) error {
	return func(ctx context.Context, name, dev string) error {
		st, i, d, err := s.device(ctx, name, dev)
		if err != nil {
			return err
		}
		return st.cl.PBX().LineEvent(i, d, ev)
	}
}

func (s pbxSteps) makesCall(ctx context.Context, name, verb, dev string) error {
	first := pbx.OffHook
	if verb == "takes" {
		first = pbx.Incoming
	}
	if err := s.lineEvent(first)(ctx, name, dev); err != nil {
		return err
	}
	return s.lineEvent(pbx.Answer)(ctx, name, dev)
}

func (s pbxSteps) lineIs(ctx context.Context, name, dev, state, dir string) error {
	st, i, d, err := s.device(ctx, name, dev)
	if err != nil {
		return err
	}
	want, err := pbx.ParseCallState(state)
	if err != nil {
		return err
	}
	l := st.cl.PBX().UserAt(i).Line(d)
	if !l.Present {
		return fmt.Errorf("%s has no %s on the PBX; add it with \"%s has a %s on the PBX\"", name, d, name, d)
	}
	return Check(func() string { return st.cl.PBX().Explain(i) }, func(g gomegaG) {
		g.Expect(l.State).To(equal(want), "state of %s's %s line", name, d)
		if dir != "" {
			g.Expect("call "+l.Dir.String()).To(equal(dir), "direction of the call on %s's %s", name, d)
		}
	})
}

// placeVia maps the step's wording to where a presence is set.
var placeVia = map[string]pbx.Via{
	"in the self-service portal": pbx.ViaPortal,
	"in Mitel One":               pbx.ViaMitelOne,
	"in MiCollab":                pbx.ViaMiCollab,
}

func (s pbxSteps) setsPBXPresence(ctx context.Context, name, state, place string) error {
	st, i, err := s.pbxUser(ctx, name)
	if err != nil {
		return err
	}
	via, ok := placeVia[place]
	if !ok {
		via = pbx.ViaPhone
	}
	m := st.cl.PBX()
	switch via {
	case pbx.ViaMitelOne:
		mo, err := pbx.ParseMitelOne(state)
		if err != nil {
			return err
		}
		return m.SetMitelOne(i, mo)
	case pbx.ViaMiCollab:
		p, err := presence.Parse(state)
		if err != nil {
			return err
		}
		return m.SetMiCollab(i, p.Availability)
	}
	us, err := m.ParseUserState(state)
	if err != nil {
		return err
	}
	return m.SetUserPresence(i, us, via)
}

// alternatives splits a table cell like "Besetzt oder Meeting" (seed 002's
// wording for "either of these").
func alternatives(cell string) []string {
	var out []string
	for _, a := range strings.Split(cell, " oder ") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func (s pbxSteps) shows(ctx context.Context, name, cell string) error {
	st, i, err := s.pbxUser(ctx, name)
	if err != nil {
		return err
	}
	m := st.cl.PBX()
	var want []pbx.UserState
	for _, a := range alternatives(cell) {
		us, err := m.ParseUserState(a)
		if err != nil {
			return err
		}
		want = append(want, us)
	}
	got := m.UserAt(i).State
	return Check(func() string { return m.Explain(i) }, func(g gomegaG) {
		g.Expect(want).To(gomega.ContainElement(got), "%s's MiVO400 user presence: expected %q, the PBX has %s (%q) (CL-5)", name, cell, got, m.Label(got))
	})
}

func (s pbxSteps) renameState(ctx context.Context, from, to string) error {
	st, err := s.cloudlink(ctx)
	if err != nil {
		return err
	}
	us, err := st.cl.PBX().ParseUserState(from)
	if err != nil {
		return err
	}
	return st.cl.PBX().RenameState(us, to)
}

func (s pbxSteps) noUserPresence(ctx context.Context) error {
	st, err := s.cloudlink(ctx)
	if err != nil {
		return err
	}
	m := st.cl.PBX()
	set := m.Settings()
	set.UserPresence = false
	if err := m.SetSettings(set); err != nil {
		return err
	}
	st.cl.SyncAll()
	return nil
}
