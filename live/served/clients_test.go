package served_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The checks in clients/ run Microsoft's own libraries, unchanged, against
// a real `presencesim serve`, each as a subprocess: MSAL Python and
// requests, @azure/identity, @azure/msal-node and the Graph JavaScript
// client, azidentity and the Graph Go SDK. A check whose tool or packages
// are missing is skipped here, and fails under CI=true, so that CI cannot
// pass without running it.
func TestClientLibraries(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the client library checks start servers and other runtimes")
	}
	bin := buildPresencesim(t)
	world, err := filepath.Abs(filepath.Join("clients", "world.json"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Python", func(t *testing.T) {
		py := "/usr/bin/python3"
		if _, err := os.Stat(py); err != nil {
			missing(t, "%s is missing (apt-get install python3-msal python3-requests)", py)
		}
		if out, err := exec.Command(py, "-c", "import msal, requests").CombinedOutput(); err != nil {
			missing(t, "MSAL Python or requests is not importable by %s (apt-get install python3-msal python3-requests): %s", py, lastLines(out, 3))
		}
		// MSAL Python looks the user realm up at https://{host}:443,
		// whatever the authority's port: only on 443 does its password
		// flow reach the fake directly.
		srv, err := startServe(t, bin, world, "127.0.0.1:443")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("serving on 127.0.0.1:443 for MSAL Python's user realm lookup: %v", err)
			}
			t.Logf("serving on 127.0.0.1:443: %v; MSAL Python's password flow runs through HTTPS_PROXY only", err)
			if srv, err = startServe(t, bin, world, "127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
		}
		runCheck(t, srv, filepath.Join("clients", "python"), py, "check.py")
	})

	t.Run("JavaScript", func(t *testing.T) {
		node, err := exec.LookPath("node")
		if err != nil {
			missing(t, "node is not on PATH")
		}
		dir := filepath.Join("clients", "js")
		for _, pkg := range []string{"@azure/identity", "@azure/msal-node", "@microsoft/microsoft-graph-client"} {
			if _, err := os.Stat(filepath.Join(dir, "node_modules", filepath.FromSlash(pkg), "package.json")); err != nil {
				missing(t, "%s is not installed: run npm ci in live/served/clients/js", pkg)
			}
		}
		srv, err := startServe(t, bin, world, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		runCheck(t, srv, dir, node, "check.mjs")
	})

	t.Run("Go", func(t *testing.T) {
		// The Graph Go SDK takes minutes to build from cold caches: the
		// check runs in CI and where asked for.
		if os.Getenv("PRESENCESIM_CHECK_GO_SDK") != "1" && os.Getenv("CI") != "true" {
			t.Skip("the Graph Go SDK check builds a large module: set PRESENCESIM_CHECK_GO_SDK=1 to run it")
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			missing(t, "go is not on PATH")
		}
		dir := filepath.Join("clients", "go")
		// A cold build can outlast go test's own time limit; .ci/run builds
		// the module first, so that here it comes from the build cache.
		deadline := time.Now().Add(30 * time.Minute)
		if d, ok := t.Deadline(); ok {
			deadline = d.Add(-time.Minute)
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		download := exec.CommandContext(ctx, goTool, "mod", "download")
		download.Dir = dir
		if out, err := download.CombinedOutput(); err != nil {
			missing(t, "the Go check's modules cannot be downloaded (no module proxy, no module cache?): %v\n%s", err, lastLines(out, 5))
		}
		check := filepath.Join(t.TempDir(), "check")
		build := exec.CommandContext(ctx, goTool, "build", "-o", check, ".")
		build.Dir = dir
		start := time.Now()
		if out, err := build.CombinedOutput(); err != nil {
			if ctx.Err() != nil {
				t.Fatalf("go build in %s did not finish before the test's time limit: build it first (cd %s && go build -o /dev/null .) or raise -timeout", dir, dir)
			}
			t.Fatalf("go build in %s: %v\n%s", dir, err, out)
		}
		t.Logf("built the Go check in %s", time.Since(start).Round(time.Second))
		srv, err := startServe(t, bin, world, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		runCheck(t, srv, dir, check)
	})
}

// missing skips a check whose tool is absent; under CI it fails instead.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: "+format, args...)
	}
	t.Skipf(format, args...)
}

// buildPresencesim builds the command once into a temporary folder.
func buildPresencesim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "presencesim")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/presencesim").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/presencesim: %v\n%s", err, out)
	}
	return bin
}

// served is a `presencesim serve` process.
type served struct {
	url, ca string
	out     *syncBuffer
}

var servingLine = regexp.MustCompile(`^presencesim: serving Graph at (https://[^ ]+)/v1\.0`)

// startServe starts `presencesim serve` on addr and waits until it
// answers; the test's end stops it with SIGTERM. An error means the
// process ended before it served (an address it cannot listen on).
func startServe(t *testing.T, bin, world, addr string) (*served, error) {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	cmd := exec.Command(bin, "serve", "--world", world, "--addr", addr, "--ca-out", ca)
	cmd.Env = checkEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &served{ca: ca, out: &syncBuffer{}}
	cmd.Stderr = s.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.out.WriteString(sc.Text() + "\n")
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		close(urls)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case u, ok := <-urls:
		if !ok {
			<-exited
			return nil, fmt.Errorf("presencesim serve --addr %s ended: %s", addr, strings.TrimSpace(s.out.String()))
		}
		s.url = u
	case err := <-exited:
		return nil, fmt.Errorf("presencesim serve --addr %s ended (%v): %s", addr, err, strings.TrimSpace(s.out.String()))
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("presencesim serve printed no URL within 30 s:\n%s", s.out)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("presencesim serve ended with %v after SIGTERM:\n%s", err, s.out)
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("presencesim serve did not stop within 15 s of SIGTERM:\n%s", s.out)
		}
	})
	if err := s.waitAnswers(); err != nil {
		t.Fatalf("%v\n%s", err, s.out)
	}
	return s, nil
}

func (s *served) waitAnswers() error {
	pem, err := os.ReadFile(s.ca)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return errors.New("the CA file holds no certificate")
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.Get(s.url + "/_presencesim/clock")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not answer: %v", s.url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runCheck runs a check in dir against the server, trusting its CA the way
// each runtime reads it, and fails the test with its output if it fails.
func runCheck(t *testing.T, s *served, dir, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(checkEnv(), "PRESENCESIM_URL="+s.url,
		"SSL_CERT_FILE="+s.ca, "NODE_EXTRA_CA_CERTS="+s.ca, "REQUESTS_CA_BUNDLE="+s.ca)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s in %s: %v\n%s\npresencesim serve:\n%s", name, strings.Join(args, " "), dir, err, out, s.out)
	}
	t.Logf("%s", out)
}

// checkEnv is the test's environment without proxy settings, which would
// send the checks' loopback requests elsewhere.
func checkEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "NODE_USE_ENV_PROXY":
			continue
		}
		env = append(env, kv)
	}
	return env
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// syncBuffer collects a process's output from two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) WriteString(str string) {
	_, _ = s.Write([]byte(str))
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
