package sip

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DialogState is an RFC 4235 dialog state.
type DialogState uint8

// The states of RFC 4235 §3.7.1.
const (
	Trying DialogState = iota + 1
	Proceeding
	Early
	Confirmed
	Terminated
	numDialogStates
)

var dialogStateNames = [numDialogStates]string{"", "trying", "proceeding", "early", "confirmed", "terminated"}

func (s DialogState) String() string {
	if s > 0 && s < numDialogStates {
		return dialogStateNames[s]
	}
	return fmt.Sprintf("DialogState(%d)", uint8(s))
}

// Dialog is one dialog of a dialog-info document.
type Dialog struct {
	ID string
	// Direction is "initiator" for a call the extension made, "recipient"
	// for one it received.
	Direction string
	State     DialogState
	// Held marks the local target +sip.rendering="no" (RFC 4235 §4.1.6.2).
	Held bool
}

// DialogInfo is an application/dialog-info+xml document (RFC 4235), always
// full state.
type DialogInfo struct {
	Version uint64
	Entity  string // sip:201@host
	Dialogs []Dialog
}

// ContentDialogInfo and ContentPIDF are the bodies' media types.
const (
	ContentDialogInfo = "application/dialog-info+xml"
	ContentPIDF       = "application/pidf+xml"
)

// Namespaces of the bodies.
const (
	NSDialogInfo = "urn:ietf:params:xml:ns:dialog-info"
	NSPIDF       = "urn:ietf:params:xml:ns:pidf"
	NSDataModel  = "urn:ietf:params:xml:ns:pidf:data-model"
	NSRPID       = "urn:ietf:params:xml:ns:pidf:rpid"
)

// AppendXML writes the document. Text from outside (ids, URIs) is escaped.
func (d DialogInfo) AppendXML(b []byte) []byte {
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<dialog-info xmlns="`+NSDialogInfo+`" version="`...)
	b = strconv.AppendUint(b, d.Version, 10)
	b = append(b, `" state="full" entity="`...)
	b = appendEscaped(b, d.Entity)
	b = append(b, "\">\n"...)
	for _, dl := range d.Dialogs {
		b = append(b, ` <dialog id="`...)
		b = appendEscaped(b, dl.ID)
		b = append(b, '"')
		if dl.Direction != "" {
			b = append(b, ` direction="`...)
			b = appendEscaped(b, dl.Direction)
			b = append(b, '"')
		}
		b = append(b, "><state>"...)
		b = append(b, dl.State.String()...)
		b = append(b, "</state>"...)
		if dl.Held {
			b = append(b, `<local><identity>`...)
			b = appendEscaped(b, d.Entity)
			b = append(b, `</identity><target uri="`...)
			b = appendEscaped(b, d.Entity)
			b = append(b, `"><param pname="+sip.rendering" pval="no"/></target></local>`...)
		}
		b = append(b, "</dialog>\n"...)
	}
	return append(b, "</dialog-info>\n"...)
}

// Activity is an RFC 4480 activity, or for Other a note of RFC 4480's
// <other> element: the RPID vocabulary has no do-not-disturb.
type Activity string

// The activities the PBX reports.
const (
	ActAway       Activity = "away"
	ActBusy       Activity = "busy"
	ActMeeting    Activity = "meeting"
	ActOnThePhone Activity = "on-the-phone"
	ActDND        Activity = "other:do-not-disturb"
)

// PIDF is an application/pidf+xml document (RFC 3863) with one tuple for
// the extension and an RFC 4479 person carrying RFC 4480 activities.
type PIDF struct {
	Entity     string // sip:201@host
	TupleID    string // an XML ID: starts with a letter
	Open       bool
	Note       string // the state's name on this PBX
	Activities []Activity
	At         time.Time
}

// AppendXML writes the document.
func (p PIDF) AppendXML(b []byte) []byte {
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<presence xmlns="`+NSPIDF+`" xmlns:dm="`+NSDataModel+`" xmlns:rpid="`+NSRPID+`" entity="`...)
	b = appendEscaped(b, p.Entity)
	b = append(b, "\">\n <tuple id=\""...)
	b = appendEscaped(b, p.TupleID)
	b = append(b, "\"><status><basic>"...)
	if p.Open {
		b = append(b, "open"...)
	} else {
		b = append(b, "closed"...)
	}
	b = append(b, "</basic></status><contact>"...)
	b = appendEscaped(b, p.Entity)
	b = append(b, "</contact>"...)
	if p.Note != "" {
		b = append(b, "<note>"...)
		b = appendEscaped(b, p.Note)
		b = append(b, "</note>"...)
	}
	b = append(b, "<timestamp>"...)
	b = p.At.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, "</timestamp></tuple>\n <dm:person id=\"p-"...)
	b = appendEscaped(b, p.TupleID)
	b = append(b, "\">"...)
	if len(p.Activities) > 0 {
		b = append(b, "<rpid:activities>"...)
		for _, a := range p.Activities {
			if note, ok := strings.CutPrefix(string(a), "other:"); ok {
				b = append(b, "<rpid:other>"...)
				b = appendEscaped(b, note)
				b = append(b, "</rpid:other>"...)
				continue
			}
			b = append(b, "<rpid:"...)
			b = append(b, a...)
			b = append(b, "/>"...)
		}
		b = append(b, "</rpid:activities>"...)
	}
	if p.Note != "" {
		b = append(b, "<dm:note>"...)
		b = appendEscaped(b, p.Note)
		b = append(b, "</dm:note>"...)
	}
	return append(b, "</dm:person>\n</presence>\n"...)
}

// appendEscaped writes s as XML character data or an attribute value;
// characters XML cannot carry become U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	var w sliceWriter
	w.b = b
	_ = xml.EscapeText(&w, []byte(s))
	return w.b
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
