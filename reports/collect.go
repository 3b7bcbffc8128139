package reports

import (
	"bytes"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"

	gherkin "github.com/cucumber/gherkin/go/v26"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/presencesim/presencesim/sim"
	"github.com/presencesim/presencesim/sim/clock"
)

// Collector gathers the scenarios of a run from the step hooks. It is safe
// for the concurrent scenarios godog runs.
type Collector struct {
	mu   sync.Mutex
	scen map[string]*Scenario
	done map[string]bool
	// OnScenario, when set, is told of each finished scenario (progress).
	OnScenario func(failed bool)
}

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{scen: map[string]*Scenario{}, done: map[string]bool{}}
}

// StepResult is one finished step as the runner hands it over.
type StepResult struct {
	Scenario *godog.Scenario
	Step     *godog.Step
	World    *sim.World // nil when the scenario could not build its world
	Status   godog.StepResultStatus
	Err      error
	// Message and Why part a failed assertion's error: what was expected
	// against what the model derived, and the model's explanation.
	Message, Why string
	// At is the virtual time after the step; TraceLen the length of the
	// world's trace then.
	At       clock.Time
	TraceLen int
}

// ScenarioResult is a finished scenario with its world.
type ScenarioResult struct {
	Scenario *godog.Scenario
	World    *sim.World
	Err      error
}

func (c *Collector) get(p *godog.Scenario) *Scenario {
	s, ok := c.scen[p.Id]
	if ok {
		return s
	}
	s = &Scenario{ID: p.Id, URI: p.Uri, Name: p.Name, Status: Passed}
	s.order, _ = strconv.Atoi(p.Id)
	for _, t := range p.Tags {
		s.Tags = append(s.Tags, t.Name)
	}
	for _, st := range p.Steps {
		s.Steps = append(s.Steps, Step{Keyword: keyword(st.Type), Text: st.Text, Status: Skipped})
	}
	if len(p.Steps) == 0 {
		s.Status = Undefined
	}
	c.scen[p.Id] = s
	return s
}

func keyword(t messages.PickleStepType) string {
	switch t {
	case messages.PickleStepType_CONTEXT:
		return "Given"
	case messages.PickleStepType_ACTION:
		return "When"
	case messages.PickleStepType_OUTCOME:
		return "Then"
	}
	return "*"
}

// Step records a finished step.
func (c *Collector) Step(e StepResult) {
	if e.Scenario == nil || e.Step == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.get(e.Scenario)
	i := -1
	for k, st := range e.Scenario.Steps {
		if st.Id == e.Step.Id {
			i = k
			break
		}
	}
	if i < 0 {
		return
	}
	st := &s.Steps[i]
	st.Status, st.At, st.TraceLen = Status(e.Status.String()), e.At, e.TraceLen
	st.Ran = st.Status != Skipped
	if e.Err != nil && st.Status != Skipped {
		st.Error = e.Err.Error()
		st.Message, st.Why = e.Message, e.Why
	}
	if worse[st.Status] > worse[s.Status] {
		s.Status = st.Status
	}
	if e.World != nil {
		c.keepWorld(s, e)
	}
}

// keepWorld copies what the report needs from the world; the copy is taken
// again at every step so skipped steps after a failure change nothing.
func (c *Collector) keepWorld(s *Scenario, e StepResult) {
	w := e.World
	s.Seed = uint64(w.Seed)
	s.End = w.Clock.Now()
	s.Trace = append(s.Trace[:0], w.Trace.Entries()...)
}

// EndScenario records a finished scenario.
func (c *Collector) EndScenario(e ScenarioResult) {
	if e.Scenario == nil {
		return
	}
	c.mu.Lock()
	s := c.get(e.Scenario)
	if e.World != nil {
		s.Seed = uint64(e.World.Seed)
		s.End = e.World.Clock.Now()
		s.Trace = append(s.Trace[:0], e.World.Trace.Entries()...)
	}
	if e.Err != nil && s.Error == "" {
		s.Error = e.Err.Error()
	}
	first := !c.done[s.ID]
	c.done[s.ID] = true
	failed := e.Err != nil
	c.mu.Unlock()
	if first && c.OnScenario != nil {
		c.OnScenario(failed)
	}
}

// Fill sets the run's features, counts and rule coverage from what was
// collected; fsys (or the file system when nil) gives feature names.
func (c *Collector) Fill(r *Run, fsys fs.FS) {
	r.Features = c.Features(fsys)
	r.Counts = count(r.Features)
	r.Coverage = ruleCoverage(rulebook, r.Features)
}

// Features groups the collected scenarios by feature file, in the order the
// run read them; fsys (or the file system when nil) gives feature names.
func (c *Collector) Features(fsys fs.FS) []*Feature {
	c.mu.Lock()
	defer c.mu.Unlock()
	all := make([]*Scenario, 0, len(c.scen))
	for _, s := range c.scen {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].order < all[j].order })
	var out []*Feature
	byURI := map[string]*Feature{}
	for _, s := range all {
		f, ok := byURI[s.URI]
		if !ok {
			f = &Feature{URI: s.URI}
			f.Name, f.Description = featureHeader(fsys, s.URI)
			byURI[s.URI] = f
			out = append(out, f)
		}
		s.Feature = f.Name
		f.Scenarios = append(f.Scenarios, s)
	}
	for _, f := range out {
		seen := map[string]int{}
		for _, s := range f.Scenarios {
			seen[s.Name]++
		}
		row := map[string]int{}
		for _, s := range f.Scenarios {
			if seen[s.Name] > 1 {
				row[s.Name]++
				s.Example = row[s.Name]
			}
		}
	}
	return out
}

// featureHeader reads a feature file's name and description; a file that
// cannot be read is named by its path.
func featureHeader(fsys fs.FS, uri string) (name, desc string) {
	uri = lineSuffix.ReplaceAllString(uri, "")
	doc, err := parseFeature(fsys, uri, (&messages.Incrementing{}).NewId)
	if err != nil || doc.Feature == nil {
		return uri, ""
	}
	return doc.Feature.Name, strings.TrimSpace(dedent(doc.Feature.Description))
}

// parseFeature reads and parses a feature file from fsys, or from the
// file system when fsys is nil, as Select reads it.
func parseFeature(fsys fs.FS, name string, newID func() string) (*messages.GherkinDocument, error) {
	if fsys == nil {
		fsys = osFS{}
	}
	b, err := readFeature(fsys, name)
	if err != nil {
		return nil, err
	}
	return gherkin.ParseGherkinDocument(bytes.NewReader(b), newID)
}

func dedent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// count totals scenarios and steps.
func count(fs []*Feature) Counts {
	var c Counts
	for _, f := range fs {
		for _, s := range f.Scenarios {
			c.Scenarios++
			switch s.Status {
			case Passed:
				c.Passed++
			case Failed:
				c.Failed++
			case Undefined:
				c.Undefined++
			case Pending:
				c.Pending++
			case Ambiguous:
				c.Ambiguous++
			}
			for _, st := range s.Steps {
				c.Steps++
				switch st.Status {
				case Passed:
					c.StepsPassed++
				case Failed:
					c.StepsFailed++
				case Skipped:
					c.StepsSkipped++
				}
			}
		}
	}
	return c
}
