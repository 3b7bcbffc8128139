// Package graph is Microsoft Graph as an integration model sees it: the
// presence operations a connector may call (the Seam), and nothing else of
// Teams. The built-in CloudLink, XPhone and Nimbus models take a Seam, so
// they are held to exactly what a vendor's connector can do; Graph's limits
// and faults sit on the seam, on the world's clock, so the same rules judge
// an in-process model and a connector process talking HTTP.
package graph
