package reports

import (
	"bufio"
	"io"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/formatters"
)

// Files written into the report directory.
const (
	IndexFile    = "index.html"
	JUnitFile    = "junit.xml"
	CucumberFile = "cucumber.json"
)

// godog's formatters write to their file in many small writes, which for
// the Cucumber JSON of the whole suite costs seconds; these are the same
// formatters behind a buffer that the summary flushes.
const (
	JUnitFormat    = "presencesim-junit"
	CucumberFormat = "presencesim-cucumber"
)

type bufferedJUnit struct {
	*godog.JUnitFmt
	buf *bufio.Writer
}

func (f bufferedJUnit) Summary() { f.JUnitFmt.Summary(); _ = f.buf.Flush() }

type bufferedCuke struct {
	*godog.CukeFmt
	buf *bufio.Writer
}

func (f bufferedCuke) Summary() { f.CukeFmt.Summary(); _ = f.buf.Flush() }

func init() {
	godog.Format(JUnitFormat, "JUnit XML through a buffer (for report files)", func(suite string, out io.Writer) formatters.Formatter {
		b := bufio.NewWriterSize(out, 64<<10)
		return bufferedJUnit{godog.NewJUnitFmt(suite, b), b}
	})
	godog.Format(CucumberFormat, "Cucumber JSON through a buffer (for report files)", func(suite string, out io.Writer) formatters.Formatter {
		b := bufio.NewWriterSize(out, 64<<10)
		return bufferedCuke{godog.NewCukeFmt(suite, b), b}
	})
}
