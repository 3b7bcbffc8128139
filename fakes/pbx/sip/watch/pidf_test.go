package watch_test

import (
	"slices"
	"testing"
	"time"

	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/fakes/pbx/sip/watch"
)

// A watcher reads back the activities the PBX writes, do-not-disturb from
// RPID's <other>, and the tuple's basic status.
func TestParsePresenceReadsThePBXsBodies(t *testing.T) {
	for _, tc := range []struct {
		acts []pbxsip.Activity
		open bool
		want []string
	}{
		{nil, true, nil},
		{[]pbxsip.Activity{pbxsip.ActAway}, true, []string{"away"}},
		{[]pbxsip.Activity{pbxsip.ActMeeting, pbxsip.ActOnThePhone}, true, []string{"meeting", "on-the-phone"}},
		{[]pbxsip.Activity{pbxsip.ActDND}, false, []string{"do-not-disturb"}},
	} {
		body := pbxsip.PIDF{Entity: "sip:201@127.0.0.1", TupleID: "t201", Open: tc.open, Note: "Abwesend & <co>",
			Activities: tc.acts, At: time.Unix(0, 0)}.AppendXML(nil)
		got, err := watch.ParsePresence(body)
		if err != nil || !slices.Equal(got.Activities, tc.want) || got.Open != tc.open {
			t.Errorf("ParsePresence(%s) = %+v, %v; want %v, open %v", body, got, err, tc.want, tc.open)
		}
	}
	if _, err := watch.ParsePresence(make([]byte, watch.MaxPIDF+1)); err == nil {
		t.Error("a body past the cap is parsed")
	}
}

// Whatever the body, the parser answers without a panic, and a body it
// takes it takes again the same way.
func FuzzParsePresence(f *testing.F) {
	f.Add(pbxsip.PIDF{Entity: "sip:201@h", TupleID: "t201", Open: true, Activities: []pbxsip.Activity{pbxsip.ActBusy}}.AppendXML(nil))
	f.Add([]byte(`<presence xmlns="urn:ietf:params:xml:ns:pidf"><dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"><activities xmlns="urn:ietf:params:xml:ns:pidf:rpid"><other>x</other></activities></dm:person></presence>`))
	f.Add([]byte("<presence"))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := watch.ParsePresence(body)
		if err != nil {
			return
		}
		b, err := watch.ParsePresence(body)
		if err != nil || !slices.Equal(a.Activities, b.Activities) || a.Open != b.Open {
			t.Fatalf("two reads differ: %+v / %+v %v", a, b, err)
		}
	})
}
