// Package headless runs the pages people meet — the report, the sign-in
// pages — in a real headless Chromium. A test without Chromium on the
// machine is skipped; under CI=true it fails, since CI installs Chromium
// and must not pass without running those tests.
package headless
