// Package follow is a compliant reader of Teams presence through the Graph
// seam, shared by the built-in integration models that read Teams: one
// subscription per followed user, a presence taken only when its
// sequenceNumber is newer than the one held (C-8), polling while a user's
// notifications are lost and a read when a subscription stays quiet too long
// (C-7), and one back-off for every request of the app, honouring
// Retry-After and doubling after a 5xx (C-5).
package follow
