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
	"syscall"

	"github.com/presencesim/presencesim/fakes/graph"
	"github.com/presencesim/presencesim/live"
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
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim serve [flags]\n\nServes Microsoft Graph presence (/v1.0/...), tokens (/{tenant}/oauth2/v2.0/token),\nthe PBX fake (/pbx/...) and the control API (/_presencesim/...).")
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
	wf, err := served.LoadWorldFile(*worldPath)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
		return 2
	}
	if *seed >= 0 {
		wf.Seed = uint64(*seed)
	}
	opt := served.Options{Addr: *addr, Clock: live.Clock{Manual: *clockMode == "manual", Scale: *speed},
		Graph: graph.Options{Throttle: graph.Throttle{Off: !*throttle}}}
	if *public {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
			return 1
		}
		opt.ControlToken = hex.EncodeToString(b[:])
	}
	srv, err := served.NewServer(wf, opt)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim serve: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "presencesim: serving %s\n", srv)
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
