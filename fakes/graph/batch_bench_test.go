package graph

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkBatchVsSingles compares a $batch of 20 GET presence requests
// with twenty single requests in the same run, three ways: the handler
// called bare (ServeHTTP on a reused request, no client: the batch saves
// nothing there and pays for its JSON), through the in-process client Go
// code uses (graph.NewClient, no sockets), and served over loopback HTTP.
// batch/singles is the ratio of their costs; the target is ≤ 1.5.
func BenchmarkBatchVsSingles(b *testing.B) {
	fx, tok := benchFixture(b)
	path := "/v1.0/users/" + fx.ids["alice"] + "/presence"
	parts := make([]string, MaxBatchRequests)
	for i := range parts {
		parts[i] = `{"id":"` + strconv.Itoa(i+1) + `","method":"GET","url":"` + strings.TrimPrefix(path, "/v1.0") + `"}`
	}
	batchBody := []byte(`{"requests":[` + strings.Join(parts, ",") + `]}`)
	check := func(b *testing.B, st int, body []byte) {
		if st != 200 {
			b.Fatalf("status %d", st)
		}
		if body != nil && bytes.Count(body, []byte(`"status":200`)) != MaxBatchRequests {
			b.Fatalf("batch answers: %s", body)
		}
	}
	b.Run("bare handler", func(b *testing.B) {
		single := httptest.NewRequest("GET", "https://graph.microsoft.com"+path, nil)
		single.Header.Set("Authorization", "Bearer "+tok)
		var tSingles, tBatch time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			for j := 0; j < MaxBatchRequests; j++ {
				rec := discard{h: http.Header{}}
				fx.h.ServeHTTP(&rec, single)
				check(b, rec.code, nil)
			}
			t1 := time.Now()
			req := httptest.NewRequest("POST", "https://graph.microsoft.com/v1.0/$batch", bytes.NewReader(batchBody))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			fx.h.ServeHTTP(rec, req)
			tBatch += time.Since(t1)
			tSingles += t1.Sub(t0)
			check(b, rec.Code, rec.Body.Bytes())
		}
		report(b, tSingles, tBatch)
	})
	viaClient := func(b *testing.B, c *http.Client, root string) {
		send := func(method, url string, body []byte) (int, []byte) {
			req, _ := http.NewRequest(method, url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, out
		}
		var tSingles, tBatch time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			for j := 0; j < MaxBatchRequests; j++ {
				st, _ := send("GET", root+path, nil)
				check(b, st, nil)
			}
			t1 := time.Now()
			st, out := send("POST", root+"/v1.0/$batch", batchBody)
			tBatch += time.Since(t1)
			tSingles += t1.Sub(t0)
			check(b, st, out)
		}
		report(b, tSingles, tBatch)
	}
	b.Run("in-process client", func(b *testing.B) {
		c, _ := NewClient(fx.h)
		viaClient(b, c, "https://graph.microsoft.com")
	})
	b.Run("served", func(b *testing.B) {
		srv := httptest.NewServer(fx.h)
		defer srv.Close()
		tr := &http.Transport{MaxIdleConnsPerHost: 4}
		defer tr.CloseIdleConnections()
		viaClient(b, &http.Client{Transport: tr}, srv.URL)
	})
}

func report(b *testing.B, singles, batch time.Duration) {
	b.ReportMetric(float64(singles.Nanoseconds())/float64(b.N), "ns/20-singles")
	b.ReportMetric(float64(batch.Nanoseconds())/float64(b.N), "ns/batch")
	b.ReportMetric(float64(batch)/float64(singles), "batch/singles")
}
