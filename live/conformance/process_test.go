package conformance_test

import (
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/presencesim/presencesim/internal/eventually"
	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/sim"
)

// misbehaveArg makes the test binary a connector that misbehaves.
const misbehaveArg = "misbehaving-connector"

// misbehave is a connector that connects (one directory read and one PBX
// read) and then crashes, or hangs ignoring SIGTERM.
func misbehave(how string) int {
	if how == "hang" {
		signal.Ignore(syscall.SIGTERM)
	}
	env, err := connector.ReadEnv(os.Getenv)
	if err != nil {
		return 2
	}
	req, _ := http.NewRequest(http.MethodGet, env.GraphURL+"/users", nil)
	req.Header.Set("Authorization", "Bearer x")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	if resp, err := http.Get(env.PBXURL + "/users"); err == nil {
		resp.Body.Close()
	}
	switch how {
	case "crash":
		os.Stderr.WriteString("panic: lost my configuration\n")
		return 3
	case "hang":
		os.Stdout.WriteString("connected; ignoring SIGTERM\n")
		time.Sleep(time.Minute)
	}
	return 0
}

// sleeper is the argument of the silent connector's sleep, unique to this
// test process so that other runs of the tests do not count.
var sleeper = "31." + strconv.Itoa(os.Getpid())

func misbehaving(t *testing.T, how string) conformance.Target {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return conformance.Target{Integration: "cloudlink", Command: []string{exe, misbehaveArg, how}, ConnectTimeout: eventually.Bound}
}

// closed says whether nothing listens at the URL any more.
func closed(url string) bool {
	c := &http.Client{Timeout: time.Second}
	resp, err := c.Get(url)
	if err == nil {
		resp.Body.Close()
	}
	return err != nil
}

// running says whether a process with the command line runs.
func running(cmdline string) bool {
	ms, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, m := range ms {
		if b, err := os.ReadFile(m); err == nil && strings.Contains(string(b), cmdline) {
			return true
		}
	}
	return false
}

// TestBadConnectorsFailClearlyAndAreCleanedUp covers a connector that exits
// at once, one that never connects, one that crashes after connecting and
// one that ignores SIGTERM.
func TestBadConnectorsFailClearlyAndAreCleanedUp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		target conformance.Target
		want   []string // in Start's error
	}{
		{"exits at once", conformance.Target{Integration: "cloudlink", Command: []string{"/bin/sh", "-c", "echo starting; echo no licence >&2; exit 3"}, ConnectTimeout: 5 * time.Second},
			[]string{"exited before it connected", "exit status 3", "no licence"}},
		{"never connects", conformance.Target{Integration: "cloudlink", Command: []string{"/bin/sh", "-c", "echo waiting for nothing; exec sleep " + sleeper}, ConnectTimeout: 300 * time.Millisecond},
			[]string{"did not connect within", "300ms without a sign of life", "no request to Graph", "no request to the PBX", "waiting for nothing"}},
		{"command not found", conformance.Target{Integration: "cloudlink", Command: []string{"/nonexistent/connector"}},
			[]string{"starting the cloudlink connector", "no such file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := conformance.Start(sim.MustNew(1), c.target)
			if err == nil {
				t.Fatal("Start succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
			// a guard against a hang, not a timing: failing waits for
			// the connect timeout at most, then the stop
			if el := time.Since(start); el > c.target.ConnectTimeout+conformance.StopGrace+eventually.Bound {
				t.Errorf("failing took %s", el)
			}
			if running("sleep\x00" + sleeper) {
				t.Error("the connector process is still running")
			}
		})
	}
	t.Run("crashes after connecting", func(t *testing.T) {
		s, err := conformance.Start(sim.MustNew(1), misbehaving(t, "crash"))
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-s.Exited():
		case <-time.After(eventually.Bound):
		}
		ok, how := s.Alive()
		out := s.Stop()
		if ok || !strings.Contains(how, "exit status 3") || !strings.Contains(out, "lost my configuration") {
			t.Errorf("alive %v, %q, output %q", ok, how, out)
		}
		if !closed(s.Env.GraphURL+"/users") || !closed(s.Env.PBXURL+"/users") {
			t.Error("the fakes still listen after Stop")
		}
	})
	t.Run("ignores SIGTERM", func(t *testing.T) {
		s, err := conformance.Start(sim.MustNew(1), misbehaving(t, "hang"))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		out := s.Stop()
		if el := time.Since(start); el < conformance.StopGrace || el > conformance.StopGrace+eventually.Bound {
			t.Errorf("stopping took %s; want the grace of %s, then a kill", el, conformance.StopGrace)
		}
		if !strings.Contains(out, "was killed") {
			t.Errorf("the output does not say the connector was killed:\n%s", out)
		}
		if !closed(s.Env.GraphURL + "/users") {
			t.Error("the Graph fake still listens after Stop")
		}
	})
}
