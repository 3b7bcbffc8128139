package teams

// InCall reports whether the user is a party to an ongoing Teams call (two
// parties or a conference), whatever presence shows: a user-configured
// presence may hide the call (T-AGG-1), so integrations that must know the
// truth ask here rather than read the presence.
func (m *Model) InCall(id UserID) bool {
	u := m.users[id]
	return u.calls > 0 || u.confCalls > 0
}
