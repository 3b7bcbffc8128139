package soak

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteTable prints the staleness table for people.
func (r *Result) WriteTable(w io.Writer) {
	pace := fmt.Sprintf("at %g×", r.Speed)
	if r.Step > 0 {
		pace = "paced in steps of " + r.Step.String()
	}
	fmt.Fprintf(w, "soak: %d people, %s–%s %s (%s of wall time), seed %d, %s\n", r.Users, r.Start, r.End, pace, r.Wall, r.Seed, r.Connector)
	wide := 26
	for _, f := range r.Staleness {
		wide = max(wide, utf8.RuneCountInString(f.Kind))
	}
	fmt.Fprintf(w, "%-*s %8s %8s %10s %6s %10s %10s %10s %10s\n", wide, "change", "changes", "carried", "superseded", "never", "p50", "p95", "p99", "max")
	for _, f := range r.Staleness {
		fmt.Fprintf(w, "%-*s %8d %8d %10d %6d %10s %10s %10s %10s\n", wide, f.Kind, f.Changes, f.Carried, f.Superseded, f.Never,
			short(f.P50), short(f.P95), short(f.P99), short(f.Max))
	}
	fmt.Fprintf(w, "%s: %d\n", r.WrongLabel(), r.Wrong)
	if r.Reads() {
		fmt.Fprintf(w, "Teams changes to see: %d; views the reader reported: %d\n", r.TeamsChanges, r.Views)
	}
	fmt.Fprintf(w, "Graph requests: %d, %d throttled (429); busiest 30 s: %d of the %d allowed (G-THR-1)\n", r.Requests, r.Throttled, r.PeakWindow, r.Limit)
	fmt.Fprintf(w, "the fake's answer time: p50 %s, p99 %s; peak memory of the process %d MiB\n", r.FakeP50, r.FakeP99, r.PeakRSS>>20)
	r.writeSIP(w)
}

// truth is what the connector's writes should agree with.
func (r *Result) truth() string {
	if r.Truth != "" {
		return r.Truth
	}
	return "the line"
}

func short(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// File names a soak writes into its report folder.
const (
	PageFile = "soak.html"
	JSONFile = "soak.json"
	LogFile  = "soak-connector.log"
)

// Write puts the page and the JSON into dir.
func (r *Result) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, JSONFile), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, LogFile), []byte(r.Output), 0o644); err != nil {
		return err
	}
	var page strings.Builder
	if err := pageTmpl.Execute(&page, r); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, PageFile), []byte(page.String()), 0o644)
}

// Plot geometry.
const (
	plotW, plotH = 960.0, 220.0
	plotLeft     = 56.0
	plotBottom   = 24.0
)

// plot draws one bar per bucket, scaled to the largest value or to limit
// when that is larger, with limit as a dashed line when it is set.
func plot(r *Result, label string, value func(Bucket) float64, unit func(float64) string, limit float64, colour string) template.HTML {
	n := len(r.Buckets)
	if n == 0 {
		return ""
	}
	top := limit
	for _, b := range r.Buckets {
		top = max(top, value(b))
	}
	if top == 0 {
		top = 1
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, plotW, plotH, plotW, plotH, template.HTMLEscapeString(label))
	area := plotH - plotBottom - 8
	bw := (plotW - plotLeft - 8) / float64(n)
	fmt.Fprintf(&s, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#8A8886"/>`, plotLeft, 8+area, plotW-8, 8+area)
	fmt.Fprintf(&s, `<text x="4" y="16" font-size="10" fill="#323130">%s</text><text x="4" y="%.1f" font-size="10" fill="#323130">0</text>`, template.HTMLEscapeString(unit(top)), 8+area)
	for i, b := range r.Buckets {
		v := value(b)
		h := area * v / top
		x := plotLeft + float64(i)*bw
		fmt.Fprintf(&s, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`, x+1, 8+area-h, max(bw-2, 1), h, colour, b.At, template.HTMLEscapeString(unit(v)))
		if i%max(1, n/12) == 0 {
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" font-size="10" fill="#323130">%s</text>`, x+1, plotH-8, b.At)
		}
	}
	if limit > 0 {
		y := 8 + area - area*limit/top
		fmt.Fprintf(&s, `<line class="limit" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#C4314B" stroke-dasharray="4,3"/><text x="%.1f" y="%.1f" font-size="10" fill="#C4314B">Graph's limit (G-THR-1)</text>`, plotLeft, y, plotW-8, y, plotW-150, y-3)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

var pageTmpl = template.Must(template.New("soak").Funcs(template.FuncMap{
	"short": short,
	"stalePlot": func(r *Result) template.HTML {
		return plot(r, "p95 staleness of the changes made in each step of the day", func(b Bucket) float64 { return b.P95.Seconds() },
			func(v float64) string { return short(time.Duration(v * float64(time.Second))) }, 0, "#6264A7")
	},
	"ratePlot": func(r *Result) template.HTML {
		per := func(b Bucket) float64 { return float64(b.Requests) * float64(ThrottleWindow) / float64(r.Bucket) }
		return plot(r, "Graph requests per 30 s of the day against the limit", per,
			func(v float64) string { return fmt.Sprintf("%.0f per 30 s", v) }, float64(r.Limit), "#92C353")
	},
	"mib": func(b int64) int64 { return b >> 20 },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Soak: {{.Users}} people, {{.Start}}–{{.End}}</title>
<style>
body { font-family: "Segoe UI", system-ui, sans-serif; color: #242424; max-width: 1000px; margin: 0 auto; padding: 16px 24px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
th, td { text-align: right; padding: 3px 8px; border-bottom: 1px solid #EDEBE9; }
th:first-child, td:first-child { text-align: left; }
.meta { color: #605E5C; font-size: 13px; }
h2 { font-size: 18px; margin-top: 24px; }
</style></head>
<body>
<h1>Soak: how stale the connector gets (C-12)</h1>
<p class="meta" id="config">{{.Users}} people{{if .Truth}} with {{.Truth}}{{else if not .Reads}} with desk phones{{end}}, {{.Start}}–{{.End}} at {{.Speed}}× ({{.Wall}} of wall time), seed {{.Seed}}; {{.Connector}}</p>
<h2>Staleness: {{.Measured}}</h2>
<table id="staleness"><tr><th>change</th><th>changes</th><th>carried</th><th>superseded</th><th>never</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>
{{range .Staleness}}<tr><td>{{.Kind}}</td><td>{{.Changes}}</td><td>{{.Carried}}</td><td>{{.Superseded}}</td><td>{{.Never}}</td><td>{{short .P50}}</td><td>{{short .P95}}</td><td>{{short .P99}}</td><td>{{short .Max}}</td></tr>
{{end}}</table>
<p class="meta">Superseded: the next change came before the connector carried this one ({{if .Reads}}a change the reader had no time to see{{else}}short calls{{end}}). Never: not carried by the end of the day. Times are virtual: at {{.Speed}}× one millisecond of the connector's wall-clock delay is {{.Speed}} ms of the day. {{.WrongLabel}}: <b id="wrong">{{.Wrong}}</b>.</p>
<div>{{stalePlot .}}</div>
<h2>Requests against Graph's limit</h2>
<p class="meta" id="requests">{{.Requests}} requests, {{.Throttled}} throttled (429); busiest 30 s: {{.PeakWindow}} of 1500. The fake answered in {{.FakeP50}} (p50), {{.FakeP99}} (p99); peak memory {{mib .PeakRSS}} MiB.</p>
<div>{{ratePlot .}}</div>
</body></html>
`))
