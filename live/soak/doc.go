// Package soak runs a connector through a working day at tenant scale and
// measures how stale it gets (C-12). A served world of thousands of people
// lives a seeded day (sim/workload) in virtual time that follows the wall
// clock at a chosen speed; the connector under test is attached exactly
// as in a conformance run. Staleness is measured from the world's own
// truth: for every desk-phone line change the connector must carry into
// Teams, the virtual time until its app session in the Teams model agrees
// with the line — or that it never did, or that a write disagreed with the
// line when made. For a presence reader (nimbus) it is the virtual time
// from each change of a person's Teams presence in the trace to the
// first view the reader reports that shows it, and the views older than
// one it had already shown (C-8). Request rates against Graph's limit
// (G-THR-1), 429s and the fake's own answer latency come from the wire.
//
// For an XPhone connector the day has an XPhone part instead of desk
// phones (calls, meetings, profile selections in the XPhone server fake),
// and staleness runs both ways: from an XPhone change to the connector's
// write in Teams (its session, preferred presence), and from Teams' own
// Do not disturb to its selection in XPhone.
//
// A paced soak (Config.Step) runs the in-process reference connector (or
// reader) on a world whose clock moves a step at a time, one pass after each:
// bounded by steps rather than the machine's speed, it gives the same
// figures for the same seed, and it is what the C-12 scenario plays.
package soak
