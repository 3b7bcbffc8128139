package watch

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// MaxPIDF bounds the presence body ParsePresence reads.
const MaxPIDF = 64 << 10

// Presence is what a watcher reads of a PIDF body (RFC 3863): the first
// tuple's basic status and the RFC 4480 activities of the RFC 4479 person.
type Presence struct {
	Open bool
	// Activities by their RFC 4480 names; <other> counts by its text (the
	// PBX writes do-not-disturb there). None means available.
	Activities []string
}

type pidfDoc struct {
	XMLName xml.Name `xml:"urn:ietf:params:xml:ns:pidf presence"`
	Tuples  []struct {
		Basic string `xml:"urn:ietf:params:xml:ns:pidf status>basic"`
	} `xml:"urn:ietf:params:xml:ns:pidf tuple"`
	Persons []struct {
		Activities []struct {
			Any []struct {
				XMLName xml.Name
				Text    string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"urn:ietf:params:xml:ns:pidf:rpid activities"`
	} `xml:"urn:ietf:params:xml:ns:pidf:data-model person"`
}

// ParsePresence reads a NOTIFY's PIDF body.
func ParsePresence(body []byte) (Presence, error) {
	if len(body) > MaxPIDF {
		return Presence{}, fmt.Errorf("a PIDF body of %d bytes, more than %d", len(body), MaxPIDF)
	}
	var d pidfDoc
	if err := xml.Unmarshal(body, &d); err != nil {
		return Presence{}, err
	}
	var p Presence
	for _, person := range d.Persons {
		for _, as := range person.Activities {
			for _, a := range as.Any {
				if a.XMLName.Local == "other" {
					p.Activities = append(p.Activities, strings.TrimSpace(a.Text))
					continue
				}
				p.Activities = append(p.Activities, a.XMLName.Local)
			}
		}
	}
	p.Open = len(d.Tuples) > 0 && strings.TrimSpace(d.Tuples[0].Basic) == "open"
	return p, nil
}
