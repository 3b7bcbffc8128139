package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

// reportedView is one presence a reading connector came to believe.
type reportedView struct {
	ID             string `json:"id"`
	Availability   string `json:"availability"`
	Activity       string `json:"activity"`
	SequenceNumber string `json:"sequenceNumber"`
}

// MaxReportedViews is the most views one report to the harness carries.
const MaxReportedViews = 1000

// reportView posts to the harness (url, when set) the presence a reading
// connector now believes a user has, so its view can be judged (C-8).
func reportView(ctx context.Context, hc *http.Client, url, id string, p graphPresence) {
	reportViews(ctx, hc, url, []reportedView{{ID: id, Availability: p.Availability, Activity: p.Activity, SequenceNumber: p.SequenceNumber}})
}

// reportViews posts views in order, a single one as an object, more as
// arrays of at most MaxReportedViews: a reader of a tenant comes to
// believe hundreds of presences a second, which one request each would
// make the harness's bottleneck rather than the reader's.
func reportViews(ctx context.Context, hc *http.Client, url string, vs []reportedView) {
	if url == "" {
		return
	}
	for len(vs) > 0 {
		part := vs[:min(len(vs), MaxReportedViews)]
		vs = vs[len(part):]
		var b []byte
		if len(part) == 1 {
			b, _ = json.Marshal(part[0])
		} else {
			b, _ = json.Marshal(part)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
		}
	}
}
