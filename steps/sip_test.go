package steps

import (
	"slices"
	"testing"
	"time"

	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
)

// The steps read back the activities the PBX writes, do-not-disturb from
// RPID's <other>, and the tuple's basic status.
func TestPIDFActivitiesReadThePBXsBodies(t *testing.T) {
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
		got, open, err := pidfActivities(body)
		if err != nil || !slices.Equal(got, tc.want) || open != tc.open {
			t.Errorf("pidfActivities(%s) = %v, open %v, %v; want %v, open %v", body, got, open, err, tc.want, tc.open)
		}
	}
	if _, _, err := pidfActivities(make([]byte, maxPIDF+1)); err == nil {
		t.Error("a body past the cap is parsed")
	}
}

// Whatever the body, the parser answers without a panic, and a body it
// takes it takes again the same way.
func FuzzPIDFActivities(f *testing.F) {
	f.Add(pbxsip.PIDF{Entity: "sip:201@h", TupleID: "t201", Open: true, Activities: []pbxsip.Activity{pbxsip.ActBusy}}.AppendXML(nil))
	f.Add([]byte(`<presence xmlns="urn:ietf:params:xml:ns:pidf"><dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"><activities xmlns="urn:ietf:params:xml:ns:pidf:rpid"><other>x</other></activities></dm:person></presence>`))
	f.Add([]byte("<presence"))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, open, err := pidfActivities(body)
		if err != nil {
			return
		}
		b, open2, err := pidfActivities(body)
		if err != nil || !slices.Equal(a, b) || open != open2 {
			t.Fatalf("two reads differ: %v %v / %v %v %v", a, open, b, open2, err)
		}
	})
}
