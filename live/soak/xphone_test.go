package soak

import (
	"strings"
	"testing"
	"time"

	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/sim/clock"
)

// smallXPhone is an XPhone soak at a test's scale: 200 people for half an
// hour at 120×, with Graph's limit scaled down to them: 60 per 30 s, four
// times a hundredth of 1,500, since a two-way sync reads what it mirrors
// besides writing.
func smallXPhone(f connector.Fault) Config {
	return Config{Users: 200, Seed: 7, Speed: 120, Start: clock.At(1, 9, 30), End: clock.At(1, 10, 0),
		Warmup: 5 * time.Minute, Drain: 10 * time.Minute, Limit: 60,
		Target: conformance.Target{Integration: "xphone", Fault: f}}
}

func byKind(t *testing.T, r *Result) map[XPKind]Figures {
	t.Helper()
	if len(r.Staleness) != int(numXPKinds) {
		t.Fatalf("%d kinds of change, want %d", len(r.Staleness), numXPKinds)
	}
	out := map[XPKind]Figures{}
	for k, f := range r.Staleness {
		if f.Kind != XPKind(k).String() {
			t.Fatalf("kind %d is named %q, want %q", k, f.Kind, XPKind(k))
		}
		out[XPKind(k)] = f
	}
	return out
}

// The reference XPhone connector carries the XPhone part of the day into
// Teams — calls and meetings as its session, Do not disturb as preferred
// presence — and Teams' own Do not disturb back into XPhone: the figures
// add up, nearly every change is carried, few are wrong, and it stays
// within the scaled limit. A connector that writes XPhone's Do not
// disturb as its session (dnd-as-session) shows it: no preferred presence
// is ever written, and its sessions disagree with XPhone.
func TestSoakOfTheReferenceXPhoneConnector(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a soak runs the connector for seconds")
	}
	ref := run(t, smallXPhone(connector.NoFault))
	var b strings.Builder
	ref.WriteTable(&b)
	t.Log("\n" + b.String())
	fig := byKind(t, ref)
	for _, f := range ref.Staleness {
		if f.Carried+f.Superseded+f.Never != f.Changes {
			t.Errorf("%s: %d carried + %d superseded + %d never ≠ %d changes", f.Kind, f.Carried, f.Superseded, f.Never, f.Changes)
		}
		if f.Carried > 0 && !(f.P50 <= f.P95 && f.P95 <= f.P99 && f.P99 <= f.Max) {
			t.Errorf("%s: percentiles out of order: %+v", f.Kind, f)
		}
	}
	for _, k := range []XPKind{XPCallStarted, XPCallEnded, TeamsDNDSet, TeamsDNDEnded} {
		if f := fig[k]; f.Changes < 5 || f.Carried < f.Changes*3/4 {
			t.Errorf("%s: the reference carried %d of %d; want a few changes, three in four carried", k, f.Carried, f.Changes)
		}
	}
	// a user's own Do not disturb while the connector mirrors one of
	// Teams' is not written as preferred presence (the connector takes the
	// selection for its mirror): half, not three in four
	if f := fig[XPDNDSelected]; f.Changes < 5 || f.Carried < f.Changes/2 {
		t.Errorf("%s: the reference carried %d of %d; want a few changes, half carried", XPDNDSelected, f.Carried, f.Changes)
	}
	if ref.Truth != "XPhone" || ref.LineChanges < 50 || ref.Wrong*10 > ref.LineChanges {
		t.Errorf("the day made %d changes (of %s), %d writes wrong when made", ref.LineChanges, ref.Truth, ref.Wrong)
	}
	if ref.Throttled > 0 || ref.PeakWindow >= ref.Limit || ref.Requests < fig[XPCallStarted].Changes {
		t.Errorf("the reference made %d requests, %d throttled, busiest 30 s %d of %d", ref.Requests, ref.Throttled, ref.PeakWindow, ref.Limit)
	}

	bad := run(t, smallXPhone(connector.DNDAsSession))
	b.Reset()
	bad.WriteTable(&b)
	t.Log("\n" + b.String())
	badFig := byKind(t, bad)
	if got, want := badFig[XPDNDSelected].Changes, fig[XPDNDSelected].Changes; got != want {
		t.Errorf("the same seed selected Do not disturb %d times, then %d", want, got)
	}
	if f := badFig[XPDNDSelected]; f.Carried > 0 || f.Never+f.Superseded != f.Changes {
		t.Errorf("writing Do not disturb as a session, %d of %d selections reached Teams as preferred presence; want none", f.Carried, f.Changes)
	}
	if bad.Wrong <= ref.Wrong {
		t.Errorf("writing Do not disturb as a session made %d wrong writes, the reference %d; want more", bad.Wrong, ref.Wrong)
	}
}
