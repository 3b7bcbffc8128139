package graph

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServedGetPresence measures GET presence over real loopback HTTP
// with keep-alive connections, token checking and live aggregation; client
// and server share the machine, as with wrk.
func BenchmarkServedGetPresence(b *testing.B) {
	fx, tok := benchFixture(b)
	srv := httptest.NewServer(fx.h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	url := srv.URL + "/v1.0/users/" + fx.ids["alice"] + "/presence"
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		for pb.Next() {
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
