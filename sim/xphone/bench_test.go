package xphone

import (
	"testing"

	"github.com/presencesim/presencesim/sim/clock"
	"time"
)

// BenchmarkTeamsCallFollowed: a Teams call starts and ends; XPhone reads
// both changes, makes and deletes the appointment.
func BenchmarkTeamsCallFollowed(b *testing.B) {
	w, m, alice, bob := world(b, 1, nil)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c, err := w.Teams.StartCall(alice, bob)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Clock.Advance(time.Second); err != nil {
			b.Fatal(err)
		}
		if err := w.Teams.EndCall(c); err != nil {
			b.Fatal(err)
		}
		if err := w.Clock.Advance(time.Second); err != nil {
			b.Fatal(err)
		}
		if i%1024 == 0 {
			m.journal = m.journal[:0]
		}
	}
	if len(m.Appointments(alice)) != 0 {
		b.Fatal("appointments left over")
	}
}

// BenchmarkXPhoneCallWritten: an XPhone call starts and ends; XPhone writes
// and clears its session and ignores the echo.
func BenchmarkXPhoneCallWritten(b *testing.B) {
	w, m, alice, _ := world(b, 1, nil)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := m.StartCall(alice); err != nil {
			b.Fatal(err)
		}
		if err := w.Clock.Advance(time.Second); err != nil {
			b.Fatal(err)
		}
		if err := m.EndCall(alice); err != nil {
			b.Fatal(err)
		}
		if err := w.Clock.Advance(time.Second); err != nil {
			b.Fatal(err)
		}
		if i%1024 == 0 {
			m.journal = m.journal[:0]
		}
	}
}

// BenchmarkDay: a working day of one XPhone user, day after day in one
// world (a fresh one every 10,000 days, which virtual time holds easily).
func BenchmarkDay(b *testing.B) {
	w, m, alice, bob := world(b, 3, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%10000 == 9999 {
			b.StopTimer()
			w, m, alice, bob = world(b, 3, nil)
			b.StartTimer()
		}
		day(b, w, m, alice, bob)
		if err := w.Clock.RunUntil(clock.At(w.Clock.Now().Day()+1, 0, 0)); err != nil {
			b.Fatal(err)
		}
		m.journal = m.journal[:0]
	}
}
