package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/presencesim/presencesim/features"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/reports"
	"github.com/presencesim/presencesim/suite"
)

// connectorRun holds run's flags for judging a connector under test.
type connectorRun struct {
	spec    string
	scale   float64
	connect time.Duration
	// name and version head the conformance report
	name, version string
	target        conformance.Target
}

// addConnectorFlags adds --connector, --time-scale and --connect-timeout
// to the run command's flags.
func addConnectorFlags(fl *flag.FlagSet) *connectorRun {
	c := &connectorRun{}
	fl.StringVar(&c.spec, "connector", "", "judge a connector process instead of the built-in model: integration=command, e.g.\ncloudlink=\"./my-connector --verbose\"; the fakes are passed in its environment (see the vendor guide)")
	fl.Float64Var(&c.scale, "time-scale", conformance.DefaultScale, "with --connector: virtual seconds per real second of the served world (1 = real time);\nthe connector is told in "+"PRESENCESIM_TIME_SCALE")
	fl.DurationVar(&c.connect, "connect-timeout", conformance.DefaultConnectTimeout, "with --connector: how long the connector may take to reach both fakes")
	fl.StringVar(&c.name, "connector-name", "", "with --connector: the connector's product name, heading "+reports.ConformanceHTML+" (default: the command line)")
	fl.StringVar(&c.version, "connector-version", "", "with --connector: the connector's version, heading "+reports.ConformanceHTML)
	return c
}

// apply turns a run into a conformance run of the connector: only the
// features of its integration, run against its process.
func (c *connectorRun) apply(cfg *suite.Config, stdout io.Writer) error {
	if c.spec == "" {
		return nil
	}
	t, err := conformance.ParseFlag(c.spec)
	if err != nil {
		return err
	}
	if c.scale <= 0 || c.scale > 10000 {
		return fmt.Errorf("--time-scale %g: give a number of virtual seconds per real second from 1 to 10000", c.scale)
	}
	if c.connect <= 0 {
		return fmt.Errorf("--connect-timeout %s: must be positive", c.connect)
	}
	t.Scale, t.ConnectTimeout = c.scale, c.connect
	if cfg.Dir != "" {
		t.LogDir = filepath.Join(cfg.Dir, "connector")
	}
	conformance.Use(t)
	c.target = t
	tag := "@connector-" + t.Integration
	if cfg.FS != nil {
		var paths []string
		for _, p := range features.Paths() {
			if strings.HasPrefix(p, "conformance/") {
				paths = append(paths, p)
			}
		}
		cfg.Paths = paths
	}
	if cfg.Tags == "" {
		cfg.Tags = tag
	} else {
		cfg.Tags = tag + " && " + cfg.Tags
	}
	cfg.Source = "conformance of " + t.Label() + " (features tagged " + tag + ")"
	fmt.Fprintf(stdout, "presencesim: judging %s over the fakes on loopback, time scale %g\n", t.Label(), t.Scale)
	if t.LogDir != "" {
		fmt.Fprintf(stdout, "presencesim: the connector's output of each scenario goes to %s\n", t.LogDir)
	}
	return nil
}

// report writes the conformance report of a connector run beside the
// run's report: the connector's rules, passed, failed or not exercised.
func (c *connectorRun) report(cfg suite.Config, res suite.Result, stdout io.Writer) error {
	if c.spec == "" || cfg.Dir == "" || res.Run == nil {
		return nil
	}
	t := c.target
	command := t.Name
	if t.URL != "" {
		command = t.URL
	}
	name, version := strings.TrimSpace(c.name), strings.TrimSpace(c.version)
	if name == "" {
		name = command
	}
	if version == "" {
		version = "not stated (--connector-version)"
	}
	rep, err := reports.BuildConformance(res.Run, reports.Connector{Name: name, Version: version, Integration: t.Integration, Command: command}, t.Scale)
	if err != nil {
		return err
	}
	files, err := reports.WriteConformance(cfg.Dir, rep)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "presencesim: %s; conformance report %s (and %s)\n", rep.Summary.Text, files[0], filepath.Base(files[1]))
	return nil
}
