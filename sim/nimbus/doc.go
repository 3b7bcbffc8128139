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
// Through a presence account the model reads Teams only through its Graph
// seam (graph.Seam): a follow.Reader subscribes to every agent, never lets
// an older sequenceNumber win (C-8), polls while a subscription fails, reads
// a quiet one, and backs off after 429 and 5xx honouring Retry-After (C-5,
// C-7). Without presence accounts it reads federation (FederationView),
// which is no Graph operation. What people do is theirs, not Nimbus's: an
// agent answering a routed call or dialling out makes a Teams call through
// People, so Teams itself makes the agent Busy/InACall (T-CALL-1); the
// accounts of the service lines and the presence accounts' guests are the
// administrator's (Tenant).
//
// Day runs a contact-centre working day with seeded call arrivals and
// seeded agent behaviour (the agents acting through People) under several
// configurations and reports, per configuration, the calls offered to
// agents already in a call, the calls that found nobody to distribute to,
// and the callers' waiting time.
package nimbus
