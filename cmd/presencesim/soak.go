package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/live/soak"
	"github.com/presencesim/presencesim/sim/clock"
)

func init() {
	commands["soak"] = command{summary: "run a connector through a working day of thousands of people and measure how stale it gets", run: runSoak}
}

func runSoak(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("soak", flag.ContinueOnError)
	fl.SetOutput(stderr)
	users := fl.Int("users", 20000, "people of the tenant, each with a desk phone")
	speed := fl.Float64("speed", 240, "virtual seconds per wall second (240: the day 08:00–18:00 in 2.5 minutes)")
	from := fl.String("from", "08:00", "start of the measured day")
	to := fl.String("to", "18:00", "end of the measured day")
	seed := fl.Uint64("seed", 1, "the world's seed: the same seed gives the same day")
	spec := fl.String("connector", "", "the connector: integration=command or integration=URL, as for run, or an integration alone (cloudlink, pbx, xphone, nimbus) for its reference in process; the reference CloudLink connector in process when empty")
	faultName := fl.String("fault", "", "plant a fault in the in-process reference connector: "+faultList("cloudlink")+"; for pbx: "+faultList("pbx")+"; for xphone: "+faultList("xphone")+"; of the reference nimbus reader: "+faultList("nimbus"))
	limit := fl.Int("limit", soak.ThrottleRequests, "Graph's presence limit per 30 s per app and tenant (G-THR-1); a smaller tenant may be given a limit to scale")
	step := fl.Duration("step", 0, "pace the day in steps of this much virtual time instead of following the wall (the in-process reference CloudLink connector or Nimbus reader only; the same seed gives the same figures)")
	dir := fl.String("report", "presencesim-report", "folder for soak.html and soak.json (empty: none)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim soak [flags]\n\nServes a world of --users people living a seeded working day and attaches the\nconnector as a conformance run does; prints how long each line change took to\nreach Teams (p50/p95/p99/max), what was never carried, and the request rate\nagainst Graph's limit (C-12).")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "presencesim soak: unexpected arguments %v\n", fl.Args())
		return 2
	}
	start, err1 := clock.Parse(*from, clock.At(1, 0, 0))
	end, err2 := clock.Parse(*to, clock.At(1, 0, 0))
	if err1 != nil || err2 != nil {
		fmt.Fprintf(stderr, "presencesim soak: --from %q, --to %q: %v %v\n", *from, *to, err1, err2)
		return 2
	}
	target := conformance.Target{Integration: "cloudlink"}
	reference := *spec == "" || referenceOnly(*spec)
	if referenceOnly(*spec) {
		target.Integration = *spec
	} else if *spec != "" {
		t, err := conformance.ParseFlag(*spec)
		if err != nil {
			fmt.Fprintf(stderr, "presencesim soak: %v\n", err)
			return 2
		}
		target = t
	}
	if *faultName != "" {
		if !reference {
			fmt.Fprintln(stderr, "presencesim soak: --fault plants a fault in the in-process reference; it does not go with --connector integration=command")
			return 2
		}
		f, err := connector.ParseFault(target.Integration, *faultName)
		if err != nil {
			fmt.Fprintf(stderr, "presencesim soak: %v\n", err)
			return 2
		}
		target.Fault = f
	}
	// the SIP stack's own notes (a late answer to a retransmission) would
	// drown the table
	gosip.SetDefaultLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if target.Integration == "pbx" {
		soak.LoopbackSIPTimers()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pace := fmt.Sprintf("at %g×", *speed)
	if *step > 0 {
		pace = "paced in steps of " + step.String()
	}
	fmt.Fprintf(stdout, "presencesim soak: %d people, %s–%s %s, %s\n", *users, start, end, pace, target.Label())
	res, err := soak.Run(ctx, soak.Config{Users: *users, Seed: *seed, Speed: *speed, Start: start, End: end, Target: target, Limit: *limit, Step: *step})
	if err != nil {
		fmt.Fprintf(stderr, "presencesim soak: %v\n", err)
		return 2
	}
	res.WriteTable(stdout)
	if *dir != "" {
		if err := res.Write(*dir); err != nil {
			fmt.Fprintf(stderr, "presencesim soak: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "presencesim soak: %s/%s (with %s)\n", *dir, soak.PageFile, soak.JSONFile)
	}
	return 0
}

// referenceOnly says whether --connector names an integration alone:
// its reference connector runs in process.
func referenceOnly(spec string) bool {
	for _, n := range connector.Integrations {
		if spec == n {
			return true
		}
	}
	return false
}

// faultList names the planted faults of an integration's reference.
func faultList(integration string) string {
	var s string
	for i, f := range connector.FaultsOf(integration) {
		if i > 0 {
			s += ", "
		}
		s += f.String()
	}
	return s
}
