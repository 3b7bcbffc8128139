package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/nimbus"
)

func init() {
	commands["simulate"] = command{summary: "simulate a working day of an integration (nimbus: a contact centre) and report per configuration", run: runSimulate}
}

// simulations are the systems "presencesim simulate" knows.
var simulations = map[string]func(args []string, stdout, stderr io.Writer) int{
	"nimbus": simulateNimbus,
}

func runSimulate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: presencesim simulate <system> [flags]\n\nsystems: nimbus\nRun 'presencesim simulate nimbus -h' for its flags.")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	run, ok := simulations[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "presencesim simulate: unknown system %q; valid: nimbus\n", args[0])
		return 2
	}
	return run(args[1:], stdout, stderr)
}

func simulateNimbus(args []string, stdout, stderr io.Writer) int {
	d := nimbus.DefaultDay(1)
	fl := flag.NewFlagSet("simulate nimbus", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Uint64Var(&d.Seed, "seed", 1, "seed of the day: arrivals, calendars, Busy by hand, direct calls, agents' reactions")
	fl.IntVar(&d.Agents, "agents", d.Agents, "agents in the team-based service")
	fl.IntVar(&d.Calls, "calls", d.Calls, "calls arriving between --open and --close")
	open := fl.String("open", "08:00", "first arrival (hh:mm)")
	closing := fl.String("close", "17:00", "last arrival (hh:mm)")
	fl.DurationVar(&d.MeanHandle, "talk", d.MeanHandle, "mean talk time of a Nimbus call")
	fl.DurationVar(&d.MeanDirect, "direct-talk", d.MeanDirect, "mean length of a direct call outside Nimbus")
	fl.IntVar(&d.Meetings, "meetings", d.Meetings, "most calendar meetings per agent (each draws 0..n)")
	fl.IntVar(&d.DirectCalls, "direct", d.DirectCalls, "most direct Teams calls outside Nimbus per agent")
	fl.IntVar(&d.ManualBusy, "busy", d.ManualBusy, "most periods of Busy set by hand per agent")
	fl.Float64Var(&d.NoAnswer, "no-answer", d.NoAnswer, "chance that a free agent lets a call ring out")
	tenant := fl.String("tenant-change", "", "time (hh:mm) at which a change in the tenant drops the presence accounts (NB-6)")
	config := fl.String("config", "", "run one configuration only: "+configNames())
	timing := fl.Bool("timing", false, "print the events simulated and the wall time to stderr")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: presencesim simulate nimbus [flags]\n\nRuns one seeded contact-centre day under each configuration (federation or\npresence accounts; Busy distributed or not) and reports the calls offered to\nagents already in a call, the calls nobody was eligible for, and waiting times.\nThe same flags give the same report, byte for byte.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "presencesim simulate nimbus: unexpected arguments %v\n", fl.Args())
		return 2
	}
	var err error
	if d.Open, err = clock.Parse(*open, clock.At(1, 0, 0)); err != nil {
		fmt.Fprintf(stderr, "presencesim simulate nimbus: --open: %v\n", err)
		return 2
	}
	if d.Close, err = clock.Parse(*closing, clock.At(1, 0, 0)); err != nil {
		fmt.Fprintf(stderr, "presencesim simulate nimbus: --close: %v\n", err)
		return 2
	}
	if *tenant != "" {
		if d.TenantChange, err = clock.Parse(*tenant, clock.At(1, 0, 0)); err != nil {
			fmt.Fprintf(stderr, "presencesim simulate nimbus: --tenant-change: %v\n", err)
			return 2
		}
	}
	start := time.Now()
	var rep nimbus.DayReport
	if *config != "" {
		c, err := nimbus.ParseConfig(*config)
		if err != nil {
			fmt.Fprintf(stderr, "presencesim simulate nimbus: --config: %v\n", err)
			return 2
		}
		r, err := nimbus.RunConfig(d, c)
		if err != nil {
			fmt.Fprintf(stderr, "presencesim simulate nimbus: %v\n", err)
			return 2
		}
		rep = nimbus.DayReport{Day: d, Results: []nimbus.Result{r}}
	} else if rep, err = nimbus.RunDay(d); err != nil {
		fmt.Fprintf(stderr, "presencesim simulate nimbus: %v\n", err)
		return 2
	}
	if err := rep.WriteText(stdout); err != nil {
		fmt.Fprintf(stderr, "presencesim simulate nimbus: %v\n", err)
		return 1
	}
	if *timing {
		took := time.Since(start)
		fmt.Fprintf(stderr, "simulated %d events in %s: %.0f events/s\n", rep.Events(), took.Round(time.Millisecond), float64(rep.Events())/took.Seconds())
	}
	return 0
}

func configNames() string {
	n := make([]string, len(nimbus.Configurations))
	for i, c := range nimbus.Configurations {
		n[i] = "\"" + c.Name + "\""
	}
	return strings.Join(n, ", ")
}
