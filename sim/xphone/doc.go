// Package xphone models C4B XPhone Connect's two-way presence sync with
// Microsoft Teams (seed 001, RULEBOOK §4): per user the XPhone client
// (started, connected to its server), the ordered "My profiles", the
// appointment list, XPhone calls and meetings, microphone sync, and the site
// configuration (sync mode, "user may change", credentials, the central
// profile templates). A person without a Teams account may use the client;
// XPhone syncs nothing for them and reports them (XP-11).
//
// Both directions go through the Teams model's Graph seam. XPhone reads Teams
// presence from change notifications, falling back to polling when they stop;
// it writes its call state as its own app session (setPresence, refreshed
// before expiry) and its Do-not-disturb as preferred presence
// (setUserPreferredPresence, XP-10). Every write is journalled with the input
// change that caused it, so the no-echo rule (XP-13) can be checked as an
// invariant of any run.
//
// Mappings, precedence and modes are tables naming their rule ids
// (tables.go); every decided value is a field of Settings.
package xphone
