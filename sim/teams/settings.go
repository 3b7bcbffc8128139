package teams

import (
	"time"

	"github.com/presencesim/presencesim/sim/presence"
)

// Settings are the decided values of the model, each with the default the
// rulebook gives. A step or a world file may override any of them.
type Settings struct {
	// IdleTimeout is how long a desktop or web client may go without input
	// before it shows Away (T-ACT-2; "a few minutes", decided 5 min).
	IdleTimeout time.Duration
	// MobileOfflineAfter is how long a mobile client in the background keeps
	// its session (T-ACT-2: 24 h).
	MobileOfflineAfter time.Duration
	// NetworkSessionTimeout is how long a client without network keeps its
	// last session state before the session ends (T-LOCAL-1, decided).
	NetworkSessionTimeout time.Duration

	// VanishedTimeout is how long the session of a client that vanished
	// without signing out (the computer asleep, the app crashed) stands,
	// shown Away, before it ends (T-ACT-4: "after a few minutes", decided
	// 5 min).
	VanishedTimeout time.Duration
	// FocusAsMeeting shows focus time as Busy/InAMeeting, as seed 000 (2020)
	// describes it, instead of DoNotDisturb/Focusing (T-CAL-2, default off).
	FocusAsMeeting bool

	// ManualExpiryBusy is the default lifetime of Busy or DoNotDisturb set by
	// hand; ManualExpiryOther that of every other state (T-MAN-2).
	ManualExpiryBusy  time.Duration
	ManualExpiryOther time.Duration
	// AppearOfflineIndefinite keeps "Appear offline" set in the client until
	// reset (T-MAN-2); through Graph it expires like the others (§7).
	AppearOfflineIndefinite bool

	// AppSessionFade is the time after which an Available app session that is
	// not refreshed fades one stage (G-SET-2: 5 min).
	AppSessionFade time.Duration
	// AppSessionDefaultExpiry, Min and Max bound expirationDuration (G-SET-1).
	AppSessionDefaultExpiry time.Duration
	AppSessionMinExpiry     time.Duration
	AppSessionMaxExpiry     time.Duration

	// ObserverLag is the longest delay with which a viewer's client shows a
	// change, per client kind (T-PROP-1: desktop near real time, web 5 min,
	// Teams phone 10 min).
	ObserverLag [numObserverKinds]time.Duration

	// NotifyDelay is the delay between a presence change and the call of the
	// model's watchers (integrations reading Teams, Graph subscriptions).
	NotifyDelay time.Duration

	// Precedence is the aggregation order; tests may swap entries to prove the
	// suite fails when the model is wrong.
	Precedence Precedence
}

// DefaultSettings returns the rulebook's defaults.
func DefaultSettings() Settings {
	return Settings{
		IdleTimeout:             5 * time.Minute,
		MobileOfflineAfter:      24 * time.Hour,
		NetworkSessionTimeout:   5 * time.Minute,
		VanishedTimeout:         5 * time.Minute,
		ManualExpiryBusy:        24 * time.Hour,
		ManualExpiryOther:       7 * 24 * time.Hour,
		AppearOfflineIndefinite: true,
		AppSessionFade:          5 * time.Minute,
		AppSessionDefaultExpiry: 5 * time.Minute,
		AppSessionMinExpiry:     5 * time.Minute,
		AppSessionMaxExpiry:     4 * time.Hour,
		ObserverLag: [numObserverKinds]time.Duration{
			DesktopObserver: 0,
			WebObserver:     5 * time.Minute,
			PhoneObserver:   10 * time.Minute,
		},
		Precedence: DefaultPrecedence(),
	}
}

// manualExpiry is the default lifetime of a state set by hand in the client.
func (s Settings) manualExpiry(p presence.Presence) (time.Duration, bool) {
	switch p.Availability {
	case presence.Busy, presence.DoNotDisturb:
		return s.ManualExpiryBusy, true
	case presence.Offline:
		if s.AppearOfflineIndefinite {
			return 0, false
		}
	}
	return s.ManualExpiryOther, true
}
