package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
)

// SIPAccount is the user whose extension a PBX connector registers and
// subscribes as; SIPAccountExtension is that extension, apart from the
// extensions the PBX numbers from 201.
const (
	SIPAccount          = "pbxconnector"
	SIPAccountExtension = "9000"
)

// addSIPAccount gives the world the PBX connector's own extension, with a
// SIP password made for the session.
func addSIPAccount(w *sim.World) (ext, password string, err error) {
	u, err := w.AddUser(SIPAccount, "")
	if err != nil {
		return "", "", fmt.Errorf("adding the PBX connector's SIP account: %w", err)
	}
	m := pbx.Of(w)
	i, err := m.Ensure(u)
	if err != nil {
		return "", "", fmt.Errorf("adding the PBX connector's SIP account: %w", err)
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	password = hex.EncodeToString(b)
	ext = SIPAccountExtension
	if _, err := m.Lookup(ext); err == nil {
		// a tenant of thousands numbers a user 9000: keep the account's
		// own number, past every other
		ext = ""
	}
	if err := m.SetSIP(i, ext, password); err != nil {
		return "", "", fmt.Errorf("adding the PBX connector's SIP account: %w", err)
	}
	return m.UserAt(i).Extension, password, nil
}

// contacts counts the connector's requests to Graph and to the PBX: the
// JSON API, and for a PBX connector its SIP registrations and
// subscriptions too.
func (s *Session) contacts() (graph, pbx int) {
	g, p := s.wire.contacts()
	if s.target.Integration == "pbx" && s.srv != nil {
		if sv := s.srv.SIP(); sv != nil {
			st := sv.Stats()
			p += st.Registrations + st.Subscriptions
		}
	}
	return g, p
}

// SIP is the PBX's SIP server, nil when the session serves none.
func (s *Session) SIP() *pbxsip.Server {
	if s.srv == nil {
		return nil
	}
	return s.srv.SIP()
}

// sipWhere names the PBX's SIP address in a message, where it has one.
func (s *Session) sipWhere() string {
	if s.target.Integration != "pbx" || s.Env.SIPAddr == "" {
		return ""
	}
	return " or sip:" + s.Env.SIPAddr
}
