package graph

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// subscribeTo asks Graph for a subscription of alice's presence as alice.
func (f *fixture) subscribeTo(notify, lifecycle string) (int, ErrorBody) {
	f.t.Helper()
	exp := f.lw.Now().Wall().Add(30 * time.Minute).Format(time.RFC3339)
	body := map[string]string{"changeType": "updated", "notificationUrl": notify, "resource": "communications/presences/" + f.ids["alice"], "expirationDateTime": exp}
	if lifecycle != "" {
		body["lifecycleNotificationUrl"] = lifecycle
	}
	b, _ := json.Marshal(body)
	st, out, _ := f.do("POST", "/v1.0/subscriptions", f.userToken("alice"), string(b))
	var eb ErrorBody
	_ = json.Unmarshal(out, &eb)
	if st == http.StatusCreated {
		var sub Subscription
		_ = json.Unmarshal(out, &sub)
		f.do("DELETE", "/v1.0/subscriptions/"+sub.ID, f.userToken("alice"), "")
	}
	return st, eb
}

func TestNotificationURLs(t *testing.T) {
	cases := []struct {
		name, notify, lifecycle string
		hosts                   []string
		status                  int
		says                    string
	}{
		{"https anywhere", "https://hooks.example.com/n?x=1", "", nil, 201, ""},
		{"http to 127.0.0.1", "http://127.0.0.1:9000/n", "", nil, 201, ""},
		{"http to 127.8.9.10", "http://127.8.9.10/n", "", nil, 201, ""},
		{"http to localhost", "http://LocalHost:9000/n", "", nil, 201, ""},
		{"http to ::1", "http://[::1]:9000/n", "", nil, 201, ""},
		{"http elsewhere", "http://hooks.example.com/n", "", nil, 400, "https"},
		{"http lifecycle elsewhere", "https://hooks.example.com/n", "http://10.0.0.1/l", nil, 400, "lifecycleNotificationUrl must use https"},
		{"http to a host allowed", "http://hooks.example.com/n", "", []string{"hooks.example.com"}, 201, ""},
		{"http to any host allowed", "http://10.1.2.3/n", "", []string{"*"}, 201, ""},
		{"a fragment", "https://hooks.example.com/n#part", "", nil, 400, "#fragment"},
		{"an empty fragment", "https://hooks.example.com/n#", "", nil, 400, "#fragment"},
		{"a lifecycle fragment", "https://hooks.example.com/n", "https://hooks.example.com/l#x", nil, 400, "#fragment"},
		{"no scheme", "hooks.example.com/n", "", nil, 400, "absolute https URL"},
		{"another scheme", "ftp://hooks.example.com/n", "", nil, 400, "absolute https URL"},
		{"too long", "https://hooks.example.com/" + strings.Repeat("n", maxURL), "", nil, 400, "longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{HTTPHosts: c.hosts})
			st, eb := f.subscribeTo(c.notify, c.lifecycle)
			if st != c.status || !strings.Contains(eb.Error.Message, c.says) {
				t.Fatalf("%d %q; want %d saying %q", st, eb.Error.Message, c.status, c.says)
			}
			if st == 201 {
				if tok, _ := url.Parse(f.rx[0].URL); tok.Query().Get("validationToken") == "" {
					t.Fatalf("the validation request %s carries no token", f.rx[0].URL)
				}
			}
		})
	}
}

// The subscription's creator must not learn from the error whether a port
// listens: a refused connection, a TLS failure and a timeout read the same.
func TestValidationFailuresTellNoMore(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String() + "/n"
	closed.Close()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hang.Close()
	defer close(release)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	f := newFixture(t, Options{Deliverer: &HTTPDeliverer{}, Notify: NotifySettings{ValidationTimeout: 300 * time.Millisecond}})
	var msgs []string
	for _, u := range []string{refused, hang.URL + "/n", strings.Replace(plain.URL, "http:", "https:", 1) + "/n"} {
		st, eb := f.subscribeTo(u, "")
		if st != http.StatusBadRequest || eb.Error.Code != "ValidationError" {
			t.Fatalf("%s: %d %+v; want 400 ValidationError", u, st, eb.Error)
		}
		msgs = append(msgs, eb.Error.Message)
	}
	if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
		t.Fatalf("the failures read differently:\n%s", strings.Join(msgs, "\n"))
	}
	for _, bad := range []string{"refused", "tls", "http response", "dial", "127.0.0.1"} {
		if strings.Contains(strings.ToLower(msgs[0]), bad) {
			t.Fatalf("the failure %q tells %q", msgs[0], bad)
		}
	}
	// The tester still sees the cause in the notices.
	if ns := f.h.Notices(); !strings.Contains(ns[0].Error, "refused") {
		t.Fatalf("the notice of the refused validation reads %q", ns[0].Error)
	}
}

func TestHTTPDelivererAnswers(t *testing.T) {
	var elsewhere atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1); w.WriteHeader(202) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < 64; i++ { // 4 MiB
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cases := []struct {
		name, path string
		client     *http.Client
		status     int
		body       int
	}{
		{"redirect", "/redirect", nil, http.StatusTemporaryRedirect, -1},
		{"redirect with a client that follows", "/redirect", &http.Client{}, http.StatusTemporaryRedirect, -1},
		{"big answer", "/big", nil, 200, MaxReplyBody},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hd := &HTTPDeliverer{Client: c.client}
			rep, err := hd.Deliver(context.Background(), Delivery{URL: srv.URL + c.path, ContentType: "application/json"})
			if err != nil || rep.Status != c.status || (c.body >= 0 && len(rep.Body) != c.body) {
				t.Fatalf("status %d, %d bytes, %v; want %d and %d bytes", rep.Status, len(rep.Body), err, c.status, c.body)
			}
		})
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("a redirect was followed %d times", n)
	}
}
