// Package cloudlink models Mitel CloudLink's presence sync into Teams
// (seed 002, RULEBOOK §3). CloudLink combines the PBX line states and the
// PBX user presence (Mitel One's state where the PBX has none) into one
// CloudLink presence (CL-1..CL-4, CL-10, CL-15) and writes it into Teams as
// its own app-configured presence session through the Graph seam:
// setPresence with CloudLink's app id as session id, refreshed before it
// expires, and clearPresence when the state has no session (CL-6..CL-8).
// While Do not disturb is not synced the session follows the presence
// without its Do-not-disturb sources (CL-7). Users are matched by e-mail to
// the tenant's UPNs or mails, one PBX user per Teams user (CL-14); a user
// without a match, or a duplicate, is reported and not synced.
//
// Every mapping and precedence is a table in Settings naming its rule, so a
// test can swap in a faulty connector and watch the features fail.
package cloudlink
