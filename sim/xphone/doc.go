// Package xphone models C4B XPhone Connect's two-way presence sync with
// Microsoft Teams (seed 001, RULEBOOK §4): per user the XPhone client
// (started, connected to its server), the ordered "My profiles", the
// appointment list, XPhone calls and meetings, microphone sync, and the site
// configuration (sync mode, "user may change", credentials, the central
// profile templates). A person without a Teams account may use the client;
// XPhone syncs nothing for them and reports them (XP-11).
//
// Both directions go through XPhone's Graph seam (graph.Seam) and nothing
// else of Teams. XPhone follows Teams presence with a follow.Reader: a
// subscription per user, the newest sequenceNumber winning (C-8), polling
// while notifications are lost and a read when a subscription stays quiet
// (C-7). It writes its call state as its own app session (setPresence,
// refreshed before expiry) and its Do-not-disturb as preferred presence
// (setUserPreferredPresence, XP-10); a write Graph answers with 429 or 5xx
// waits for Retry-After or the back-off and is sent again (C-5). Every write
// is journalled with the input change that caused it, so the no-echo rule
// (XP-13) can be checked as an invariant of any run. What a person does in
// Teams (seed 001's calls and screen sharing) is a TeamsUser's doing, and
// the accounts XPhone syncs come from its Tenant, never from the seam.
//
// Mappings, precedence and modes are tables naming their rule ids
// (tables.go); every decided value is a field of Settings.
package xphone
