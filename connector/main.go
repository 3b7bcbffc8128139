package connector

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Integrations lists the reference connectors there are.
var Integrations = []string{"cloudlink", "nimbus"}

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
	fl := flag.NewFlagSet("connector cloudlink", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var opt CloudLinkOptions
	fault := fl.String("fault", "none", faultUsage("cloudlink"))
	fl.DurationVar(&opt.Expiration, "expiration", 0, "expirationDuration of each setPresence, virtual time (default 5m)")
	fl.DurationVar(&opt.Refresh, "refresh", 0, "rewrite a session that holds this often, virtual time (default a third of --expiration)")
	fl.BoolVar(&opt.SyncDND, "sync-dnd", false, "write DoNotDisturb as DoNotDisturb/Presenting (newer CloudLink versions, CL-7)")
	addr := fl.String("serve", "", "instead of one run from the environment, serve sessions at this address (e.g. 127.0.0.1:7070)\nfor presencesim run --connector cloudlink=http://…")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: presencesim connector cloudlink [flags]\n\nRuns the reference CloudLink connector against the fakes named by the environment:\n  %s\n\n", strings.Join(EnvNames, "\n  "))
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	f, err := ParseFault("cloudlink", *fault)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim connector cloudlink: --fault: %v\n", err)
		return 2
	}
	opt.Fault = f
	if *addr != "" {
		sv := &Service{Run: func(ctx context.Context, env Env, out io.Writer) error { return RunCloudLink(ctx, env, opt, out) }}
		if err := serve(ctx, *addr, sv, stdout); err != nil {
			fmt.Fprintf(stderr, "presencesim connector cloudlink: %v\n", err)
			return 1
		}
		return 0
	}
	env, err := ReadEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim connector cloudlink: %v\n", err)
		return 2
	}
	if err := RunCloudLink(ctx, env, opt, stdout); err != nil {
		fmt.Fprintf(stderr, "presencesim connector cloudlink: %v\n", err)
		return 1
	}
	return 0
}

func mainNimbus(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("connector nimbus", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var opt NimbusOptions
	fl.DurationVar(&opt.SubscriptionLife, "subscription", 0, "how far ahead each subscription expires, virtual time (default 10m, at most 60m)")
	fl.DurationVar(&opt.StaleAfter, "stale-after", 0, "poll when no notification came for this long, virtual time (default 1m)")
	addr := fl.String("serve", "", "instead of one run from the environment, serve sessions at this address\nfor presencesim run --connector nimbus=http://…")
	fault := fl.String("fault", "none", faultUsage("nimbus"))
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: presencesim connector nimbus [flags]\n\nRuns the reference presence reader (a router with a presence account) against the fakes named by the environment:\n  %s\n\n", strings.Join(EnvNames, "\n  "))
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	f, err := ParseFault("nimbus", *fault)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim connector nimbus: --fault: %v\n", err)
		return 2
	}
	opt.Fault = f
	if *addr != "" {
		sv := &Service{Run: func(ctx context.Context, env Env, out io.Writer) error { return RunNimbus(ctx, env, opt, out) }}
		if err := serve(ctx, *addr, sv, stdout); err != nil {
			fmt.Fprintf(stderr, "presencesim connector nimbus: %v\n", err)
			return 1
		}
		return 0
	}
	env, err := ReadEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "presencesim connector nimbus: %v\n", err)
		return 2
	}
	if err := RunNimbus(ctx, env, opt, stdout); err != nil {
		fmt.Fprintf(stderr, "presencesim connector nimbus: %v\n", err)
		return 1
	}
	return 0
}
