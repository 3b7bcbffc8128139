package sip_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/pbx"
)

// node is an element of a parsed document.
type node struct {
	name  xml.Name
	attrs []xml.Attr
	kids  []*node
	text  string
}

func parseTree(b []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name, attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root != nil {
				return nil, fmt.Errorf("a second root element %s", t.Name.Local)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

func (n *node) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func anyURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && !strings.ContainsAny(s, " \t\n")
}

func ncName(s string) bool {
	if s == "" || strings.ContainsAny(s[:1], "0123456789-.") {
		return false
	}
	return !strings.ContainsAny(s, ": \t\n")
}

// checkPIDF checks a document against the structure of RFC 3863's schema
// (urn:ietf:params:xml:ns:pidf, §4.4): presence with an anyURI entity
// holds tuples, notes and elements of other namespaces; a tuple has a
// unique ID, a status first (basic open or closed, then other
// namespaces), then other namespaces, an optional contact (anyURI, a
// priority from 0 to 1), notes and an optional timestamp, in that order.
func checkPIDF(b []byte) error {
	root, err := parseTree(b)
	if err != nil {
		return err
	}
	if root.name.Space != sip.NSPIDF || root.name.Local != "presence" {
		return fmt.Errorf("root is {%s}%s, not {%s}presence", root.name.Space, root.name.Local, sip.NSPIDF)
	}
	if e, ok := root.attr("entity"); !ok || !anyURI(e) {
		return fmt.Errorf("presence entity %q is not an anyURI", e)
	}
	ids := map[string]bool{}
	for _, k := range root.kids {
		if k.name.Space != sip.NSPIDF {
			continue // xs:any namespace="##other"
		}
		switch k.name.Local {
		case "note":
		case "tuple":
			if err := checkTuple(k, ids); err != nil {
				return err
			}
		default:
			return fmt.Errorf("presence holds pidf element %s, which the schema does not allow", k.name.Local)
		}
	}
	return nil
}

func checkTuple(t *node, ids map[string]bool) error {
	id, ok := t.attr("id")
	if !ok || !ncName(id) || ids[id] {
		return fmt.Errorf("tuple id %q is missing, not an xs:ID or used twice", id)
	}
	ids[id] = true
	if len(t.kids) == 0 || t.kids[0].name.Space != sip.NSPIDF || t.kids[0].name.Local != "status" {
		return fmt.Errorf("tuple %s does not start with status", id)
	}
	st := t.kids[0]
	for k, c := range st.kids {
		if c.name.Space != sip.NSPIDF {
			continue
		}
		if c.name.Local != "basic" || k != 0 || (c.text != "open" && c.text != "closed") {
			return fmt.Errorf("tuple %s status: pidf element %s %q; only a first basic of open or closed", id, c.name.Local, c.text)
		}
	}
	// after status: ##other*, contact?, note*, timestamp?
	order := map[string]int{"contact": 1, "note": 2, "timestamp": 3}
	last, contacts, stamps := 0, 0, 0
	for _, c := range t.kids[1:] {
		if c.name.Space != sip.NSPIDF {
			if last > 0 {
				return fmt.Errorf("tuple %s: element {%s}%s after pidf elements", id, c.name.Space, c.name.Local)
			}
			continue
		}
		o, ok := order[c.name.Local]
		if !ok || o < last {
			return fmt.Errorf("tuple %s: pidf element %s out of the schema's order", id, c.name.Local)
		}
		last = o
		switch c.name.Local {
		case "contact":
			contacts++
			if !anyURI(strings.TrimSpace(c.text)) {
				return fmt.Errorf("tuple %s contact %q is not an anyURI", id, c.text)
			}
			if p, ok := c.attr("priority"); ok {
				var f float64
				if _, err := fmt.Sscanf(p, "%g", &f); err != nil || f < 0 || f > 1 {
					return fmt.Errorf("tuple %s contact priority %q is not a decimal from 0 to 1", id, p)
				}
			}
		case "timestamp":
			stamps++
			if _, err := xmlDateTime(c.text); err != nil {
				return fmt.Errorf("tuple %s timestamp: %v", id, err)
			}
		}
	}
	if contacts > 1 || stamps > 1 {
		return fmt.Errorf("tuple %s has %d contacts and %d timestamps; at most one each", id, contacts, stamps)
	}
	return nil
}

// The presence subscription's bodies are PIDF as RFC 3863's schema has it,
// and carry the RPID activity of each user presence state.
func TestPresenceBodies(t *testing.T) {
	lw, _, addr := world(t, sip.Options{})
	wa := watcher(t, addr, "udp", "202", "bob-secret")
	sub, _, err := wa.Subscribe(ctx(t), "201", "presence", 600)
	if err != nil {
		t.Fatal(err)
	}
	set := func(s pbx.UserState) {
		t.Helper()
		if err := lw.Do(func(w *sim.World) error { return pbx.Of(w).SetUserPresence(0, s, pbx.ViaPhone) }); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		state    pbx.UserState
		activity string // the RPID element, or other's text
		basic    string
	}{
		{pbx.StAway, "away", "open"},
		{pbx.StBusy, "busy", "open"},
		{pbx.StMeeting, "meeting", "open"},
		{pbx.StUnavailable, "do-not-disturb", "closed"},
		{pbx.StAvailable, "", "open"},
	}
	for _, c := range cases {
		set(c.state)
	}
	line(t, lw, "201", pbx.Incoming)
	var got []watch.Notify
	eventually.True(t, func() (bool, string) {
		all, _ := wa.Notifies()
		got = of(all, sub.CallID)
		return len(got) == len(cases)+2, fmt.Sprintf("%d of %d NOTIFYs", len(got), len(cases)+2)
	})
	for k, n := range got {
		if n.ContentType != sip.ContentPIDF {
			t.Fatalf("NOTIFY %d: Content-Type %q, expected %s", k, n.ContentType, sip.ContentPIDF)
		}
		if err := checkPIDF(n.Body); err != nil {
			t.Fatalf("NOTIFY %d: not PIDF by RFC 3863's schema: %v\n%s", k, err, n.Body)
		}
	}
	for k, c := range cases {
		body := string(got[k+1].Body)
		want := "<rpid:" + c.activity + "/>"
		if c.activity == "do-not-disturb" {
			want = "<rpid:other>do-not-disturb</rpid:other>"
		}
		if c.activity == "" {
			if strings.Contains(body, "<rpid:activities>") {
				t.Errorf("%s: expected no activity, got %s", c.state, body)
			}
		} else if !strings.Contains(body, want) {
			t.Errorf("%s: expected %s, got %s", c.state, want, body)
		}
		if !strings.Contains(body, "<basic>"+c.basic+"</basic>") {
			t.Errorf("%s: expected basic %s, got %s", c.state, c.basic, body)
		}
	}
	if last := string(got[len(got)-1].Body); !strings.Contains(last, "<rpid:on-the-phone/>") {
		t.Errorf("a ringing line: expected on-the-phone, got %s", last)
	}

}

func xmlDateTime(s string) (string, error) {
	for _, layout := range []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05"} {
		if _, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return s, nil
		}
	}
	return "", fmt.Errorf("%q is not an xs:dateTime", s)
}
