package conformance

import (
	"bytes"
	"compress/gzip"
	"net/http/httptest"
	"testing"
	"time"
)

// TestClassifyReadsPlainAndGzipBodies: the wire log reads a setPresence
// whether the client sent it plain or gzip-compressed, as the Graph SDKs do.
func TestClassifyReadsPlainAndGzipBodies(t *testing.T) {
	body := []byte(`{"sessionId":"app-1","availability":"Busy","activity":"InACall","expirationDuration":"PT10M"}`)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(body)
	_ = zw.Close()
	for _, tc := range []struct {
		name, encoding string
		raw            []byte
	}{{"plain", "", body}, {"gzip", "gzip", zipped.Bytes()}} {
		r := httptest.NewRequest("POST", "/v1.0/users/6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b/presence/setPresence", bytes.NewReader(tc.raw))
		var c Call
		classify(&c, r, plain(tc.encoding, tc.raw))
		p, ok := c.Pair()
		if c.Action != "setPresence" || c.SessionID != "app-1" || !c.HasSession || !ok || p.Short() != "Busy/InACall" || c.Expiration != 10*time.Minute || c.Target != "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b" {
			t.Errorf("%s: classified as %+v", tc.name, c)
		}
	}
}
