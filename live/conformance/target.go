package conformance

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	pbxsip "github.com/presencesim/presencesim/fakes/pbx/sip"
	"github.com/presencesim/presencesim/live/connector"
)

// Target is the connector a run judges.
type Target struct {
	// Integration is what the connector replaces ("cloudlink").
	Integration string
	// Command starts the connector (argv); empty runs the reference
	// connector in process.
	Command []string
	// Name is how messages name the command (the command line as given).
	Name string
	// URL is a connector service already running: the harness POSTs the
	// environment to it to start a session and DELETEs the session at the
	// end, keeping the answer as the connector's output (see
	// connector.Service).
	URL string
	// Fault plants a fault in the in-process reference connector.
	Fault connector.Fault
	// Scale is how many virtual seconds pass per real second (DefaultScale
	// when zero).
	Scale float64
	// ConnectTimeout bounds the wait for the connector's first requests to
	// both fakes (DefaultConnectTimeout when zero).
	ConnectTimeout time.Duration
	// LogDir, when set, receives each scenario's connector output.
	LogDir string
	// Observe, when set, is called with every Graph request of the
	// connector as it is answered (a soak measures rates with it).
	Observe func(Call)
	// ObserveView, when set, is called with every view a reader reports,
	// as it comes (a soak measures a reader's staleness with it); the
	// session itself keeps only the last MaxViews.
	ObserveView func(View)
	// MaxWait, when set, caps the real wait of every "within" step; tests
	// of faulty connectors use it, since they expect the wait to fail.
	MaxWait time.Duration
	// Pace, when set, runs the in-process reference CloudLink connector
	// (or Nimbus reader) pass by pass on a world whose clock moves only when the caller moves
	// it (a soak bounded by steps); Start sets its Now to the world's time.
	Pace *connector.Pacer
	// SIP configures the PBX's SIP server (its caps); the fake's defaults
	// when zero. A soak sizes it for the tenant.
	SIP pbxsip.Options
	// Limit is Graph's presence limit per 30 s per app and tenant
	// (G-THR-1; 1500 when 0), applied by the Graph fake and told the
	// connector (PRESENCESIM_GRAPH_LIMIT); a smaller tenant may be given
	// a limit to scale.
	Limit int
}

// Defaults of a target.
const (
	DefaultScale          = 120
	DefaultConnectTimeout = 10 * time.Second
	// StopGrace is how long a stopped connector may take to exit before it
	// is killed.
	StopGrace = 2 * time.Second
)

// Label says what runs, for messages.
func (t Target) Label() string {
	if t.URL != "" {
		return "the " + t.Integration + " connector service at " + t.URL
	}
	if len(t.Command) == 0 {
		s := "the reference " + t.Integration + " connector (in process)"
		if t.Fault != connector.NoFault {
			s += " with the fault " + t.Fault.String()
		}
		return s
	}
	name := t.Name
	if name == "" {
		name = strings.Join(t.Command, " ")
	}
	return "the " + t.Integration + " connector `" + name + "`"
}

func (t Target) withDefaults() Target {
	if t.Integration == "" {
		t.Integration = "cloudlink"
	}
	if t.Scale <= 0 {
		t.Scale = DefaultScale
	}
	if t.ConnectTimeout <= 0 {
		t.ConnectTimeout = DefaultConnectTimeout
	}
	return t
}

var (
	targetMu sync.Mutex
	target   = Target{Integration: "cloudlink"}
)

// Use sets the connector every conformance scenario of this process runs
// against; the run command calls it for --connector, tests for faults.
func Use(t Target) {
	targetMu.Lock()
	target = t.withDefaults()
	targetMu.Unlock()
}

// Current is the target scenarios run against.
func Current() Target {
	targetMu.Lock()
	defer targetMu.Unlock()
	return target.withDefaults()
}

type targetKey struct{}

// WithTarget returns a context whose scenarios run against t (godog's
// Options.DefaultContext), so that runs against different connectors can
// share a process.
func WithTarget(ctx context.Context, t Target) context.Context {
	return context.WithValue(ctx, targetKey{}, t.withDefaults())
}

// TargetOf is the target of the context, else Current.
func TargetOf(ctx context.Context) Target {
	if t, ok := ctx.Value(targetKey{}).(Target); ok {
		return t
	}
	return Current()
}

// ParseFlag reads --connector's value "integration=command": the command
// is run by the shell, so it may carry arguments.
func ParseFlag(v string) (Target, error) {
	name, cmd, ok := strings.Cut(v, "=")
	name = strings.ToLower(strings.TrimSpace(name))
	cmd = strings.TrimSpace(cmd)
	valid := strings.Join(connector.Integrations, ", ")
	if !ok || name == "" || cmd == "" {
		return Target{}, fmt.Errorf("--connector %q: want integration=command, e.g. cloudlink=\"./my-connector --verbose\"; integrations: %s", v, valid)
	}
	known := false
	for _, n := range connector.Integrations {
		known = known || n == name
	}
	if !known {
		return Target{}, fmt.Errorf("--connector: unknown integration %q; valid: %s", name, valid)
	}
	if strings.HasPrefix(cmd, "http://") || strings.HasPrefix(cmd, "https://") {
		if _, err := url.Parse(cmd); err != nil || strings.ContainsAny(cmd, " \t") {
			return Target{}, fmt.Errorf("--connector %s=%s: not a URL: %v", name, cmd, err)
		}
		return Target{Integration: name, URL: strings.TrimRight(cmd, "/")}, nil
	}
	// The shell and everything it starts share a process group, which is
	// what Stop signals; so "cd dir && ./connector" works too.
	return Target{Integration: name, Command: []string{"/bin/sh", "-c", cmd}, Name: cmd}, nil
}
