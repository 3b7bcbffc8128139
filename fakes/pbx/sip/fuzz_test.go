package sip

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
)

// recorder is a server transaction that keeps the response.
type recorder struct {
	res  *sip.Response
	done chan struct{}
}

func (r *recorder) Terminate()                         {}
func (r *recorder) OnTerminate(sip.FnTxTerminate) bool { return false }
func (r *recorder) Done() <-chan struct{}              { return r.done }
func (r *recorder) Err() error                         { return nil }
func (r *recorder) Acks() <-chan *sip.Request          { return nil }
func (r *recorder) OnCancel(sip.FnTxCancel) bool       { return false }
func (r *recorder) Respond(res *sip.Response) error    { r.res = res; return nil }

// fuzzServer is a server without listeners over alice at 201.
func fuzzServer(t testing.TB) *Server {
	w := sim.MustNew(1)
	id, _ := w.AddUser("alice", "")
	p := pbx.Of(w)
	i, _ := p.Ensure(id)
	_ = p.SetSIP(i, "", "alice-secret")
	lw, err := live.New(w, live.Clock{Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(lw, Options{Domain: "127.0.0.1", MaxSubscriptions: 64, NotifyTimeout: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// FuzzRequest parses a datagram as sipgo would and hands what parses to
// the request handling: every request is answered with a status, and
// nothing panics.
func FuzzRequest(f *testing.F) {
	for _, seed := range []string{
		"SUBSCRIBE sip:201@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:201@127.0.0.1>;tag=a\r\nTo: <sip:201@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:201@127.0.0.1:5070>\r\nEvent: dialog\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n",
		"SUBSCRIBE sip:201@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK2\r\nFrom: <sip:201@127.0.0.1>;tag=a\r\nTo: <sip:201@127.0.0.1>;tag=b\r\nCall-ID: c1\r\nCSeq: 2 SUBSCRIBE\r\nEvent: presence\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n",
		"SUBSCRIBE sip:201@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK3\r\nFrom: <sip:201@127.0.0.1>;tag=a\r\nTo: <sip:201@127.0.0.1>\r\nCall-ID: c3\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:201@127.0.0.1:5070>\r\nEvent: dialog\r\nAuthorization: Digest username=\"201\", realm=\"presencesim\", nonce=\"AAAA\", uri=\"sip:201@127.0.0.1\", response=\"00\", qop=auth, nc=00000001, cnonce=\"x\"\r\nContent-Length: 0\r\n\r\n",
		"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK4\r\nFrom: <sip:201@127.0.0.1>;tag=a\r\nTo: <sip:201@127.0.0.1>\r\nCall-ID: r1\r\nCSeq: 1 REGISTER\r\nContact: *\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n",
		"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK5\r\nFrom: <sip:201@127.0.0.1>;tag=a\r\nTo: <sip:201@127.0.0.1>\r\nCall-ID: r2\r\nCSeq: 1 REGISTER\r\nContact: <sip:201@127.0.0.1:5070>;expires=abc\r\nContent-Length: 0\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	s := fuzzServer(f)
	parser := sip.NewParser()
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := parser.ParseSIP(data)
		if err != nil {
			return // sipgo drops what it cannot parse
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		req.SetSource("127.0.0.1:5070")
		rec := &recorder{done: make(chan struct{})}
		switch req.Method {
		case sip.SUBSCRIBE:
			s.subscribe(req, rec)
		case sip.REGISTER:
			s.register(req, rec)
		default:
			return
		}
		if rec.res == nil || rec.res.StatusCode < 200 {
			t.Fatalf("%s answered with no final status", req.Method)
		}
	})
}

// FuzzBodies builds dialog-info and PIDF documents from any text and
// requires well-formed XML that gives the text back.
func FuzzBodies(f *testing.F) {
	f.Add("sip:201@127.0.0.1", "201-desk-1", "Abwesend")
	f.Add("sip:<&>\"'@x", "\x00\xff", "]]>")
	f.Fuzz(func(t *testing.T, entity, id, note string) {
		di := DialogInfo{Version: 3, Entity: entity, Dialogs: []Dialog{{ID: id, Direction: "initiator", State: Early, Held: true}}}
		var got struct {
			Entity  string `xml:"entity,attr"`
			Dialogs []struct {
				ID string `xml:"id,attr"`
			} `xml:"dialog"`
		}
		b := di.AppendXML(nil)
		if err := wellFormed(b); err != nil {
			t.Fatalf("dialog-info is not well-formed: %v\n%s", err, b)
		}
		if err := xml.Unmarshal(b, &got); err != nil || len(got.Dialogs) != 1 {
			t.Fatalf("dialog-info: %v\n%s", err, b)
		}
		if clean(entity) != got.Entity || clean(id) != got.Dialogs[0].ID {
			t.Fatalf("dialog-info gives back entity %q id %q for %q %q", got.Entity, got.Dialogs[0].ID, entity, id)
		}
		p := PIDF{Entity: entity, TupleID: "t" + id, Open: true, Note: note, Activities: []Activity{ActAway, ActDND}, At: time.Unix(0, 0)}
		if err := wellFormed(p.AppendXML(nil)); err != nil {
			t.Fatalf("PIDF is not well-formed: %v\n%s", err, p.AppendXML(nil))
		}
	})
}

func wellFormed(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// clean is what XML carries of s in an attribute: characters it cannot
// carry become U+FFFD.
func clean(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	var out struct {
		V string `xml:"v,attr"`
	}
	_ = xml.Unmarshal([]byte(`<a v="`+b.String()+`"/>`), &out)
	return out.V
}
