package headless

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds one browser session: it only ends a session that hangs,
// so it is generous for a loaded machine.
const Timeout = 90 * time.Second

// Binary finds Chromium, or skips (fails on CI) the test.
func Binary(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on CI; .ci/run should install it")
	}
	t.Skip("no chromium installed; the browser tests run on CI")
	return ""
}

// Flags are the switches every headless run takes: no sandbox (CI runs as
// root in a container), no GPU, and nothing that reaches the network on
// its own.
var Flags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"}

// Browser starts Chromium under the DevTools protocol and returns a tab's
// context, ended with the test. extra are more command-line flags, as
// name → value (true for a bare switch).
func Browser(t testing.TB, extra map[string]any) context.Context {
	t.Helper()
	bin := Binary(t)
	// Chromium's helpers can still write to their profile for a moment
	// after it stops, which would fail t.TempDir's removal: the profile is
	// removed here, tried a few times and then left to the system.
	profile, err := os.MkdirTemp("", "presencesim-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.NoDefaultBrowserCheck, chromedp.ExecPath(bin), chromedp.UserDataDir(profile)}
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(f[2:], true))
	}
	for k, v := range extra {
		opts = append(opts, chromedp.Flag(k, v))
	}
	ctx, cancelTime := context.WithTimeout(context.Background(), Timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTime()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	return tab
}
