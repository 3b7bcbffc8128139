package connector

import (
	"encoding/xml"
	"io"
	"strconv"
	"testing"

	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
)

// dialogs is a NOTIFY of dialog-info with the given version and dialog
// states.
func dialogs(t *testing.T, version uint64, states ...string) watch.Notify {
	t.Helper()
	b := `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="` + strconv.FormatUint(version, 10) + `" state="full" entity="sip:201@127.0.0.1">`
	for _, s := range states {
		b += `<dialog id="201-desk-1" direction="initiator"><state>` + s + `</state></dialog>`
	}
	b += `</dialog-info>`
	var di watch.DialogInfo
	if err := xml.Unmarshal([]byte(b), &di); err != nil {
		t.Fatal(err)
	}
	return watch.Notify{Event: "dialog", Body: []byte(b), Dialog: &di}
}

// The connector takes a line as in a call while a dialog is confirmed,
// skips dialog-info older than the one it took, and with the fault
// miss-terminated never sees the call end.
func TestPBXConnectorTakesDialogInfo(t *testing.T) {
	type step struct {
		version uint64
		states  []string
		busy    bool // after the NOTIFY
	}
	call := []step{
		{0, nil, false},
		{1, []string{"early"}, false},
		{2, []string{"confirmed"}, true},
		{1, []string{"early"}, true}, // late, older: skipped
		{3, []string{"terminated"}, false},
		{4, nil, false},
	}
	missed := append([]step(nil), call...)
	missed[4].busy, missed[5].busy = true, false
	for _, tc := range []struct {
		name  string
		fault Fault
		steps []step
	}{
		{"reference", NoFault, call},
		{"miss-terminated", PBXMissTerminated, missed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &pbxConnector{opt: PBXOptions{Fault: tc.fault}, logw: io.Discard}
			l := &pbxLine{ext: "201"}
			for i, s := range tc.steps {
				c.take(l, dialogs(t, s.version, s.states...))
				if l.busy != s.busy {
					t.Fatalf("after NOTIFY %d (version %d, %v): in a call %v, want %v", i, s.version, s.states, l.busy, s.busy)
				}
			}
		})
	}
}
