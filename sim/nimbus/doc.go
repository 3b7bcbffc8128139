// Package nimbus models Luware Nimbus presence-based call distribution on top
// of the Teams model: services with their Conversations Distribution setting
// per availability (NB-2; a change offers waiting calls at once),
// responsible agents (NB-1), the presence source — Teams federation or up to
// two presence accounts, signing in under the tenant's conditional access
// (NB-3..NB-6) — and routing:
// eligibility, longest-idle selection (NB-7), ringing, answering, the Active
// toggle and after-call work (NB-8), RONA (NB-9) and outbound dialling
// (NB-10).
//
// The model reads Teams through the same seam Graph offers: federation is
// teams.Model.Federated, a presence account reads as a guest member of the
// tenant (teams.Model.ViewAs), and an answered call is a Teams call between
// the service's line and the agent, so Teams itself makes the agent
// Busy/InACall (T-CALL-1).
//
// Day runs a contact-centre working day with seeded call arrivals and
// seeded agent behaviour under several configurations and reports, per
// configuration, the calls offered to agents already in a call, the calls
// that found nobody to distribute to, and the callers' waiting time.
package nimbus
