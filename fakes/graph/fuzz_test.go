package graph

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/presencesim/presencesim/fakes/graph/richnotify"
)

// FuzzHandler feeds random methods, paths, headers and bodies to the
// handler: every answer is a success or a 4xx with Graph's error body (the
// token endpoint's OAuth body), never a 5xx, never a panic.
func FuzzHandler(f *testing.F) {
	fx := newFixture(&testing.T{}, Options{Throttle: Throttle{Off: true}})
	appTok := fx.appToken()
	userTok := fx.userToken("alice")
	alice, bob := fx.ids["alice"], fx.ids["bob"]
	certs := fuzzCertificates(f)
	seeds := []struct {
		method, path string
		auth         byte
		body         string
	}{
		{"GET", "/v1.0/users/{alice}/presence", 1, ""},
		{"GET", "/v1.0/me/presence", 2, ""},
		{"GET", "/v1.0/communications/presences/{bob}", 1, ""},
		{"POST", "/v1.0/communications/getPresencesByUserId", 1, `{"ids":["{alice}","{bob}"]}`},
		{"POST", "/v1.0/users/{alice}/presence/setPresence", 1, `{"sessionId":"{app}","availability":"Busy","activity":"InACall","expirationDuration":"PT1H"}`},
		{"POST", "/v1.0/users/{alice}/presence/clearPresence", 1, `{"sessionId":"{app}"}`},
		{"POST", "/v1.0/me/presence/setUserPreferredPresence", 2, `{"availability":"DoNotDisturb","activity":"DoNotDisturb","expirationDuration":"P1DT2H"}`},
		{"POST", "/v1.0/me/presence/clearUserPreferredPresence", 2, `{}`},
		{"POST", "/v1.0/me/presence/setStatusMessage", 2, `{"statusMessage":{"message":{"content":"hi","contentType":"text"},"expiryDateTime":{"dateTime":"2026-01-06T10:00:00","timeZone":"Pacific Standard Time"}}}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"https://h.example/n","resource":"/communications/presences?$filter=id in ('{alice}')","expirationDateTime":"2026-01-05T00:30:00Z"}`},
		{"PATCH", "/v1.0/subscriptions/x", 2, `{"expirationDateTime":"2026-01-05T00:40:00Z"}`},
		{"DELETE", "/v1.0/subscriptions/x", 2, ""},
		{"GET", "/v1.0/subscriptions", 1, ""},
		{"POST", "/contoso/oauth2/v2.0/token", 0, "grant_type=client_credentials&client_id={app}&client_secret=x&scope=https://graph.microsoft.com/.default"},
		{"POST", "/contoso/oauth2/v2.0/token", 0, "grant_type=password&client_id={app}&username=alice@contoso.com&password=alice-pw&scope=Presence.Read"},
		{"GET", "/v1.0/users/%zz/presence", 3, ""},
		{"PUT", "/beta/me", 3, "\x00\xff"},
		{"POST", "/v1.0/me/presence/setStatusMessage", 2, `{"statusMessage":{"message":{"content":"ééééé😀","contentType":"text"},"expiryDateTime":{"dateTime":"9999-12-31T00:00:00","timeZone":"UTC"}}}`},
		{"POST", "/v1.0/users/{alice}/presence/setPresence", 1, `{"sessionId":"{app}","availability":"Busy","activity":"InACall","expirationDuration":"P106752D"}`},
		{"POST", "/v1.0/me/presence/setUserPreferredPresence", 2, `{"availability":"Busy","activity":"Busy","expirationDuration":"P36500DT23H59M59.999S"}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"https://h.example/n#x","resource":"communications/presences/{alice}","expirationDateTime":"2026-01-05T00:30:00Z"}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"http://[::1]:1/n","lifecycleNotificationUrl":"http://h.example/l","resource":"communications/presences/{alice}","expirationDateTime":"2026-01-05T00:30:00Z","latestSupportedTlsVersion":"v9"}`},
		// users (G-USR-1)
		{"GET", "/v1.0/me", 2, ""},
		{"GET", "/v1.0/users/alice@contoso.com?$select=displayName,mail,userType", 1, ""},
		{"GET", "/v1.0/users/{bob}", 1, ""},
		{"GET", "/v1.0/users?$filter=userPrincipalName%20eq%20'alice@contoso.com'&$select=id", 1, ""},
		{"GET", "/v1.0/users?$filter=mail%20eq%20'o''brien@contoso.com'", 1, ""},
		{"GET", "/v1.0/users?$filter=id%20in%20('{alice}',%20'{bob}')&$top=1&$count=true", 1, ""},
		{"GET", "/v1.0/users?$filter=id%20in%20('a'&$top=999999999999", 1, ""},
		{"GET", "/v1.0/users?$top=1&$skiptoken=cHNpbTE6LTE", 1, ""},
		{"GET", "/v1.0/users?$select=,,&$filter=%20", 2, ""},
		// batches (G-BATCH-1): valid, nested, malformed, cyclic
		{"POST", "/v1.0/$batch", 1, `{"requests":[{"id":"1","method":"GET","url":"/users/{alice}/presence"},{"id":"2","method":"POST","url":"/communications/getPresencesByUserId","headers":{"Content-Type":"application/json"},"body":{"ids":["{bob}"]}},{"id":"3","method":"GET","url":"users?$filter=id in ('{alice}')","dependsOn":["1","2"]}]}`},
		{"POST", "/v1.0/$batch", 2, `{"requests":[{"id":"a","method":"GET","url":"/me"},{"id":"b","method":"POST","url":"/me/presence/setStatusMessage","headers":{"content-type":"text/plain"},"body":"aGk=","dependsOn":["a"]}]}`},
		{"POST", "/v1.0/$batch", 1, `{"requests":[{"id":"1","method":"POST","url":"/$batch","headers":{"Content-Type":"application/json"},"body":{"requests":[{"id":"1","method":"GET","url":"/me"}]}}]}`},
		{"POST", "/v1.0/$batch", 1, `{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":["2"]},{"id":"2","method":"GET","url":"/me","dependsOn":["1"]}]}`},
		{"POST", "/v1.0/$batch", 1, `{"requests":[{"id":"1","method":"GET","url":"%zz"},{"id":"1"}]}`},
		{"POST", "/v1.0/$batch", 1, `{"requests":{"id":"1"}}`},
		{"POST", "/v1.0/$batch", 1, `{"requests":[{"id":"1","method":"GET","url":"/users/{alice}/presence","headers":{"Authorization":"Bearer x","Content-Encoding":"gzip"},"body":null}]}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"https://h.example/n","resource":"communications/presences/{alice}","expirationDateTime":"2026-01-05T00:30:00Z","includeResourceData":true,"encryptionCertificate":"{cert}","encryptionCertificateId":"c1"}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"https://h.example/n","resource":"communications/presences/{alice}","expirationDateTime":"2026-01-05T00:30:00Z","includeResourceData":true,"encryptionCertificate":"{eccert}","encryptionCertificateId":"c1"}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"https://h.example/n","resource":"communications/presences/{alice}","expirationDateTime":"2026-01-05T00:30:00Z","includeResourceData":true,"encryptionCertificate":"{smallcert}","encryptionCertificateId":"c1"}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"https://h.example/n","resource":"communications/presences/{alice}","expirationDateTime":"2026-01-05T00:30:00Z","includeResourceData":true,"encryptionCertificate":"MIIB*==","encryptionCertificateId":""}`},
		{"POST", "/v1.0/subscriptions", 2, `{"changeType":"updated","notificationUrl":"https://h.example/n","resource":"communications/presences/{alice}","expirationDateTime":"2026-01-05T00:30:00Z","includeResourceData":true,"encryptionCertificate":null}`},
		{"POST", "/v1.0/subscriptions/x/reauthorize", 2, ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.auth, "client-request-id", s.body)
	}
	f.Fuzz(func(t *testing.T, method, path string, auth byte, header, body string) {
		expand := strings.NewReplacer("{alice}", alice, "{bob}", bob, "{app}", fx.app.AppID, "{cert}", certs.good, "{eccert}", certs.ec, "{smallcert}", certs.small)
		path, body = expand.Replace(path), expand.Replace(body)
		req, err := http.NewRequest(method, "https://graph.microsoft.com/", bytes.NewReader([]byte(body)))
		if err != nil {
			return // not a request a client can send
		}
		req.URL.Path = path
		if u, err := url.Parse("https://graph.microsoft.com" + path); err == nil {
			req.URL = u
		}
		switch auth % 4 {
		case 1:
			req.Header.Set("Authorization", "Bearer "+appTok)
		case 2:
			req.Header.Set("Authorization", "Bearer "+userTok)
		case 3:
			req.Header.Set("Authorization", header)
		}
		if len(header) < 200 {
			req.Header.Set("client-request-id", header)
		}
		if strings.HasSuffix(path, "/token") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("%s %q answered %d: %s", method, path, rec.Code, rec.Body.Bytes())
		}
		if rec.Code == 200 && strings.HasSuffix(req.URL.Path, "$batch") {
			var a struct {
				Responses []struct {
					ID     string `json:"id"`
					Status int    `json:"status"`
				} `json:"responses"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || len(a.Responses) == 0 || len(a.Responses) > MaxBatchRequests {
				t.Fatalf("a batch answered 200 with %d responses: %v %s", len(a.Responses), err, rec.Body.Bytes())
			}
			for _, r := range a.Responses {
				if r.Status < 200 || r.Status >= 500 {
					t.Fatalf("request %q of a batch answered %d: %s", r.ID, r.Status, rec.Body.Bytes())
				}
			}
		}
		if rec.Code >= 400 {
			var e struct {
				Error json.RawMessage `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || len(e.Error) == 0 {
				t.Fatalf("%s %q answered %d without an error body: %s", method, path, rec.Code, rec.Body.Bytes())
			}
		}
		// Keep the world's clock moving a little so expiries are exercised.
		_ = fx.lw.Advance(time.Second)
	})
}

// FuzzUserFilter checks the $filter parser of /users: no panic, and what
// it accepts names a filterable property and 1 to 15 values.
func FuzzUserFilter(f *testing.F) {
	for _, s := range []string{"userPrincipalName eq 'alice@contoso.com'", "mail eq 'o''brien@x.com'", "id in ('a', 'b','c')",
		"id in ()", "id in ('a'", "displayName eq ''", "mail eq 'a' and id eq 'b'", "startswith(mail,'a')", "ID IN ('x')", "mail  eq   'x'  ", "'", "id in (" + strings.Repeat("'a',", 16) + "'a')"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		uf, e := parseUserFilter(s)
		switch {
		case e == nil && uf == nil:
			t.Fatalf("%q: no filter and no error", s)
		case e != nil && e.Status != 400:
			t.Fatalf("%q refused with %d", s, e.Status)
		case e == nil && (len(uf.values) == 0 || len(uf.values) > maxFilterValues || propIndex(uf.prop) < 0):
			t.Fatalf("%q accepted as %+v", s, uf)
		}
	})
}

// FuzzBatchBody checks the batch envelope: no panic, a refusal is a 400,
// and an accepted batch has 1 to 20 requests in an order that runs each
// after those it depends on.
func FuzzBatchBody(f *testing.F) {
	for _, s := range []string{`{"requests":[{"id":"1","method":"GET","url":"/me"}]}`,
		`{"requests":[{"id":"1","method":"get","url":"me","dependsOn":["2"]},{"id":"2","method":"POST","url":"/x","headers":{"Content-Type":"application/json"},"body":{"a":[1,{"b":null}]}}]}`,
		`{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":["1"]}]}`, `{"requests":null}`, `[]`, `{"requests":[{}]}`, `{"requests":[{"id":"1","method":"GET","url":"/$batch?x"}]}`,
		`{"requests":[{"id":"1","method":"GET","url":"//evil/x"}]}`, `{"requests":[{"id":"1","method":"GET","url":"/me","headers":{"a":1}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		reqs, order, e := parseBatch(b)
		if e != nil {
			if e.Status != 400 {
				t.Fatalf("refused with %d", e.Status)
			}
			return
		}
		if len(reqs) == 0 || len(reqs) > MaxBatchRequests || len(order) != len(reqs) {
			t.Fatalf("%d requests in order %v", len(reqs), order)
		}
		pos := map[string]int{}
		for n, i := range order {
			pos[reqs[i].ID] = n
		}
		for _, r := range reqs {
			if r.u == nil || !strings.HasPrefix(r.u.Path, "/v1.0/") {
				t.Fatalf("request %q has no URL under /v1.0/: %v", r.ID, r.u)
			}
			for _, d := range r.DependsOn {
				if pos[d] >= pos[r.ID] {
					t.Fatalf("%q runs before its dependency %q: %v", r.ID, d, order)
				}
			}
		}
	})
}

// FuzzISODuration checks the duration parser never panics and that what
// it accepts lies within 0 and MaxISODuration.
func FuzzISODuration(f *testing.F) {
	for _, s := range []string{"PT5M", "PT1H30M", "P1D", "P1DT2H", "PT0.5S", "P1W", "PT", "P", "-PT5M", "PT1,5H", "P1Y",
		"P106752D", "P36500D", "P1000000W", "PT9223372036.854775807S", "P30000DT240000H", "PT0.3S"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODuration(s)
		if err == nil && (d < 0 || d > MaxISODuration) {
			t.Fatalf("%q parsed to %s, outside 0..%s", s, d, MaxISODuration)
		}
	})
}

// FuzzISODurationParts builds durations of weeks, days, hours, minutes and
// seconds and checks the parser against exact arithmetic: the sum when it
// is at most MaxISODuration, an error otherwise.
func FuzzISODurationParts(f *testing.F) {
	f.Add(uint64(0), uint64(1), uint64(2), uint64(0), uint64(30))
	f.Add(uint64(0), uint64(106752), uint64(0), uint64(0), uint64(0))
	f.Add(uint64(5214), uint64(2), uint64(0), uint64(0), uint64(0))
	f.Add(uint64(0), uint64(36499), uint64(23), uint64(59), uint64(60))
	f.Add(uint64(1<<63), uint64(1<<63), uint64(1<<63), uint64(1<<63), uint64(1<<63))
	f.Fuzz(func(t *testing.T, w, d, h, m, s uint64) {
		units := []struct {
			n    uint64
			unit time.Duration
		}{{w, 7 * 24 * time.Hour}, {d, 24 * time.Hour}, {h, time.Hour}, {m, time.Minute}, {s, time.Second}}
		want := new(big.Int)
		for _, u := range units {
			want.Add(want, new(big.Int).Mul(new(big.Int).SetUint64(u.n), big.NewInt(int64(u.unit))))
		}
		text := fmt.Sprintf("P%dW%dDT%dH%dM%dS", w, d, h, m, s)
		got, err := ParseISODuration(text)
		switch fits := want.Cmp(big.NewInt(int64(MaxISODuration))) <= 0; {
		case !fits && err == nil:
			t.Fatalf("%s is %s ns, beyond the maximum, yet parsed to %s", text, want, got)
		case fits && err != nil:
			t.Fatalf("%s is %s ns and was refused: %v", text, want, err)
		case fits && want.Int64() != int64(got):
			// Parts beyond 2^53 lose precision in floating point; only
			// parts of that size can differ, and they never fit.
			t.Fatalf("%s parsed to %d ns, want %s", text, int64(got), want)
		}
	})
}

// FuzzReadBody sends bodies plain and gzip-compressed, and raw bytes as if
// they were gzip: readBody never hands on more than 1 MiB, hands on the
// body whole when it fits, and refuses the rest with 400, 413 or 415.
func FuzzReadBody(f *testing.F) {
	f.Add([]byte(`{"ids":[]}`), uint16(1), byte(0))
	f.Add([]byte{0}, uint16(65535), byte(1))
	f.Add([]byte("0123456789abcdef"), uint16(65535), byte(1))
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), uint16(1), byte(2))
	f.Fuzz(func(t *testing.T, chunk []byte, repeat uint16, mode byte) {
		const max = 1 << 20
		if len(chunk)*int(repeat) > 4<<20 {
			return
		}
		plain := bytes.Repeat(chunk, int(repeat))
		sent, enc := plain, ""
		switch mode % 3 {
		case 1:
			var zb bytes.Buffer
			zw := gzip.NewWriter(&zb)
			_, _ = zw.Write(plain)
			_ = zw.Close()
			sent, enc = zb.Bytes(), "gzip"
		case 2:
			enc = "gzip"
		}
		req := httptest.NewRequest("POST", "/v1.0/communications/getPresencesByUserId", bytes.NewReader(sent))
		if enc != "" {
			req.Header.Set("Content-Encoding", enc)
		}
		body, e := readBody(req)
		switch {
		case len(body) > max:
			t.Fatalf("readBody handed on %d bytes", len(body))
		case e != nil && e.Status != 400 && e.Status != 413 && e.Status != 415:
			t.Fatalf("readBody refused with %d", e.Status)
		case mode%3 != 2 && len(plain) <= max && (e != nil || !bytes.Equal(body, plain)):
			t.Fatalf("a body of %d bytes that fits came out as %d bytes, %v", len(plain), len(body), e)
		case mode%3 != 2 && len(plain) > max && (e == nil || e.Status != 413):
			t.Fatalf("a body of %d bytes was not refused with 413: %v", len(plain), e)
		}
	})
}

type fuzzCerts struct{ good, ec, small string }

// fuzzCertificates are an acceptable encryption certificate, one of an
// ECDSA key and one of a 1024-bit RSA key, base64 as subscribers send them.
func fuzzCertificates(f *testing.F) fuzzCerts {
	ec, err := richnotify.ECDSA()
	if err != nil {
		f.Fatal(err)
	}
	return fuzzCerts{good: subscriber(f).Base64, ec: ec, small: rsaCertOfBits(f, 1024)}
}

// FuzzCertificate feeds encryptionCertificate and encryptionCertificateId
// values to the check: no panic, and what it accepts is an RSA key of
// 2048 to 4096 bits with an id of at most 128 characters.
func FuzzCertificate(f *testing.F) {
	certs := fuzzCertificates(f)
	for _, c := range []string{certs.good, certs.ec, certs.small, "", "====", "MIIB", certs.good[:len(certs.good)/2], " " + certs.good + "\n"} {
		f.Add(c, "c1")
	}
	f.Add(certs.good, strings.Repeat("x", 129))
	f.Fuzz(func(t *testing.T, cert, id string) {
		k, e := readCertificate(&cert, &id)
		switch {
		case e != nil && e.Status != 400:
			t.Fatalf("refused with %d", e.Status)
		case e == nil && (k.pub.N.BitLen() < minCertificateBits || k.pub.N.BitLen() > maxCertificateBits || utf8.RuneCountInString(id) > maxCertificateID || len(k.thumb) != 40):
			t.Fatalf("accepted a key of %d bits, id %q", k.pub.N.BitLen(), id)
		}
	})
}
