// Package cloudlink models Mitel CloudLink's presence sync into Teams
// (seed 002, RULEBOOK §3). CloudLink combines the PBX line states and the
// PBX user presence into one CloudLink presence (CL-1..CL-4, CL-10) and
// writes it into Teams as its own app-configured presence session through
// the Graph seam: setPresence with CloudLink's app id as session id,
// refreshed before it expires, and clearPresence when the state has no
// session (CL-6..CL-8). Users are matched by e-mail to the tenant's UPNs
// (CL-14); a user without a match is reported and not synced.
//
// Every mapping and precedence is a table in Settings naming its rule, so a
// test can swap in a faulty connector and watch the features fail.
package cloudlink
