package soak

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presencesim/presencesim/live/conformance"
	"github.com/presencesim/presencesim/live/connector"
	"github.com/presencesim/presencesim/live/served"
	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
	"github.com/presencesim/presencesim/sim/teams"
	"github.com/presencesim/presencesim/sim/workload"
)

// Config is one soak.
type Config struct {
	Users int     // people of the tenant, each with a desk phone
	Seed  uint64  // the world's seed: the same seed gives the same day
	Speed float64 // virtual seconds per wall second
	// Start and End bound the measured day (08:00–18:00 of day 1 when
	// zero); the morning before Start is simulated at full speed first.
	Start, End clock.Time
	// Target is the connector (its Scale is Speed).
	Target conformance.Target
	// Workload shapes the day; everyone has a desk phone.
	Workload workload.Options
	// Bucket is the resolution of the plots (10 minutes when zero).
	Bucket time.Duration
	// Warmup is how long before Start the connector runs unmeasured, to
	// sign in and subscribe (15 minutes when zero); Drain is how long after
	// End the changes made before End may still be carried (15 minutes when
	// zero): the day ends as soon as none is open.
	Warmup, Drain time.Duration
	// Limit is Graph's presence limit per 30 s per app and tenant
	// (ThrottleRequests when zero). A tenant a hundredth of the size with a
	// hundredth of the limit shows at a test's scale what a full tenant
	// shows at the full limit.
	Limit int
	// Step, when set, paces the day instead of letting the clock follow
	// the wall: the world's clock moves Step at a time and, after each,
	// the in-process reference connector takes in the PBX's events and
	// makes one pass. The day is then bounded by steps, not by the
	// machine's speed, and the same seed gives the same figures; Speed is
	// not used. Staleness is measured to the step.
	Step time.Duration
	// The SIP fake of a SIP connector is sized in Target.SIP (sipDefaults).
}

// passTimeout bounds one paced pass: a pass of a connector that works
// takes milliseconds; one that takes this long hangs.
const passTimeout = time.Minute

// Limits of a soak's configuration.
const (
	MaxUsers = 100_000
	MaxSpeed = 10_000
)

// Throttle is Graph's presence limit (G-THR-1), the line in the request
// rate plot.
const (
	ThrottleRequests = 1500
	ThrottleWindow   = 30 * time.Second
)

func (c Config) withDefaults() (Config, error) {
	if c.Start == 0 && c.End == 0 {
		c.Start, c.End = clock.At(1, 8, 0), clock.At(1, 18, 0)
	}
	if c.Bucket == 0 {
		c.Bucket = 10 * time.Minute
	}
	if c.Warmup == 0 {
		c.Warmup = 15 * time.Minute
		if c.Target.Integration == "pbx" {
			c.Warmup = sipWarmup(c.Users, c.Speed, c.Start)
		}
	}
	if c.Drain == 0 {
		c.Drain = 15 * time.Minute
	}
	c.Workload.Phones = c.Target.Integration != "xphone" // an XPhone day has XPhone instead
	if c.Limit == 0 {
		c.Limit = ThrottleRequests
	}
	switch {
	case c.Limit < 1:
		return c, fmt.Errorf("soak: a limit of %d requests per 30 s", c.Limit)
	case c.Users < 1 || c.Users > MaxUsers:
		return c, fmt.Errorf("soak: %d users; want 1 to %d", c.Users, MaxUsers)
	case c.Step < 0 || c.Step > time.Minute:
		return c, fmt.Errorf("soak: steps of %s; want up to a minute", c.Step)
	case c.Step > 0 && (c.Target.Integration != "cloudlink" && !readsTeams(c.Target.Integration) || len(c.Target.Command) > 0 || c.Target.URL != ""):
		return c, fmt.Errorf("soak: a paced day runs the reference CloudLink connector or Nimbus reader in process, not %s", c.Target.Label())
	case c.Step == 0 && !(c.Speed > 0 && c.Speed <= MaxSpeed):
		return c, fmt.Errorf("soak: speed %v; want more than 0 and at most %d virtual seconds per second", c.Speed, MaxSpeed)
	case c.Warmup < 0 || c.Drain < 0 || c.Start.Add(-c.Warmup) < clock.At(1, 0, 0):
		return c, fmt.Errorf("soak: a warm-up of %s before %s and a drain of %s", c.Warmup, c.Start, c.Drain)
	case c.End <= c.Start:
		return c, fmt.Errorf("soak: the day %s–%s is empty", c.Start, c.End)
	case c.Bucket < time.Minute:
		return c, fmt.Errorf("soak: plot buckets of %s; want at least a minute", c.Bucket)
	}
	switch i := c.Target.Integration; {
	case i == "cloudlink", i == "pbx", i == "xphone", readsTeams(i):
	default:
		return c, fmt.Errorf("soak: unknown integration %q; soaked: cloudlink, pbx, xphone, nimbus", i)
	}
	if err := c.sipDefaults(); err != nil {
		return c, err
	}
	c.Target.Scale = c.Speed
	if c.Step > 0 {
		c.Speed, c.Target.Scale = 0, 0
	}
	return c, nil
}

// Result is what a soak measured.
type Result struct {
	Users     int           `json:"users"`
	Seed      uint64        `json:"seed"`
	Speed     float64       `json:"speed"`          // 0 when paced
	Step      time.Duration `json:"step,omitempty"` // the pace's step
	Start     string        `json:"start"`
	End       string        `json:"end"`
	Connector string        `json:"connector"`
	// Integration is what the connector replaces: a reader's figures are
	// of views, a writer's of writes.
	Integration string        `json:"integration"`
	Wall        time.Duration `json:"wall"`
	Staleness   []Figures     `json:"staleness"`
	// Wrong counts the connector's writes that disagreed with the line
	// when they were made.
	Wrong int `json:"wrong"`
	// LineChanges are the changes of the measured day: the desk-phone
	// lines', or XPhone's and Teams' own for an XPhone connector (Truth).
	LineChanges int `json:"lineChanges"`
	// Truth names what the changes come from when not desk-phone lines.
	Truth string `json:"truth,omitempty"`
	// TeamsChanges are the changes of Teams presence of the measured day
	// a reader must see, and Views the views it reported meanwhile.
	TeamsChanges int `json:"teamsChanges,omitempty"`
	Views        int `json:"views,omitempty"`
	// Requests are the connector's Graph requests, Throttled those answered
	// 429; PeakWindow is the most requests in any 30 s of virtual time.
	Requests   int `json:"requests"`
	Throttled  int `json:"throttled"`
	PeakWindow int `json:"peakWindow"`
	Limit      int `json:"limit"` // Graph's limit per 30 s in this soak
	// FakeP50 and FakeP99 are the fake's own answer times (wall clock).
	FakeP50 time.Duration `json:"fakeP50"`
	FakeP99 time.Duration `json:"fakeP99"`
	// PeakRSS is the process's peak resident memory, fake and all.
	PeakRSS int64 `json:"peakRSS"`
	// SIP is the SIP fake's side of a SIP connector's day.
	SIP *SIPFigures `json:"sip,omitempty"`
	// Buckets are the day in Bucket-long steps, for the plots.
	Bucket  time.Duration `json:"bucket"`
	Buckets []Bucket      `json:"buckets"`
	// Output is the end of the connector's output (up to its last 1 MiB).
	Output string `json:"-"`
}

// Bucket is one step of the day.
type Bucket struct {
	At        string        `json:"at"`
	Changes   int           `json:"changes"`
	Carried   int           `json:"carried"`
	P95       time.Duration `json:"p95"`
	Requests  int           `json:"requests"`
	Throttled int           `json:"throttled"`
}

// Run plays the day with the connector attached and measures it. It
// returns when the world's clock reaches End, the connector exits, or ctx
// ends.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	w, err := sim.New(cfg.Seed, teams.DefaultSettings())
	if err != nil {
		return nil, err
	}
	w.Trace.Limit(served.MaxTrace)
	users := make([]teams.UserID, cfg.Users)
	for i := range users {
		if users[i], err = w.AddUser("p"+strconv.Itoa(100000 + i)[1:], ""); err != nil {
			return nil, err
		}
	}
	if _, err := workload.Schedule(w, users, cfg.Workload); err != nil {
		return nil, err
	}
	xp, err := scheduleXPhone(cfg, w, users)
	if err != nil {
		return nil, err
	}
	if err := w.Clock.RunUntil(cfg.Start.Add(-cfg.Warmup)); err != nil {
		return nil, err
	}
	// The measurement starts at Start, on the world's clock, whenever the
	// connector has come up by then.
	target := cfg.Target
	tr := newMeasure(cfg, w, users, &target, xp)
	w.Clock.Schedule(cfg.Start, tr, clock.Event{})
	w.Trace.Watch(tr.entry)
	rt := newRates(cfg.Start, cfg.Bucket)
	if prev := target.Observe; prev != nil {
		target.Observe = func(c conformance.Call) { prev(c); rt.observe(c) }
	} else {
		target.Observe = rt.observe
	}
	target.Limit = cfg.Limit
	var pace *connector.Pacer
	if cfg.Step > 0 {
		pace = connector.NewPacer(nil)
		target.Pace = pace
	}
	began := time.Now()
	s, err := conformance.Start(w, target)
	if err != nil {
		return nil, err
	}
	if a, ok := tr.(attacher); ok {
		if err := a.attach(s); err != nil {
			return nil, fmt.Errorf("%w\n%s", err, tail(s.Stop(), 20))
		}
	}
	sipw := watchSIP(s, cfg.Users, cfg.Start)
	stop := cfg.End.Add(cfg.Drain)
	over := func(w *sim.World) bool {
		now := w.Clock.Now()
		return now >= stop || now >= cfg.End && tr.done()
	}
	wait, cancel := context.WithCancel(ctx)
	if pace == nil {
		wall := time.Duration(float64(stop.Sub(cfg.Start.Add(-cfg.Warmup))) / cfg.Speed)
		wait, cancel = context.WithTimeout(ctx, wall+wall/2+time.Minute)
	}
	defer cancel()
	go func() {
		select {
		case <-s.Exited():
			cancel()
		case <-wait.Done():
		}
	}()
	if pace != nil {
		err = paced(wait, s, pace, cfg.Step, over)
	} else {
		err = s.World().Await(wait, over)
	}
	sipf := sipw.figures() // before Stop ends the subscriptions
	out := s.Stop()
	if err != nil {
		if alive, why := s.Alive(); !alive {
			return nil, fmt.Errorf("soak: %s ended before the day did: %s\n%s", target.Label(), why, tail(out, 20))
		}
		return nil, fmt.Errorf("soak: the day did not end: %w", err)
	}
	res := &Result{Users: cfg.Users, Seed: cfg.Seed, Speed: cfg.Speed, Step: cfg.Step, Start: cfg.Start.String(), End: cfg.End.String(),
		Connector: target.Label(), Integration: target.Integration, Limit: cfg.Limit, Wall: time.Since(began).Round(time.Millisecond), Bucket: cfg.Bucket, Output: out}
	_ = s.World().Do(func(*sim.World) error { tr.fill(cfg, res); return nil })
	rt.fill(cfg, res)
	res.SIP = sipf
	res.PeakRSS = peakRSS()
	return res, nil
}

// paced plays the day step by step: the clock moves a step, the
// connector takes in the PBX's events up to then and makes one pass.
func paced(ctx context.Context, s *conformance.Session, pace *connector.Pacer, step time.Duration, over func(*sim.World) bool) error {
	lw := s.World()
	for {
		var done bool
		if err := lw.Do(func(w *sim.World) error { done = over(w); return nil }); err != nil {
			return err
		}
		if done {
			return nil
		}
		if err := lw.Advance(step); err != nil {
			return err
		}
		pctx, cancel := context.WithTimeout(ctx, passTimeout)
		err := settle(pctx, s, pace)
		if err == nil {
			err = pace.Pass(pctx)
		}
		cancel()
		if err != nil {
			return fmt.Errorf("at %s the connector did not make its pass: %w", lw.Now(), err)
		}
	}
}

func bucketOf(cfg Config, i int) Bucket {
	return Bucket{At: cfg.Start.Add(time.Duration(i) * cfg.Bucket).String()}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// rates counts the connector's requests as the wire answers them, from
// the server's goroutines.
type rates struct {
	mu        sync.Mutex
	start     clock.Time
	bucket    time.Duration
	requests  []int
	throttled []int
	windows   map[int64]int // requests per 30 s window of virtual time
	total     int
	limited   int
	latency   [latencyBins]int
}

// latencyBins are log-spaced answer times from 10 µs (5 % apart).
const latencyBins = 400

func newRates(start clock.Time, bucket time.Duration) *rates {
	return &rates{start: start, bucket: bucket, windows: map[int64]int{}}
}

func (r *rates) observe(c conformance.Call) {
	if c.Action == "token" || c.Action == "identity" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.At < r.start {
		return // the warm-up
	}
	i := int(c.At.Sub(r.start) / r.bucket)
	for len(r.requests) <= i {
		r.requests = append(r.requests, 0)
		r.throttled = append(r.throttled, 0)
	}
	r.requests[i]++
	r.total++
	if c.Status == 429 {
		r.throttled[i]++
		r.limited++
	}
	if len(r.windows) < 1<<16 {
		r.windows[int64(c.At)/int64(ThrottleWindow)]++
	}
	if d := c.Answered.Sub(c.Wall); d > 0 {
		r.latency[min(latencyBins-1, max(0, int(math.Log(float64(d)/float64(10*time.Microsecond))/math.Log(1.05))))]++
	}
}

func (r *rates) fill(cfg Config, res *Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res.Requests, res.Throttled = r.total, r.limited
	for _, n := range r.windows {
		res.PeakWindow = max(res.PeakWindow, n)
	}
	for i := range r.requests[:min(len(r.requests), int(cfg.End.Sub(cfg.Start)/cfg.Bucket)+1)] {
		for len(res.Buckets) <= i {
			res.Buckets = append(res.Buckets, bucketOf(cfg, len(res.Buckets)))
		}
		res.Buckets[i].Requests, res.Buckets[i].Throttled = r.requests[i], r.throttled[i]
	}
	res.FakeP50, res.FakeP99 = r.quantile(0.5), r.quantile(0.99)
}

func (r *rates) quantile(q float64) time.Duration {
	n := 0
	for _, c := range r.latency {
		n += c
	}
	seen := 0
	for i, c := range r.latency {
		if seen += c; c > 0 && float64(seen) >= q*float64(n) {
			return time.Duration(float64(10*time.Microsecond) * math.Pow(1.05, float64(i+1))).Round(time.Microsecond)
		}
	}
	return 0
}

// peakRSS is the process's peak resident set (VmHWM), 0 where unknown.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
