package reports

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
)

// lineSuffix is the :line a path may end in to name one scenario.
var lineSuffix = regexp.MustCompile(`:[0-9]+$`)

// MaxLineBytes is the longest line, without its "\n", that the Gherkin
// parser reads. It splits a file with a bufio.Scanner of the default 64 KiB
// token limit and, on a longer line, dereferences the nil line it gets
// with bufio.ErrTooLong instead of reporting it, so such a file must never
// reach it.
const MaxLineBytes = bufio.MaxScanTokenSize - 1

// bom is the UTF-8 byte order mark some editors put first in a file; the
// Gherkin parser takes it for text and rejects the feature.
var bom = []byte("\uFEFF")

// Selection is what a run's paths and tag expression select, read before
// godog sees the files so that bad input fails with a clear message and
// before any report file is created.
type Selection struct {
	Paths []string
	Tags  string
	// Name says what the paths are in messages ("the built-in suite");
	// empty names the paths.
	Name string
	// Files counts the feature files read, Scenarios their scenarios
	// (each example row one), Selected those the tags and lines select.
	Files, Scenarios, Selected int
	// missed are the "line N of file" of paths whose line starts no
	// scenario.
	missed []string

	base    fs.FS
	content map[string][]byte // as read, without a byte order mark
}

// Select reads every feature file the paths name (a folder stands for the
// .feature files below it, "file:line" for the scenario at that line) from
// fsys, or from the file system when fsys is nil, and counts the scenarios
// the tag expression selects. It fails on a file that cannot be read or
// parsed, naming the file and, for a line too long, the line and the limit.
func Select(fsys fs.FS, paths []string, tags string) (*Selection, error) {
	s := &Selection{Paths: paths, Tags: tags, base: fsys, content: map[string][]byte{}}
	for _, p := range paths {
		name, line := p, int64(-1)
		if m := lineSuffix.FindString(p); m != "" {
			if n, err := strconv.ParseInt(m[1:], 10, 64); err == nil {
				name, line = p[:len(p)-len(m)], n
			}
		}
		files, err := s.featureFiles(name)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			found, err := s.count(f, line)
			if err != nil {
				return nil, err
			}
			if line != -1 && found == 0 {
				s.missed = append(s.missed, fmt.Sprintf("line %d of %s", line, name))
			}
		}
	}
	return s, nil
}

// featureFiles lists the .feature files at a path in godog's order and
// spelling, which the names it opens through FS must match.
func (s *Selection) featureFiles(name string) ([]string, error) {
	fsys := s.fsys()
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("feature path %q: %w", name, unwrapPath(err))
	}
	if !fi.IsDir() {
		return []string{name}, nil
	}
	var files []string
	err = fs.WalkDir(fsys, name, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".feature") {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// count reads and parses a feature file and counts its scenarios; found is
// how many start at line (all when line is -1).
func (s *Selection) count(name string, line int64) (found int, err error) {
	b, ok := s.content[name]
	if !ok {
		if b, err = readFeature(s.fsys(), name); err != nil {
			return 0, err
		}
		s.content[name] = b
		s.Files++
	}
	gen := (&messages.Incrementing{}).NewId
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(b), gen)
	if err != nil {
		return 0, fmt.Errorf("%s: %v", name, err)
	}
	if doc.Feature == nil {
		return 0, nil // no Feature: line, which godog skips
	}
	lines := scenarioLines(doc.Feature.Children)
	for _, p := range gherkin.Pickles(*doc, name, gen) {
		s.Scenarios++
		if line != -1 && lines[p.AstNodeIds[0]] != line {
			continue
		}
		found++
		var names []string
		for _, t := range p.Tags {
			names = append(names, t.Name)
		}
		if matchTags(s.Tags, names) {
			s.Selected++
		}
	}
	return found, nil
}

// scenarioLines maps each scenario's id to the line of its keyword, the
// line a "file:line" path names.
func scenarioLines(children []*messages.FeatureChild) map[string]int64 {
	out := map[string]int64{}
	for _, c := range children {
		if c.Scenario != nil {
			out[c.Scenario.Id] = c.Scenario.Location.Line
		}
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					out[rc.Scenario.Id] = rc.Scenario.Location.Line
				}
			}
		}
	}
	return out
}

// Empty is nil when the selection holds a scenario, else an error that
// says what the paths and the tag expression selected.
func (s *Selection) Empty() error {
	if s.Selected > 0 {
		return nil
	}
	if len(s.Paths) == 0 {
		return errors.New("no scenario selected: no feature file or folder given")
	}
	what := s.Name
	if what == "" {
		what = strings.Join(s.Paths, ", ")
		if len(s.Paths) > 4 {
			what = fmt.Sprintf("%s and %d more paths", strings.Join(s.Paths[:3], ", "), len(s.Paths)-3)
		}
	}
	tags := ""
	if s.Tags != "" {
		tags = fmt.Sprintf(" (tag expression %q)", s.Tags)
	}
	switch {
	case s.Files == 0:
		return fmt.Errorf("no scenario selected: no .feature file in %s%s", what, tags)
	case s.Scenarios == 0:
		return fmt.Errorf("no scenario selected: %s in %s, without a scenario%s", plural(s.Files, "feature file"), what, tags)
	case len(s.missed) > 0 && s.Tags == "":
		return fmt.Errorf("no scenario selected: no scenario starts at %s", strings.Join(s.missed, ", "))
	}
	if s.Scenarios == 1 {
		return fmt.Errorf("no scenario selected: the tag expression %q does not match the one scenario in %s", s.Tags, what)
	}
	return fmt.Errorf("no scenario selected: the tag expression %q matches none of the %d scenarios in %s", s.Tags, s.Scenarios, what)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// FS serves the feature files as Select read them, without a byte order
// mark, and everything else from the underlying file system, for godog.
func (s *Selection) FS() fs.FS { return featureFS{s} }

func (s *Selection) fsys() fs.FS {
	if s.base == nil {
		return osFS{}
	}
	return s.base
}

type featureFS struct{ s *Selection }

// Open serves the files Select read under the names godog spells them
// (Select walks the folders as godog does); folders and anything else come
// from the underlying file system.
func (f featureFS) Open(name string) (fs.File, error) {
	b, ok := f.s.content[name]
	if !ok {
		file, err := f.s.fsys().Open(name)
		if err != nil || !strings.HasSuffix(name, ".feature") {
			return file, err
		}
		// a feature file spelt otherwise is checked all the same, never
		// handed to the parser unread
		fi, err := file.Stat()
		if err == nil && fi.IsDir() {
			return file, nil
		}
		file.Close()
		if err != nil {
			return nil, err
		}
		if b, err = readFeature(f.s.fsys(), name); err != nil {
			return nil, err
		}
	}
	return &memFile{Reader: bytes.NewReader(b), name: name, size: int64(len(b))}, nil
}

type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (m *memFile) Stat() (fs.FileInfo, error) { return m, nil }
func (m *memFile) Close() error               { return nil }
func (m *memFile) Name() string               { return m.name[strings.LastIndexByte(m.name, '/')+1:] }
func (m *memFile) Size() int64                { return m.size }
func (m *memFile) Mode() fs.FileMode          { return 0o444 }
func (m *memFile) ModTime() time.Time         { return time.Time{} }
func (m *memFile) IsDir() bool                { return false }
func (m *memFile) Sys() any                   { return nil }

// osFS opens names as the operating system does, absolute or relative,
// as godog does when it is given no file system.
type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }

// unwrapPath drops the *PathError's operation and name, which the message
// around it says already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readFeature reads a feature file without its byte order mark and fails,
// naming the line and the limit, on a line longer than the parser reads;
// such a line is measured but never held in memory.
func readFeature(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd := bufio.NewReader(f)
	if b, err := rd.Peek(len(bom)); err == nil && bytes.Equal(b, bom) {
		_, _ = rd.Discard(len(bom))
	}
	var out bytes.Buffer
	for line := 1; ; line++ {
		n := 0 // bytes of this line without its "\n"
		for {
			chunk, err := rd.ReadSlice('\n')
			end := len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
			n += len(chunk)
			if end {
				n--
			}
			if n <= MaxLineBytes {
				out.Write(chunk)
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && err != io.EOF {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if n > MaxLineBytes {
				return nil, fmt.Errorf("%s:%d: the line is %d bytes long; the Gherkin parser reads lines of at most %d bytes (64 KiB less one)",
					name, line, n, MaxLineBytes)
			}
			if err == io.EOF {
				return out.Bytes(), nil
			}
			break
		}
	}
}
