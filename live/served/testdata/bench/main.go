// Command bench serves the demo world for wrk, over HTTP and HTTPS, beside
// a bare Go handler that writes the bytes served GET presence answers, with
// the same headers: the difference between the two is what the fakes and
// the served package cost. wrk.sh runs it; -env names the file it writes
// the URLs and tokens to once everything listens.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/live/certs"
	"github.com/presencesim/presencesim/live/served"
)

func main() {
	servedHTTP := flag.String("served-http", "127.0.0.1:18080", "address of the served world over HTTP")
	bareHTTP := flag.String("bare-http", "127.0.0.1:18081", "address of the bare handler over HTTP")
	servedHTTPS := flag.String("served-https", "127.0.0.1:18443", "address of the served world over HTTPS")
	bareHTTPS := flag.String("bare-https", "127.0.0.1:18444", "address of the bare handler over HTTPS")
	env := flag.String("env", "", "file to write the URLs and tokens to, as shell assignments")
	pprofAddr := flag.String("pprof", "", "address to serve net/http/pprof on, to profile the servers while wrk runs")
	flag.Parse()
	if *pprofAddr != "" {
		// net/http/pprof registers on the default mux, which nothing else serves
		go func() { log.Print(http.ListenAndServe(*pprofAddr, nil)) }()
	}
	ca, err := certs.NewCA("presencesim bench")
	if err != nil {
		log.Fatal(err)
	}
	var lines []string
	for _, side := range []struct {
		name, served, bare string
		ca                 *certs.CA
	}{{"HTTP", *servedHTTP, *bareHTTP, nil}, {"HTTPS", *servedHTTPS, *bareHTTPS, ca}} {
		// throttling off: wrk sends far more than Graph's 1,500 requests
		// per 30 s; a manual clock keeps the answer the same throughout
		srv, err := served.NewServer(served.Demo(), served.Options{Addr: side.served, Clock: live.Clock{Manual: true}, CA: side.ca,
			Graph: graph.Options{Throttle: graph.Throttle{Off: true}}})
		if err != nil {
			log.Fatal(err)
		}
		defer srv.Close()
		u, tok, sample, err := presenceSample(srv)
		if err != nil {
			log.Fatalf("%s: %v", side.name, err)
		}
		bare, err := serveBare(side.bare, side.ca, sample)
		if err != nil {
			log.Fatal(err)
		}
		defer bare.Close()
		path := strings.TrimPrefix(u, srv.URL)
		scheme := strings.ToLower(side.name)
		lines = append(lines, fmt.Sprintf("%s_SERVED=%s%s", side.name, srv.URL, path), fmt.Sprintf("%s_BARE=%s://%s%s", side.name, scheme, side.bare, path),
			fmt.Sprintf("%s_TOKEN=%s", side.name, tok))
		log.Printf("%s: served %s, bare %s://%s; %d bytes per answer", side.name, srv.URL, scheme, side.bare, len(sample.body))
	}
	if *env != "" {
		// written whole and renamed, so that a reader never sees half
		if err := os.WriteFile(*env+".tmp", []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(*env+".tmp", *env); err != nil {
			log.Fatal(err)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}

// answer is a served answer to copy.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// presenceSample gets an app token and alice's presence from srv: the URL,
// the token and the answer.
func presenceSample(srv *served.Server) (string, string, answer, error) {
	c := srv.Client()
	resp, err := c.Get(srv.URL + "/_presencesim/world")
	if err != nil {
		return "", "", answer{}, err
	}
	var w struct {
		Tenants []struct {
			ID    string `json:"id"`
			Users []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"users"`
			Apps []struct {
				AppID  string `json:"appId"`
				Secret string `json:"clientSecret"`
			} `json:"apps"`
		} `json:"tenants"`
	}
	err = json.NewDecoder(resp.Body).Decode(&w)
	resp.Body.Close()
	if err != nil || len(w.Tenants) == 0 || len(w.Tenants[0].Apps) == 0 {
		return "", "", answer{}, fmt.Errorf("world: %v", err)
	}
	ten := w.Tenants[0]
	resp, err = c.PostForm(srv.URL+"/"+ten.ID+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {ten.Apps[0].AppID},
		"client_secret": {ten.Apps[0].Secret}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		return "", "", answer{}, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		return "", "", answer{}, fmt.Errorf("token: %d %v", resp.StatusCode, err)
	}
	var alice string
	for _, u := range ten.Users {
		if u.Name == "alice" {
			alice = u.ID
		}
	}
	u := srv.URL + "/v1.0/users/" + alice + "/presence"
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = c.Do(req)
	if err != nil {
		return "", "", answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", "", answer{}, fmt.Errorf("presence: %d %v %s", resp.StatusCode, err, body)
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Request-Id", "Client-Request-Id"} {
		h[k] = resp.Header.Values(k)
	}
	return u, tok.AccessToken, answer{resp.StatusCode, h, body}, nil
}

// serveBare answers every request with a, on the served server's limits,
// over TLS with a certificate of its own when ca is set.
func serveBare(addr string, ca *certs.CA, a answer) (*http.Server, error) {
	lim := served.DefaultLimits
	hs := &http.Server{ReadHeaderTimeout: lim.ReadHeaderTimeout, ReadTimeout: lim.ReadTimeout, IdleTimeout: lim.IdleTimeout, MaxHeaderBytes: lim.MaxHeaderBytes,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			hd := w.Header()
			for k, v := range a.header {
				hd[k] = v
			}
			w.WriteHeader(a.status)
			_, _ = w.Write(a.body)
		})}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if ca == nil {
		go func() { _ = hs.Serve(ln) }()
		return hs, nil
	}
	// served mode's own TLS configuration, with a leaf of its own
	cfg, err := ca.ServerTLS("127.0.0.1", "localhost")
	if err != nil {
		ln.Close()
		return nil, err
	}
	hs.TLSConfig = cfg
	go func() { _ = hs.ServeTLS(ln, "", "") }()
	return hs, nil
}
