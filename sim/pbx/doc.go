// Package pbx models the telephone system behind Mitel CloudLink: per user
// the lines of the PBX devices (desk phone, softphone) with their call
// states, the MiVoice Office 400 user presence (five states the admin may
// rename), the Mitel One presence kept in step with it (CL-5), and presence
// set in MiCollab, which stays there.
//
// The model is pure: it changes only when called, records every change in
// the world's trace and tells its listeners synchronously. Integration models
// (CloudLink) and the HTTP fake listen to it.
package pbx
