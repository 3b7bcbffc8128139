package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/presencesim/presencesim/steps"
)

func init() {
	commands["steps"] = command{summary: "print the step catalogue with an example for each step", run: runSteps}
}

func runSteps(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "presencesim steps takes no arguments")
		return 2
	}
	var b strings.Builder
	b.WriteString("# presencesim step catalogue\n")
	steps.WriteCatalog(&b)
	fmt.Fprint(stdout, b.String())
	return 0
}
