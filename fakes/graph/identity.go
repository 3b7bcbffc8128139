package graph

import (
	"github.com/presencesim/presencesim/fakes/entra"
	"github.com/presencesim/presencesim/sim"
)

// Permission names Graph uses for presence (G-AUTH-1) and users (G-USR-1).
const (
	PresenceRead          = entra.PresenceRead
	PresenceReadAll       = entra.PresenceReadAll
	PresenceReadWrite     = entra.PresenceReadWrite
	PresenceReadWriteAll  = entra.PresenceReadWriteAll
	UserRead              = entra.UserRead
	UserReadBasicAll      = entra.UserReadBasicAll
	UserReadAll           = entra.UserReadAll
	graphResource         = entra.GraphResource
	graphResourceAppID    = entra.GraphAppID
	notificationPublisher = "0bf30f3b-4a52-48df-9a82-234910c4a086"
)

// The directory is Entra ID's (fakes/entra); these names stay for the
// callers that knew it as Graph's.
type (
	// Identity is the world's directory.
	Identity = entra.Directory
	// Tenant is an organisation of the world with its directory id.
	Tenant = entra.Tenant
	// App is an app registration.
	App = entra.App
	// Account is how a user signs in with a password.
	Account = entra.Account
)

// IdentityOf returns the world's directory, creating it.
func IdentityOf(w *sim.World) *Identity { return entra.DirectoryOf(w) }
