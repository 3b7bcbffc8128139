package graph

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/presence"
	"github.com/presencesim/presencesim/sim/teams"
)

// Seam is the presence API of Graph for one application: the operations a
// connector holding the app's token may call. Errors are *Error when Graph
// answers with a status (throttling, faults, validation).
type Seam interface {
	// SetPresence is presence/setPresence: a session of the seam's app with
	// an expiry (G-SET-1).
	SetPresence(u teams.UserID, p presence.Presence, expiry time.Duration) error
	// ClearPresence is presence/clearPresence for the seam's app's session.
	ClearPresence(u teams.UserID) error
	// SetUserPreferredPresence is presence/setUserPreferredPresence (G-PREF-1).
	SetUserPreferredPresence(u teams.UserID, p presence.Presence, expiry time.Duration) error
	// ClearUserPreferredPresence is presence/clearUserPreferredPresence.
	ClearUserPreferredPresence(u teams.UserID) error
	// Read is GET /users/{id}/presence.
	Read(u teams.UserID) (Presence, error)
	// ReadMany is getPresencesByUserId: at most MaxBulkIDs ids (G-GET-2),
	// appended to dst.
	ReadMany(ids []teams.UserID, dst []Presence) ([]Presence, error)
	// Subscribe is a subscription to the presence of ids (G-SUB-1); Graph
	// calls s for each change until the subscription is removed.
	Subscribe(ids []teams.UserID, s Subscriber) (SubscriptionID, error)
	// Unsubscribe deletes a subscription.
	Unsubscribe(id SubscriptionID) error
	// Directory is GET /users: the tenant's directory, for matching a
	// vendor's user (by e-mail) to a Teams user, in the order of the users'
	// ids (the k-th entry is teams.UserID k).
	Directory(dst []teams.Directory) ([]teams.Directory, error)
}

// MaxBulkIDs is getPresencesByUserId's limit (G-GET-2).
const MaxBulkIDs = 650

// Presence is a presence resource as Graph returns it.
type Presence struct {
	User        teams.UserID
	Presence    presence.Presence
	OutOfOffice bool
	// Sequence is the resource's sequenceNumber: a reader must never let an
	// older one win over a newer one (C-8).
	Sequence uint64
}

// SubscriptionID names a subscription of the seam.
type SubscriptionID uint32

// Notification is one change notification of a subscription.
type Notification struct {
	Subscription SubscriptionID
	// Changed is when the presence changed; the notification is delivered
	// at the clock's now, which may be later (delay) or out of order.
	Changed  clock.Time
	Presence Presence
}

// Subscriber receives notifications on the world's clock.
type Subscriber interface {
	Notified(now clock.Time, n Notification)
}

// Error is Graph answering a request with an error status.
type Error struct {
	Status int
	Code   string
	// RetryAfter is the Retry-After header with 429 and 503; a compliant
	// caller sends nothing to Graph sooner (C-5).
	RetryAfter time.Duration
	Message    string
}

func (e *Error) Error() string {
	s := strconv.Itoa(e.Status) + " " + e.Code
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (Retry-After %s)", e.RetryAfter)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Transient says whether a caller should retry: throttling and 5xx.
func (e *Error) Transient() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// DirectoryDelta is a seam that says cheaply whether the directory changed,
// as Graph's users/delta query does with its deltaLink: the version grows
// with every change, so a connector reads Directory again only then. ok is
// false when the seam cannot tell.
type DirectoryDelta interface {
	DirectoryVersion() (v uint64, ok bool)
}

// The expirationDuration range setPresence documents (G-SET-1); a connector
// checks its setting against it before it writes.
const (
	MinExpiry = 5 * time.Minute
	MaxExpiry = 4 * time.Hour
)
