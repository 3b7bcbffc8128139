package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
	"github.com/presencesim/presencesim/live/certs"
	"github.com/presencesim/presencesim/live/served"
)

func init() {
	commands["serve"] = command{summary: "serve the fake Microsoft Graph and PBX APIs on loopback, with a control API", run: serveCmd}
}

func serveCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", "127.0.0.1:8080", "address to listen on (loopback unless --public)")
	public := fl.Bool("public", false, "allow a non-loopback --addr; the control API then requires the token printed at start")
	worldPath := fl.String("world", "", "world file (JSON); the built-in demo world when empty")
	clockMode := fl.String("clock", "wall", "wall: the world's clock follows wall time; manual: it moves only through /_presencesim/clock")
	speed := fl.Float64("speed", 1, "with --clock wall: virtual seconds per wall second")
	throttle := fl.Bool("throttle", true, "apply Graph's limit of 1,500 requests per 30 s per app and tenant")
	seed := fl.Int64("seed", -1, "override the world file's seed")
	start := fl.String("start", "", "the world's start time: hh:mm, \"day 2 09:00\" or now (default: now with --clock wall, else the world file's)")
	useTLS := fl.Bool("tls", true, "serve HTTPS with a CA made for this process (Microsoft's libraries refuse http authorities); --tls=false serves plain HTTP")
	var tlsNames stringList
	fl.Var(&tlsNames, "tls-name", "another host name or address the certificate covers (repeatable)")
	tlsCert := fl.String("tls-cert", "", "serve this certificate (PEM) instead of one the process makes")
	tlsKey := fl.String("tls-key", "", "the key of --tls-cert (PEM; empty when the certificate file holds it)")
	caOut := fl.String("ca-out", "", "write the CA certificate (PEM) here, for clients to trust")
	intercept := fl.Bool("proxy", true, "with TLS: also answer as an HTTPS proxy for graph.microsoft.com and login.microsoftonline.com (HTTPS_PROXY=…), refusing every other host")
	sipAddr := fl.String("sip", "", "also serve the PBX over SIP (UDP and TCP) at this address, e.g. 127.0.0.1:5060 (loopback unless --public)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim serve [flags]\n\nServes Microsoft Graph presence (/v1.0/...), Microsoft Entra ID (discovery at\n/{tenant}/v2.0/.well-known/openid-configuration, keys, tokens at /{tenant}/oauth2/v2.0/token),\nthe PBX fake (/pbx/...) and the control API (/_presencesim/...).")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "presencesim serve: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	if *clockMode != "wall" && *clockMode != "manual" {
		fmt.Fprintf(stderr, "presencesim serve: --clock %q; valid: wall, manual\n", *clockMode)
		return 2
	}
	if !(*speed > 0 && *speed <= 1e6) {
		fmt.Fprintf(stderr, "presencesim serve: --speed %g; write a number of virtual seconds per wall second above 0, at most 1e6\n", *speed)
		return 2
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: --addr %q: %v\n", *addr, err)
		return 2
	}
	if ip := net.ParseIP(host); !*public && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(stderr, "presencesim serve: %s is not a loopback address; add --public to serve other hosts\n", host)
		return 2
	}
	if *sipAddr != "" {
		h, _, err := net.SplitHostPort(*sipAddr)
		if ip := net.ParseIP(h); err != nil || (!*public && h != "localhost" && (ip == nil || !ip.IsLoopback())) {
			fmt.Fprintf(stderr, "presencesim serve: --sip %q: write a loopback host:port (or add --public)\n", *sipAddr)
			return 2
		}
	}
	wf, err := served.LoadWorldFile(*worldPath)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
		return 2
	}
	if *seed >= 0 {
		wf.Seed = uint64(*seed)
	}
	switch {
	case *start != "":
		wf.Start = *start
	case *clockMode == "wall":
		wf.Start = "now"
	}
	opt := served.Options{Addr: *addr, Clock: live.Clock{Manual: *clockMode == "manual", Scale: *speed},
		Graph: graph.Options{Throttle: graph.Throttle{Off: !*throttle}}, SIP: *sipAddr}
	if *public {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
			return 1
		}
		opt.ControlToken = hex.EncodeToString(b[:])
	}
	var caFile string
	if *useTLS {
		var err error
		if caFile, err = serveTLS(&opt, *tlsCert, *tlsKey, *caOut, tlsNames, *intercept); err != nil {
			fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
			return 2
		}
	}
	srv, err := served.NewServer(wf, opt)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "presencesim: serving %s\n", srv)
	if caFile != "" {
		fmt.Fprintf(stdout, "presencesim: trust the CA in %s:\n  SSL_CERT_FILE=%s        # Go, OpenSSL, curl\n  NODE_EXTRA_CA_CERTS=%s  # Node.js\n  REQUESTS_CA_BUNDLE=%s   # Python requests, MSAL Python\n", caFile, caFile, caFile, caFile)
	}
	if len(opt.Intercept) > 0 {
		fmt.Fprintf(stdout, "presencesim: for connectors that keep Microsoft's host names: HTTPS_PROXY=%s (intercepts %s; refuses every other host)\n", srv.URL, strings.Join(opt.Intercept, ", "))
	}
	if opt.ControlToken != "" {
		fmt.Fprintf(stdout, "presencesim: --public: the control API shows every secret and requires\n  Authorization: Bearer %s\n", opt.ControlToken)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(stdout, "presencesim: draining requests in flight")
	srv.Close()
	fmt.Fprintln(stdout, "presencesim: stopped")
	return 0
}

// serveTLS sets up HTTPS: the user's certificate, or one signed by a CA
// made for this process, whose PEM goes to caOut (or a file in the
// temporary folder) for clients to trust. It returns that file.
func serveTLS(opt *served.Options, certFile, keyFile, caOut string, names []string, intercept bool) (string, error) {
	if certFile != "" {
		cert, err := certs.LoadKeyPair(certFile, keyFile)
		if err != nil {
			return "", err
		}
		opt.TLS = certs.ServerConfig(cert)
		return "", nil
	}
	if keyFile != "" {
		return "", fmt.Errorf("--tls-key needs --tls-cert")
	}
	ca, err := certs.NewCA("presencesim serve")
	if err != nil {
		return "", err
	}
	opt.CA, opt.Names = ca, names
	if intercept {
		opt.Intercept = served.MicrosoftHosts
	}
	if caOut == "" {
		caOut = filepath.Join(os.TempDir(), fmt.Sprintf("presencesim-ca-%d.pem", os.Getpid()))
	}
	if err := ca.WriteFile(caOut); err != nil {
		return "", err
	}
	return caOut, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
