package teams

// HistoryLen is how many presence changes the model keeps for u.
func HistoryLen(m *Model, u UserID) int { return len(m.users[u].history) }
