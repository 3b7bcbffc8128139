package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/steps"
	"github.com/presencesim/presencesim/suite"
)

const workday = "../../suite/testdata/pass/workday.feature"

// The presence explain prints at a time is the presence the same scenario's
// world records for that time in its history, before, during and after the
// steps, and between them while timers run.
func TestExplainAgreesWithHistory(t *testing.T) {
	var world *sim.World
	o := steps.Options{Seed: 1, OnScenarioEnd: func(name string, w *sim.World, _ error) {
		if strings.HasPrefix(name, "A meeting") {
			world = w
		}
	}}
	if st := suite.Godog(o, godog.Options{Format: "progress", Output: io.Discard, Paths: []string{workday + ":7"}}); st != 0 || world == nil {
		t.Fatalf("scenario did not pass (status %d)", st)
	}
	alice, err := world.Teams.User("alice")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^alice at (\S+) is (\S+) `)
	for _, at := range []string{"08:00", "09:00", "09:07", "09:12", "10:00", "10:30", "11:00", "11:30"} {
		t.Run(at, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := dispatch([]string{"explain", workday + ":7", "alice", at}, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			m := line.FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no explanation line in:\n%s", out.String())
			}
			when, err := clock.Parse(at, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := world.Teams.PresenceAt(alice, when).String()
			if m[1] != at || m[2] != want {
				t.Errorf("explain says alice at %s is %s; the history has %s", m[1], m[2], want)
			}
			if !strings.Contains(out.String(), "trace of alice up to "+at) {
				t.Errorf("no trace section:\n%s", out.String())
			}
		})
	}
}

// After the scenario's last step the timers run on: the app session that
// was never refreshed ends at its expiry (4 hours after 09:00).
func TestExplainRunsTimersPastTheEnd(t *testing.T) {
	var before, after bytes.Buffer
	if code := dispatch([]string{"explain", workday + ":7", "alice", "12:59"}, &before, io.Discard); code != 0 {
		t.Fatal("explain at 12:59 failed")
	}
	if code := dispatch([]string{"explain", workday + ":7", "alice", "13:01"}, &after, io.Discard); code != 0 {
		t.Fatal("explain at 13:01 failed")
	}
	live := regexp.MustCompile(`(?m)^  source app:pbx\s`)
	if !live.MatchString(before.String()) {
		t.Errorf("the app session is not live at 12:59:\n%s", before.String())
	}
	if live.MatchString(after.String()) {
		t.Errorf("the app session outlived its 4-hour expiry:\n%s", after.String())
	}
}

func TestExplainRefusesBadInput(t *testing.T) {
	long := filepath.Join(t.TempDir(), "long.feature")
	if err := os.WriteFile(long, []byte(padded(1<<20, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{workday, "alice", "10:00"}, 2, "pick one with <file>:<line> or --scenario"},
		{[]string{"--scenario", "juggling", workday, "alice", "10:00"}, 2, "A call between two people"},
		{[]string{workday + ":3", "alice", "10:00"}, 2, "no scenario starts at line 3"},
		{[]string{workday + ":7", "alice", "25:00"}, 2, "hours 0-23"},
		{[]string{workday + ":7", "zoe", "10:00"}, 1, "zoe is not a user"},
		{[]string{"no/such.feature", "alice", "10:00"}, 2, "no such file"},
		{[]string{workday}, 2, "usage: presencesim explain"},
		{[]string{long, "alice", "10:00"}, 2, "long.feature:4: the line is 1048576 bytes long"},
	} {
		var out, errb bytes.Buffer
		code := dispatch(append([]string{"explain"}, tc.args...), &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("explain %v: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
}
