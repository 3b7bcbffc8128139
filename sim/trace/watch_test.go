package trace

import "testing"

// A watcher sees every entry, also those a limit drops and those recorded
// while recording is off.
func TestWatchSeesEveryEntry(t *testing.T) {
	var tr Trace
	tr.Limit(chunkSize)
	seen := 0
	tr.Watch(func(Entry) { seen++ })
	for range 3 * chunkSize {
		tr.Record(Entry{User: "alice"})
	}
	tr.SetRecording(false)
	tr.Record(Entry{User: "bob"})
	if seen != 3*chunkSize+1 || tr.Len() >= 3*chunkSize || tr.Dropped() == 0 {
		t.Fatalf("watched %d of %d entries; kept %d, dropped %d", seen, 3*chunkSize+1, tr.Len(), tr.Dropped())
	}
}
