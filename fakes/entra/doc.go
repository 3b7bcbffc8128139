// Package entra is a fake of Microsoft Entra ID, the identity platform,
// over a simulated world: the directory (tenants, app registrations with
// secrets, certificates and permissions, the users' passwords and MFA),
// OpenID discovery, the signing keys, user realm and instance discovery,
// the token endpoint, and the sign-in page and device code flow of the
// interactive grants. A vendor's connector built on azidentity,
// @azure/identity, msal-node or MSAL Python runs against it unchanged, its
// authority pointed at the fake (G-ID-1, G-ID-2).
//
// Tokens are RS256 JWTs signed with an RSA key made per process from
// crypto/rand, never from the world's seed: knowing the seed does not let
// anyone forge a token. One key set serves every world of a process; each
// token carries the live world's instance, so a world built anew by a
// reset refuses the tokens of the one before. Refresh tokens and
// authorization codes are sealed with the key set's secret rather than
// kept in a table.
//
// Token times are wall-clock times, as the libraries compare them with the
// machine's clock (G-ID-2); Options.WorldTime puts them on the world's
// clock for scenarios that test expiry in virtual time. Handler.Parse and
// CheckIn (or Verify) are how Graph checks a bearer token.
//
// The directory lives in the world (DirectoryOf) and is reached only with
// the world held; the handler reaches it through live.World.Do and signs
// outside the lock.
//
// msalcheck, a module of its own, runs MSAL Go and azidentity against the
// fake on loopback TLS: cd fakes/entra/msalcheck && go run .
package entra
