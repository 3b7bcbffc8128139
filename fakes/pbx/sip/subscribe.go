package sip

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/pbx"
)

// eventPkg is an event package the PBX serves.
type eventPkg uint8

const (
	pkgDialog eventPkg = iota + 1
	pkgPresence
)

var pkgNames = map[eventPkg]string{pkgDialog: "dialog", pkgPresence: "presence"}

const allowEvents = "dialog, presence"

// subscription is one SUBSCRIBE dialog. Its fields up to mu are set when
// it is made; version and expires change with s.mu held; the queue has
// its own lock, held last.
type subscription struct {
	key       string
	pkg       eventPkg
	user      int
	entity    string // sip:201@domain
	callID    string
	remote    sip.Uri // the subscriber (From)
	remoteTag string
	local     sip.Uri // the watched extension (To)
	localTag  string
	target    sip.Uri // the subscriber's Contact: the NOTIFY's Request-URI
	dest      string  // where the SUBSCRIBE came from: NOTIFYs go back there
	transport string

	version uint64
	expires time.Time
	timer   *time.Timer

	mu      sync.Mutex
	queue   []notify
	started bool // the SUBSCRIBE is answered: NOTIFYs may go
	running bool // a sender drains the queue
	ended   bool // the final NOTIFY is queued
	cseq    uint32
}

type notify struct {
	body  []byte
	state string // Subscription-State
}

// subscribe answers a SUBSCRIBE: a refresh or unsubscribe within a dialog
// of this server, or a new subscription of an authenticated extension to
// an extension's dialog or presence events.
func (s *Server) subscribe(req *sip.Request, tx sip.ServerTransaction) {
	ev := req.GetHeader("Event")
	if ev == nil {
		s.bad(req, tx, "SUBSCRIBE needs an Event header (dialog or presence)")
		return
	}
	name, _, _ := strings.Cut(ev.Value(), ";")
	var pkg eventPkg
	for p, n := range pkgNames {
		if strings.EqualFold(strings.TrimSpace(name), n) {
			pkg = p
		}
	}
	if pkg == 0 {
		s.respond(req, tx, 489, "Bad Event", []sip.Header{sip.NewHeader("Allow-Events", allowEvents)})
		return
	}
	from, to, callID := req.From(), req.To(), req.CallID()
	if from == nil || to == nil || callID == nil || req.CSeq() == nil {
		s.bad(req, tx, "From, To, Call-ID and CSeq are required")
		return
	}
	fromTag, _ := from.Params.Get("tag")
	if fromTag == "" {
		s.bad(req, tx, "the From header needs a tag")
		return
	}
	d, code, why := s.expiresOf(req, s.opt.MaxExpires)
	if code != 0 {
		hs := []sip.Header(nil)
		if code == 423 {
			hs = append(hs, sip.NewHeader("Min-Expires", strconv.Itoa(int(s.opt.MinExpires/time.Second))))
		}
		s.respond(req, tx, code, why, hs)
		return
	}
	if toTag, ok := to.Params.Get("tag"); ok {
		s.refresh(req, tx, dialogKey(string(*callID), fromTag, toTag), pkg, d)
		return
	}
	contact := req.Contact()
	if contact == nil || contact.Address.Host == "" {
		s.bad(req, tx, "SUBSCRIBE needs a Contact to send NOTIFYs to")
		return
	}
	ext := req.Recipient.User
	if ext == "" {
		ext = to.Address.User
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	localTag, _ := res.To().Params.Get("tag")
	sub := &subscription{pkg: pkg, callID: string(*callID), remote: from.Address, remoteTag: fromTag, local: to.Address, localTag: localTag,
		target: contact.Address, dest: req.Source(), transport: req.Transport()}
	sub.key = dialogKey(sub.callID, fromTag, localTag)
	var code2 int
	var reason string
	var hs []sip.Header
	_ = s.lw.Do(func(w *sim.World) error {
		code2, reason, hs = s.authorize(req)
		if code2 != 0 {
			return nil
		}
		i, ok := s.extension(ext)
		if !ok {
			code2, reason = sip.StatusNotFound, "Not Found - no extension "+clip(ext)
			return nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			code2, reason, hs = sip.StatusServiceUnavailable, "Service Unavailable", nil
			return nil
		}
		if len(s.subs) >= s.opt.MaxSubscriptions {
			s.n.subsRefused.Add(1)
			code2, reason, hs = sip.StatusServiceUnavailable, "Service Unavailable - "+strconv.Itoa(s.opt.MaxSubscriptions)+" subscriptions, the most this PBX keeps", []sip.Header{sip.NewHeader("Retry-After", "30")}
			return nil
		}
		if _, dup := s.subs[sub.key]; dup {
			code2, reason = sip.StatusBadRequest, "Bad Request - this dialog exists"
			return nil
		}
		sub.user, sub.entity = i, "sip:"+s.model.UserAt(i).Extension+"@"+s.opt.Domain
		now := w.Clock.Now()
		if d == 0 {
			// a fetch: one NOTIFY of the state, and no subscription
			sub.ended = true
			sub.queue = append(sub.queue, notify{s.bodyOf(sub, now, nil), "terminated;reason=timeout"})
			return nil
		}
		s.subs[sub.key] = sub
		s.peak = max(s.peak, len(s.subs))
		s.byUser[i] = append(s.byUser[i], sub)
		s.armLocked(sub, d)
		s.queueLocked(sub, s.bodyOf(sub, now, nil), "")
		return nil
	})
	if code2 != 0 {
		if code2 == sip.StatusUnauthorized || code2 == sip.StatusForbidden {
			s.n.authFailed.Add(1)
		}
		s.respond(req, tx, code2, reason, hs)
		return
	}
	res.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(d/time.Second))))
	res.AppendHeader(&sip.ContactHeader{Address: s.contactOf(sub.local.User)})
	_ = tx.Respond(res)
	s.start(sub)
}

func dialogKey(callID, remoteTag, localTag string) string {
	return callID + "\x00" + remoteTag + "\x00" + localTag
}

// refresh extends or ends a subscription of this server; an unknown
// dialog is 481.
func (s *Server) refresh(req *sip.Request, tx sip.ServerTransaction, key string, pkg eventPkg, d time.Duration) {
	found := false
	_ = s.lw.Do(func(w *sim.World) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		sub, ok := s.subs[key]
		if !ok || sub.pkg != pkg {
			return nil
		}
		found = true
		if d == 0 {
			s.endLocked(sub, w.Clock.Now(), "terminated")
			return nil
		}
		s.armLocked(sub, d)
		s.queueLocked(sub, s.bodyOf(sub, w.Clock.Now(), nil), "")
		return nil
	})
	if !found {
		s.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil)
		return
	}
	s.respond(req, tx, sip.StatusOK, "OK", []sip.Header{sip.NewHeader("Expires", strconv.Itoa(int(d/time.Second)))})
}

// extension finds the PBX user of an extension number; with the world
// locked. Found numbers are remembered (a tenant of thousands subscribes
// to each, and authenticates every request), checked on every use since a
// number may move to another user.
func (s *Server) extension(ext string) (int, bool) {
	if i, ok := s.exts[ext]; ok && i < s.model.Len() && s.model.UserAt(i).Extension == ext {
		return i, true
	}
	for i := 0; i < s.model.Len(); i++ {
		if s.model.UserAt(i).Extension == ext {
			if s.exts == nil {
				s.exts = map[string]int{}
			}
			s.exts[ext] = i
			return i, true
		}
	}
	return 0, false
}

// authorize checks a request's digest credentials against the SIP
// passwords; with the world locked. It is 0 when they hold, else the
// status to answer.
func (s *Server) authorize(req *sip.Request) (int, string, []sip.Header) {
	hdr := ""
	if h := req.GetHeader("Authorization"); h != nil {
		hdr = h.Value()
	}
	now := time.Now()
	res, _ := s.auth.verify(hdr, string(req.Method), s.opt.Realm, now, func(user string) (string, bool) {
		i, ok := s.extension(user)
		if !ok {
			return "", false
		}
		pw := s.model.UserAt(i).SIPPassword
		return pw, pw != ""
	})
	switch res {
	case authOK:
		return 0, "", nil
	case authBad:
		return sip.StatusForbidden, "Forbidden - wrong SIP credentials", nil
	}
	return sip.StatusUnauthorized, "Unauthorized", []sip.Header{sip.NewHeader("WWW-Authenticate", s.auth.challenge(s.opt.Realm, now, res == authStale))}
}

// contactOf is this server's Contact for an extension.
func (s *Server) contactOf(ext string) sip.Uri {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := sip.Uri{Scheme: "sip", User: ext, Host: s.opt.Domain}
	if len(s.addrs) > 0 {
		if _, p, err := splitPort(s.addrs[0].String()); err == nil {
			u.Port = p
		}
	}
	return u
}

func splitPort(hp string) (string, int, error) {
	i := strings.LastIndexByte(hp, ':')
	p, err := strconv.Atoi(hp[i+1:])
	return hp[:max(i, 0)], p, err
}

// bodyOf builds a subscription's next body; with the world locked and
// s.mu held. Each dialog-info document takes the next version.
func (s *Server) bodyOf(sub *subscription, now clock.Time, ev *pbx.Event) []byte {
	u := s.model.UserAt(sub.user)
	if sub.pkg == pkgPresence {
		return presenceOf(s.model, u, sub.entity, now).AppendXML(make([]byte, 0, 640))
	}
	if ev != nil && ev.Kind != pbx.LineChanged {
		ev = nil
	}
	di := DialogInfo{Version: sub.version, Entity: sub.entity, Dialogs: s.calls.dialogsOf(u, sub.user, ev)}
	sub.version++
	return di.AppendXML(make([]byte, 0, 512))
}

// armLocked (re)starts a subscription's expiry.
func (s *Server) armLocked(sub *subscription, d time.Duration) {
	sub.expires = time.Now().Add(d)
	if sub.timer != nil {
		sub.timer.Stop()
	}
	sub.timer = time.AfterFunc(d, func() { s.expire(sub) })
}

func (s *Server) expire(sub *subscription) {
	_ = s.lw.Do(func(w *sim.World) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.subs[sub.key] == sub && !time.Now().Before(sub.expires) {
			s.n.subsExpired.Add(1)
			s.endLocked(sub, w.Clock.Now(), "terminated;reason=timeout")
		}
		return nil
	})
}

// endLocked removes a subscription and queues its final NOTIFY; with the
// world locked and s.mu held.
func (s *Server) endLocked(sub *subscription, now clock.Time, state string) {
	if !s.removeLocked(sub) {
		return
	}
	s.queueLocked(sub, s.bodyOf(sub, now, nil), state)
	sub.mu.Lock()
	sub.ended = true
	sub.mu.Unlock()
}

// removeLocked forgets a subscription; false if it was gone.
func (s *Server) removeLocked(sub *subscription) bool {
	if s.subs[sub.key] != sub {
		return false
	}
	delete(s.subs, sub.key)
	list := s.byUser[sub.user]
	for k, x := range list {
		if x == sub {
			list = append(list[:k], list[k+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.byUser, sub.user)
	} else {
		s.byUser[sub.user] = list
	}
	if sub.timer != nil {
		sub.timer.Stop()
	}
	return true
}

// queueLocked queues a NOTIFY; state "" is active with the time left. A
// subscriber that falls QueueSize NOTIFYs behind loses its subscription.
func (s *Server) queueLocked(sub *subscription, body []byte, state string) {
	if state == "" {
		left := max(time.Until(sub.expires)/time.Second, 0)
		state = "active;expires=" + strconv.Itoa(int(left))
	}
	sub.mu.Lock()
	if sub.ended {
		sub.mu.Unlock()
		return
	}
	if len(sub.queue) >= s.opt.QueueSize {
		s.n.notifiesFailed.Add(uint64(len(sub.queue)))
		sub.queue, sub.ended = nil, true
		sub.mu.Unlock()
		s.removeLocked(sub)
		return
	}
	sub.queue = append(sub.queue, notify{body, state})
	s.kickLocked(sub)
	sub.mu.Unlock()
}

// start lets a subscription's NOTIFYs go once its SUBSCRIBE is answered.
func (s *Server) start(sub *subscription) {
	sub.mu.Lock()
	sub.started = true
	s.kickLocked(sub)
	sub.mu.Unlock()
}

// kickLocked starts a sender when NOTIFYs wait; with sub.mu held.
func (s *Server) kickLocked(sub *subscription) {
	if !sub.started || sub.running || len(sub.queue) == 0 {
		return
	}
	sub.running = true
	s.senders.Add(1)
	go s.drain(sub)
}

// drain sends a subscription's NOTIFYs one after the other, each after
// the last was answered, so they arrive in order on any transport.
func (s *Server) drain(sub *subscription) {
	defer s.senders.Done()
	for {
		sub.mu.Lock()
		if len(sub.queue) == 0 {
			sub.running = false
			sub.mu.Unlock()
			return
		}
		n := sub.queue[0]
		sub.queue = sub.queue[1:]
		sub.cseq++
		cseq := sub.cseq
		sub.mu.Unlock()
		if !s.send(sub, n, cseq) {
			s.n.notifiesFailed.Add(1)
			_ = s.lw.Do(func(*sim.World) error {
				s.mu.Lock()
				s.removeLocked(sub)
				s.mu.Unlock()
				return nil
			})
			sub.mu.Lock()
			s.n.notifiesFailed.Add(uint64(len(sub.queue)))
			sub.queue, sub.ended, sub.running = nil, true, false
			sub.mu.Unlock()
			return
		}
		s.n.notifies.Add(1)
	}
}

// send sends one NOTIFY and reports whether the subscriber took it.
func (s *Server) send(sub *subscription, n notify, cseq uint32) bool {
	req := sip.NewRequest(sip.NOTIFY, sub.target)
	fp, tp := sip.NewParams(), sip.NewParams()
	fp.Add("tag", sub.localTag)
	tp.Add("tag", sub.remoteTag)
	req.AppendHeader(&sip.FromHeader{Address: sub.local, Params: fp})
	req.AppendHeader(&sip.ToHeader{Address: sub.remote, Params: tp})
	cid := sip.CallIDHeader(sub.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: sip.NOTIFY})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(sip.NewHeader("Event", pkgNames[sub.pkg]))
	req.AppendHeader(sip.NewHeader("Subscription-State", n.state))
	req.AppendHeader(&sip.ContactHeader{Address: s.contactOf(sub.local.User)})
	ct := sip.ContentTypeHeader(ContentDialogInfo)
	if sub.pkg == pkgPresence {
		ct = ContentPIDF
	}
	req.AppendHeader(&ct)
	req.SetBody(n.body)
	req.SetTransport(sub.transport)
	req.SetDestination(sub.dest)
	ctx, cancel := context.WithTimeout(context.Background(), s.opt.NotifyTimeout)
	defer cancel()
	res, err := s.cl.Do(ctx, req)
	return err == nil && res != nil && res.IsSuccess() // a transaction ended by Close answers nothing
}
