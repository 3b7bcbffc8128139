package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

// reportView posts to the harness (url, when set) the presence a reading
// connector now believes a user has, so its view can be judged (C-8).
func reportView(ctx context.Context, hc *http.Client, url, id string, p graphPresence) {
	if url == "" {
		return
	}
	b, _ := json.Marshal(map[string]string{"id": id, "availability": p.Availability, "activity": p.Activity, "sequenceNumber": p.SequenceNumber})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if resp, err := hc.Do(req); err == nil {
		resp.Body.Close()
	}
}
