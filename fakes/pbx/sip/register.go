package sip

import (
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/presencesim/presencesim/sim"
)

// binding is one registered contact of an extension.
type binding struct {
	contact sip.Uri
	expires time.Time
}

// register answers a REGISTER: the extension in To, authenticated with its
// own SIP password, binds, refreshes or removes its contacts.
func (s *Server) register(req *sip.Request, tx sip.ServerTransaction) {
	to, callID := req.To(), req.CallID()
	if to == nil || req.From() == nil || callID == nil || req.CSeq() == nil {
		s.bad(req, tx, "From, To, Call-ID and CSeq are required")
		return
	}
	ext := to.Address.User
	def, code, why := s.expiresOf(req, s.opt.MaxExpires)
	if code != 0 {
		s.respond(req, tx, code, why, []sip.Header{sip.NewHeader("Min-Expires", strconv.Itoa(int(s.opt.MinExpires/time.Second)))})
		return
	}
	type change struct {
		uri sip.Uri
		d   time.Duration
	}
	var changes []change
	wildcard := false
	for _, h := range req.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			s.bad(req, tx, "malformed Contact")
			return
		}
		if c.Address.Wildcard {
			wildcard = true
			continue
		}
		d := def
		if v, ok := c.Params.Get("expires"); ok {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				s.bad(req, tx, "Contact expires is not a number of seconds")
				return
			}
			d = min(time.Duration(n)*time.Second, s.opt.MaxExpires)
			if d > 0 && d < s.opt.MinExpires {
				s.respond(req, tx, 423, "Interval Too Brief", []sip.Header{sip.NewHeader("Min-Expires", strconv.Itoa(int(s.opt.MinExpires/time.Second)))})
				return
			}
		}
		if len(changes) == s.opt.MaxContacts {
			s.bad(req, tx, "too many contacts in one REGISTER")
			return
		}
		changes = append(changes, change{c.Address, d})
	}
	if wildcard && (len(changes) > 0 || def != 0) {
		s.bad(req, tx, "Contact: * goes alone and with Expires: 0")
		return
	}
	var status int
	var reason string
	var hs []sip.Header
	var now time.Time
	var current []binding
	_ = s.lw.Do(func(*sim.World) error {
		status, reason, hs = s.authorize(req)
		if status != 0 {
			return nil
		}
		if user := authUser(req); user != ext {
			status, reason = sip.StatusForbidden, "Forbidden - "+clip(user)+" may not register "+clip(ext)
			return nil
		}
		if _, ok := s.extension(ext); !ok {
			status, reason = sip.StatusNotFound, "Not Found - no extension "+clip(ext)
			return nil
		}
		now = time.Now()
		s.mu.Lock()
		defer s.mu.Unlock()
		bs := s.live(ext, now)
		if wildcard {
			s.nregs -= len(bs)
			delete(s.regs, ext)
			return nil
		}
		for _, c := range changes {
			k := indexOf(bs, c.uri)
			switch {
			case c.d == 0 && k >= 0:
				bs = append(bs[:k], bs[k+1:]...)
				s.nregs--
			case c.d == 0:
			case k >= 0:
				bs[k].expires = now.Add(c.d)
			case len(bs) >= s.opt.MaxContacts:
				status, reason = sip.StatusForbidden, "Forbidden - "+strconv.Itoa(s.opt.MaxContacts)+" contacts is the most one extension registers"
			case s.nregs >= s.opt.MaxRegistrations && s.sweep(now) >= s.opt.MaxRegistrations:
				status, reason, hs = sip.StatusServiceUnavailable, "Service Unavailable - "+strconv.Itoa(s.opt.MaxRegistrations)+" contacts are registered, the most this PBX keeps", []sip.Header{sip.NewHeader("Retry-After", "30")}
			default:
				bs = append(bs, binding{c.uri, now.Add(c.d)})
				s.nregs++
			}
			if status != 0 {
				s.n.regsRefused.Add(1)
				break
			}
		}
		if len(bs) == 0 {
			delete(s.regs, ext)
		} else {
			s.regs[ext] = bs
		}
		current = append(current, bs...)
		return nil
	})
	if status != 0 {
		if status == sip.StatusUnauthorized || status == sip.StatusForbidden {
			s.n.authFailed.Add(1)
		}
		s.respond(req, tx, status, reason, hs)
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	for _, b := range current {
		p := sip.NewParams()
		p.Add("expires", strconv.Itoa(int(b.expires.Sub(now)/time.Second)))
		res.AppendHeader(&sip.ContactHeader{Address: b.contact, Params: p})
	}
	_ = tx.Respond(res)
}

// authUser is the user name of a request's credentials.
func authUser(req *sip.Request) string {
	h := req.GetHeader("Authorization")
	if h == nil {
		return ""
	}
	user, _ := parseCredentials(h.Value())
	return user
}

// live drops an extension's expired contacts and returns the rest; with
// s.mu held.
func (s *Server) live(ext string, now time.Time) []binding {
	bs := s.regs[ext]
	out := bs[:0]
	for _, b := range bs {
		if now.Before(b.expires) {
			out = append(out, b)
		} else {
			s.nregs--
		}
	}
	return out
}

// sweep drops every expired contact and returns how many remain.
func (s *Server) sweep(now time.Time) int {
	for ext := range s.regs {
		if bs := s.live(ext, now); len(bs) == 0 {
			delete(s.regs, ext)
		} else {
			s.regs[ext] = bs
		}
	}
	return s.nregs
}

func indexOf(bs []binding, u sip.Uri) int {
	for k, b := range bs {
		if b.contact.String() == u.String() {
			return k
		}
	}
	return -1
}
