package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/presencesim/presencesim/live/connector"
)

func init() {
	commands["connector"] = command{summary: "run a reference connector against the fakes named in the environment (for conformance runs)", run: connectorCmd}
}

// connectorCmd runs a reference connector until SIGINT or SIGTERM.
func connectorCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return connector.Main(ctx, args, os.Getenv, stdout, stderr)
}
