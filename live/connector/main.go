package connector

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Integrations lists the reference connectors there are.
var Integrations = []string{"cloudlink", "nimbus", "pbx", "xphone"}

// Main runs a reference connector as the command line asks, until ctx ends:
// args are "<integration> [flags]"; the fakes come from the environment
// (getenv). It returns the exit status.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "usage: presencesim connector <integration> [flags]; integrations: %s\n", strings.Join(Integrations, ", "))
		return 2
	}
	name, args := args[0], args[1:]
	switch name {
	case "cloudlink":
		return mainCloudLink(ctx, args, getenv, stdout, stderr)
	case "nimbus":
		return mainNimbus(ctx, args, getenv, stdout, stderr)
	case "pbx":
		return mainPBX(ctx, args, getenv, stdout, stderr)
	case "xphone":
		return mainXPhone(ctx, args, getenv, stdout, stderr)
	}
	fmt.Fprintf(stderr, "presencesim connector: unknown integration %q; valid: %s\n", name, strings.Join(Integrations, ", "))
	return 2
}

func faultUsage(integration string) string {
	var b strings.Builder
	b.WriteString("plant a documented fault:")
	for _, f := range append([]Fault{NoFault}, FaultsOf(integration)...) {
		i := f.Info()
		fmt.Fprintf(&b, "\n  %-18s %s", i.Name, i.Doc)
		if len(i.Rules) > 0 {
			fmt.Fprintf(&b, " (breaks %s)", strings.Join(i.Rules, ", "))
		}
	}
	return b.String()
}

func mainCloudLink(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var opt CloudLinkOptions
	return command{
		name:    "cloudlink",
		runs:    "the reference CloudLink connector",
		serveAt: " (e.g. 127.0.0.1:7070)",
		flags: func(fl *flag.FlagSet) {
			fl.DurationVar(&opt.Expiration, "expiration", 0, "expirationDuration of each setPresence, virtual time (default 5m)")
			fl.DurationVar(&opt.Refresh, "refresh", 0, "rewrite a session that holds this often, virtual time (default a third of --expiration)")
			fl.BoolVar(&opt.SyncDND, "sync-dnd", false, "write DoNotDisturb as DoNotDisturb/Presenting (newer CloudLink versions, CL-7)")
		},
		run: func(ctx context.Context, env Env, f Fault, out io.Writer) error {
			o := opt
			o.Fault = f
			return RunCloudLink(ctx, env, o, out)
		},
	}.main(ctx, args, getenv, stdout, stderr)
}

func mainNimbus(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var opt NimbusOptions
	return command{
		name: "nimbus",
		runs: "the reference presence reader (a router with a presence account)",
		flags: func(fl *flag.FlagSet) {
			fl.DurationVar(&opt.SubscriptionLife, "subscription", 0, "how far ahead each subscription expires, virtual time (default 10m, at most 60m)")
			fl.DurationVar(&opt.StaleAfter, "stale-after", 0, "poll when no notification came for this long, virtual time (default 1m)")
		},
		run: func(ctx context.Context, env Env, f Fault, out io.Writer) error {
			o := opt
			o.Fault = f
			return RunNimbus(ctx, env, o, out)
		},
	}.main(ctx, args, getenv, stdout, stderr)
}

// command is the command line of one reference connector: the flags every
// connector has (--fault, --serve) and its own.
type command struct {
	name    string // the integration
	runs    string // what the usage says runs
	serveAt string // an example address beside --serve
	flags   func(*flag.FlagSet)
	run     func(ctx context.Context, env Env, f Fault, out io.Writer) error
}

// main parses args and runs the connector once from the environment, or
// serves sessions of it with --serve. It returns the exit status.
func (c command) main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("connector "+c.name, flag.ContinueOnError)
	fl.SetOutput(stderr)
	fault := fl.String("fault", "none", faultUsage(c.name))
	addr := fl.String("serve", "", "instead of one run from the environment, serve sessions at this address"+c.serveAt+"\nfor presencesim run --connector "+c.name+"=http://…")
	c.flags(fl)
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: presencesim connector %s [flags]\n\nRuns %s against the fakes named by the environment:\n  %s\n\n", c.name, c.runs, strings.Join(EnvNames, "\n  "))
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	f, err := ParseFault(c.name, *fault)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim connector %s: --fault: %v\n", c.name, err)
		return 2
	}
	run := func(ctx context.Context, env Env, out io.Writer) error { return c.run(ctx, env, f, out) }
	if *addr != "" {
		if err := serve(ctx, *addr, &Service{Run: run}, stdout); err != nil {
			fmt.Fprintf(stderr, "presencesim connector %s: %v\n", c.name, err)
			return 1
		}
		return 0
	}
	env, err := ReadEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim connector %s: %v\n", c.name, err)
		return 2
	}
	if err := run(ctx, env, stdout); err != nil {
		fmt.Fprintf(stderr, "presencesim connector %s: %v\n", c.name, err)
		return 1
	}
	return 0
}
