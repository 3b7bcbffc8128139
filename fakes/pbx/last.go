package pbx

// LastEventID is the id of the last event the PBX has journalled: a
// client that has taken in the event stream up to it has seen every
// change so far (a paced soak waits for its connector to get there).
func (h *Handler) LastEventID() uint64 { return h.j.lastID() }
