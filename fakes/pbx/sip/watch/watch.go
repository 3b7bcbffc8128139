package watch

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// MaxNotifies bounds the NOTIFYs a watcher keeps.
const MaxNotifies = 100000

// Notify is one NOTIFY as the watcher got it.
type Notify struct {
	Event             string // dialog, presence
	SubscriptionState string // active;expires=3600, terminated;reason=timeout
	ContentType       string
	Body              []byte
	CallID            string
	Dialog            *DialogInfo // parsed for Event: dialog
}

// DialogInfo is a parsed dialog-info document.
type DialogInfo struct {
	XMLName xml.Name `xml:"urn:ietf:params:xml:ns:dialog-info dialog-info"`
	Version uint64   `xml:"version,attr"`
	State   string   `xml:"state,attr"`
	Entity  string   `xml:"entity,attr"`
	Dialogs []struct {
		ID        string `xml:"id,attr"`
		Direction string `xml:"direction,attr"`
		State     string `xml:"state"`
	} `xml:"dialog"`
}

// Watcher is one SIP user agent with a listener for NOTIFYs.
type Watcher struct {
	ua        *sipgo.UserAgent
	cl        *sipgo.Client
	srv       *sipgo.Server
	server    string // host:port of the PBX
	transport string // UDP or TCP
	local     string // host:port the watcher listens on (UDP)
	user, pw  string

	mu      sync.Mutex
	got     []Notify
	changed chan struct{}
	handle  func(Notify) // when set, NOTIFYs go to it and are not kept
	chal    *digest.Challenge
	nc      int // nonce count under chal
	cancel  context.CancelFunc
}

// New starts a watcher for the PBX at server (host:port) over transport
// "udp" or "tcp", with the extension and SIP password it authenticates as.
func New(server, transport, user, password string) (*Watcher, error) {
	transport = strings.ToUpper(transport)
	if transport != "UDP" && transport != "TCP" {
		return nil, fmt.Errorf("transport %q: udp or tcp", transport)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("presencesim watcher"),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(log)))
	if err != nil {
		return nil, err
	}
	w := &Watcher{ua: ua, server: server, transport: transport, user: user, pw: password, changed: make(chan struct{})}
	if w.srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(log)); err != nil {
		_ = ua.Close()
		return nil, err
	}
	w.srv.OnNotify(w.onNotify)
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	var opts []sipgo.ClientOption
	opts = append(opts, sipgo.WithClientLogger(log))
	if transport == "UDP" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			_ = ua.Close()
			return nil, err
		}
		if u, ok := pc.(*net.UDPConn); ok {
			_ = u.SetReadBuffer(4 << 20) // the NOTIFYs of thousands of extensions come in bursts
		}
		w.local = pc.LocalAddr().String()
		go func() { _ = w.srv.ServeUDP(pc) }()
		context.AfterFunc(ctx, func() { _ = pc.Close() })
		// requests go out from the listening socket once the transport
		// layer has it, so that NOTIFYs come back to the Contact
		deadline := time.Now().Add(5 * time.Second)
		for tp := ua.TransportLayer(); ; time.Sleep(time.Millisecond) {
			if c, _ := tp.GetConnection("udp", w.local); c != nil {
				break
			}
			if time.Now().After(deadline) {
				w.Close()
				return nil, errors.New("the UDP listener did not start")
			}
		}
		opts = append(opts, sipgo.WithClientConnectionAddr(w.local))
	}
	if w.cl, err = sipgo.NewClient(ua, opts...); err != nil {
		_ = ua.Close()
		return nil, err
	}
	return w, nil
}

// Close stops the watcher.
func (w *Watcher) Close() {
	w.cancel()
	_ = w.ua.Close()
}

func (w *Watcher) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	n := Notify{Body: append([]byte(nil), req.Body()...)}
	if h := req.GetHeader("Event"); h != nil {
		n.Event = h.Value()
	}
	if h := req.GetHeader("Subscription-State"); h != nil {
		n.SubscriptionState = h.Value()
	}
	if h := req.ContentType(); h != nil {
		n.ContentType = h.Value()
	}
	if h := req.CallID(); h != nil {
		n.CallID = string(*h)
	}
	if n.Event == "dialog" {
		var di DialogInfo
		if err := xml.Unmarshal(n.Body, &di); err == nil {
			n.Dialog = &di
		}
	}
	// Recorded before the answer: a server that sends the next NOTIFY of a
	// subscription only after this one is answered (as RFC 6665 lets it)
	// finds them recorded in its order, whichever handler runs first.
	w.mu.Lock()
	if h := w.handle; h != nil {
		w.mu.Unlock()
		h(n)
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
		return
	}
	if len(w.got) < MaxNotifies {
		w.got = append(w.got, n)
	}
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
}

// Handle sends every NOTIFY from now on to fn, before it is answered,
// instead of keeping it: a watcher of thousands of extensions takes each
// as it comes rather than holding a day of them (Notifies then returns
// only those kept before). fn is called from the SIP stack's goroutines;
// the NOTIFYs of one subscription come one after the other.
func (w *Watcher) Handle(fn func(Notify)) {
	w.mu.Lock()
	w.handle = fn
	w.mu.Unlock()
}

// Notifies returns the NOTIFYs so far and a channel closed at the next.
func (w *Watcher) Notifies() ([]Notify, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Notify(nil), w.got...), w.changed
}

// Wait waits until cond holds for the NOTIFYs so far.
func (w *Watcher) Wait(ctx context.Context, cond func([]Notify) bool) error {
	for {
		got, ch := w.Notifies()
		if cond(got) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (w *Watcher) uri(user string) sip.Uri {
	host, port, _ := net.SplitHostPort(w.server)
	p, _ := strconv.Atoi(port)
	u := sip.Uri{Scheme: "sip", User: user, Host: host, Port: p}
	if w.transport == "TCP" {
		u.UriParams = sip.NewParams()
		u.UriParams.Add("transport", "tcp")
	}
	return u
}

func (w *Watcher) contact() *sip.ContactHeader {
	u := sip.Uri{Scheme: "sip", User: w.user, Host: "127.0.0.1"}
	if w.local != "" {
		host, port, _ := net.SplitHostPort(w.local)
		u.Host = host
		u.Port, _ = strconv.Atoi(port)
	}
	return &sip.ContactHeader{Address: u}
}

// do sends a request and answers a digest challenge once. The last
// challenge is kept, and requests after it carry credentials for its nonce
// at once (RFC 3261 22.3: a nonce may be used again while the server takes
// it), so that a watcher of thousands of extensions does not make every
// SUBSCRIBE two transactions; a stale nonce is challenged and answered.
func (w *Watcher) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	if h := w.authorization(req); h != "" {
		req.AppendHeader(sip.NewHeader("Authorization", h))
	}
	res, err := w.cl.Do(ctx, req)
	if err == nil && res == nil {
		err = errors.New("the transaction ended without an answer")
	}
	if err != nil {
		return nil, err
	}
	if res.StatusCode == sip.StatusUnauthorized {
		if h := res.GetHeader("WWW-Authenticate"); h != nil {
			if chal, err := digest.ParseChallenge(h.Value()); err == nil {
				w.mu.Lock()
				w.chal, w.nc = chal, 1
				w.mu.Unlock()
			}
		}
		// req now has the headers the client added, CSeq among them
		return w.cl.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: w.user, Password: w.pw})
	}
	return res, nil
}

// authorization is the Authorization for a request under the last
// challenge, "" before the first.
func (w *Watcher) authorization(req *sip.Request) string {
	w.mu.Lock()
	chal := w.chal
	w.nc++
	nc := w.nc
	w.mu.Unlock()
	if chal == nil {
		return ""
	}
	cred, err := digest.Digest(chal, digest.Options{Method: string(req.Method), URI: req.Recipient.String(), Username: w.user, Password: w.pw, Count: nc})
	if err != nil {
		return ""
	}
	return cred.String()
}

// Register registers the watcher's extension for expires seconds.
func (w *Watcher) Register(ctx context.Context, expires int) (*sip.Response, error) {
	req := sip.NewRequest(sip.REGISTER, w.uri(""))
	to := w.uri(w.user)
	req.AppendHeader(&sip.ToHeader{Address: to})
	fp := sip.NewParams()
	fp.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(&sip.FromHeader{Address: to, Params: fp})
	req.AppendHeader(w.contact())
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	return w.do(ctx, req)
}

// Subscription is a subscription the watcher made.
type Subscription struct {
	CallID, FromTag, ToTag string
	Event, Target          string
	cseq                   uint32
}

// ErrRefused is a SUBSCRIBE answered with a failure.
var ErrRefused = errors.New("SUBSCRIBE refused")

// Subscribe subscribes to an extension's event package ("dialog" or
// "presence") for expires seconds. A refusal returns the response and
// ErrRefused.
func (w *Watcher) Subscribe(ctx context.Context, ext, event string, expires int) (*Subscription, *sip.Response, error) {
	req := sip.NewRequest(sip.SUBSCRIBE, w.uri(ext))
	req.AppendHeader(&sip.ToHeader{Address: w.uri(ext)})
	tag := sip.GenerateTagN(16)
	fp := sip.NewParams()
	fp.Add("tag", tag)
	req.AppendHeader(&sip.FromHeader{Address: w.uri(w.user), Params: fp})
	req.AppendHeader(w.contact())
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	accept := "application/dialog-info+xml"
	if event == "presence" {
		accept = "application/pidf+xml"
	}
	req.AppendHeader(sip.NewHeader("Accept", accept))
	res, err := w.do(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	if !res.IsSuccess() {
		return nil, res, fmt.Errorf("%w: %d %s", ErrRefused, res.StatusCode, res.Reason)
	}
	sub := &Subscription{Event: event, Target: ext, FromTag: tag, cseq: 10}
	if h := res.CallID(); h != nil {
		sub.CallID = string(*h)
	}
	if to := res.To(); to != nil {
		sub.ToTag, _ = to.Params.Get("tag")
	}
	return sub, res, nil
}

// Refresh sends a SUBSCRIBE within the subscription's dialog: expires 0
// ends it.
func (w *Watcher) Refresh(ctx context.Context, sub *Subscription, expires int) (*sip.Response, error) {
	req := sip.NewRequest(sip.SUBSCRIBE, w.uri(sub.Target))
	tp := sip.NewParams()
	tp.Add("tag", sub.ToTag)
	req.AppendHeader(&sip.ToHeader{Address: w.uri(sub.Target), Params: tp})
	fp := sip.NewParams()
	fp.Add("tag", sub.FromTag)
	req.AppendHeader(&sip.FromHeader{Address: w.uri(w.user), Params: fp})
	cid := sip.CallIDHeader(sub.CallID)
	req.AppendHeader(&cid)
	sub.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: sub.cseq, MethodName: sip.SUBSCRIBE})
	req.AppendHeader(w.contact())
	req.AppendHeader(sip.NewHeader("Event", sub.Event))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	return w.cl.Do(ctx, req)
}

// Send sends a request as it is built (for malformed ones).
func (w *Watcher) Send(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	return w.cl.Do(ctx, req)
}

// URI is the PBX's URI for an extension on the watcher's transport.
func (w *Watcher) URI(ext string) sip.Uri { return w.uri(ext) }
